"""The job templates a YAML document names, resolved by asking the server (sync client)."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from maestoso.client.calls import API, Call
from maestoso.client.errors import ClientError
from maestoso.dsl.yaml_dsl import StepTypeResolver
from maestoso.dsl.yaml_types import JobType, resolver_of, template_jobs
from maestoso.models.templates import BUILT_IN_TEMPLATES, DEFAULT_VERSION


class Caller(Protocol):
    def call(self, call: Call) -> object: ...


def template_call(job_type: str, version: str | None) -> Call:
    path = f"{API}/job-templates/{quote(job_type, safe='')}"
    return Call("GET", path, {"version": version or DEFAULT_VERSION})


def server_resolver(client: Caller, text: str) -> StepTypeResolver:
    """A resolver of the job types of ``text``, from the server's templates (a type the
    server has no template of resolves to nothing: the parse reports it)."""
    found: dict[JobType, str | None] = {}
    for job_type, version in template_jobs(text):
        built_in = _built_in(job_type, version)
        if built_in is not None:  # one of this server's step types: no need to ask
            found[(job_type, version)] = built_in
            continue
        try:
            template = client.call(template_call(job_type, version))
        except ClientError as error:
            if error.status_code != 404:
                raise
            template = None
        definition = template.get("definition") if isinstance(template, dict) else None
        step_type = definition.get("step_type") if isinstance(definition, dict) else None
        found[(job_type, version)] = str(step_type) if step_type else None
    return resolver_of(found)


def _built_in(job_type: str, version: str | None) -> str | None:
    """The step type a built-in template gives (``Shell`` for ``shell``), or None."""
    if (version or DEFAULT_VERSION) != DEFAULT_VERSION:
        return None
    for template in BUILT_IN_TEMPLATES:
        if str(template["job_type"]).casefold() == job_type.casefold():
            return str(template["step_type"])
    return None
