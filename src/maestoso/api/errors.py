"""Maestro's error body and status codes, for every error the API returns.

``{"status": "<CODE>", "message": "...", "errors": [...], "retryable": bool}``
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from maestoso import errors
from maestoso.store import is_unavailable

logger = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    410: "GONE",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}

_ERROR_STATUS: list[tuple[type[errors.MaestosoError], int]] = [
    (errors.UnauthenticatedError, 401),
    (errors.ForbiddenError, 403),
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.UnprocessableError, 422),
    (errors.PreconditionFailedError, 412),
    (errors.TooManyRequestsError, 429),
    (errors.UserError, 400),
    (errors.DatabaseUnavailableError, 503),
    (errors.PlatformError, 500),
]


def error_body(status: int, message: str, details: list[str], retryable: bool) -> JSONResponse:
    code = _STATUS_CODES.get(status, HTTPStatus(status).phrase.upper().replace(" ", "_"))
    content = {"status": code, "message": message, "errors": details, "retryable": retryable}
    return JSONResponse(status_code=status, content=content)


def status_of(error: errors.MaestosoError) -> int:
    for kind, status in _ERROR_STATUS:
        if isinstance(error, kind):
            return status
    return 500


async def _maestoso_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.MaestosoError)
    status = status_of(exc)
    if status >= 500:
        logger.error("request failed: %s", exc.message, exc_info=exc)
    response = error_body(status, exc.message, exc.errors, exc.retryable)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="maestoso"'
    return response


async def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        details.append(f"{where}: {error['msg']}")
    return error_body(400, f"Invalid request: {details[0]}", details, False)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_body(exc.status_code, str(exc.detail), [], False)


async def _database(request: Request, exc: Exception) -> JSONResponse:
    """A driver error that escaped the store's translation: answered as the store would."""
    assert isinstance(exc, sqlalchemy.exc.SQLAlchemyError)
    cause = getattr(exc, "orig", None)
    if isinstance(cause, errors.MaestosoError):  # a check of a bound value
        return await _maestoso_error(request, cause)
    if is_unavailable(exc):
        logger.warning("database unavailable: %s", exc)
        return await _maestoso_error(request, errors.DatabaseUnavailableError())
    if isinstance(exc, sqlalchemy.exc.DataError):
        return error_body(400, "the database refused a value of the request", [], False)
    return await _unexpected(request, exc)


async def _overflow(_: Request, exc: Exception) -> JSONResponse:
    # A number past what the database stores (SQLite's 64-bit INTEGER) that no check caught.
    return error_body(
        400, "a number of the request is out of the range of a 64-bit integer", [], False
    )


async def _too_deep(_: Request, exc: Exception) -> JSONResponse:
    # A document nested deeper than a parser can recurse: the caller's input, not a fault.
    return error_body(400, "the request is nested too deeply", [], False)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # A defect, not a passing condition: the same request would fail the same way again.
    logger.exception("unexpected error", exc_info=exc)
    return error_body(500, f"Internal error: {type(exc).__name__}", [], False)


async def _os_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ConnectionError):  # refused, reset: the database's socket
        logger.warning("connection failed: %s", exc)
        return await _maestoso_error(request, errors.DatabaseUnavailableError())
    return await _unexpected(request, exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.MaestosoError, _maestoso_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(sqlalchemy.exc.SQLAlchemyError, _database)
    app.add_exception_handler(OSError, _os_error)
    app.add_exception_handler(RecursionError, _too_deep)
    app.add_exception_handler(OverflowError, _overflow)
    app.add_exception_handler(Exception, _unexpected)
