# A Maestoso node: `maestoso server` on port 8080, with the OpenTelemetry extra.
FROM python:3.11-slim

WORKDIR /opt/maestoso
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir '.[otel]' \
    && useradd --system --create-home --home-dir /var/lib/maestoso maestoso

USER maestoso
ENV MAESTOSO_HOME=/var/lib/maestoso \
    MAESTOSO_HOST=0.0.0.0 \
    MAESTOSO_PORT=8080 \
    MAESTOSO_AUTH=token \
    MAESTOSO_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["maestoso"]
CMD ["server"]
