"""Where ``maestoso validate`` and ``maestoso run`` find the job templates a YAML document
names.

In order: the template files given (``--template``, JSON or YAML create requests), the
templates built into the server (their job type in any case, at version ``default``), the
step types of the plugins installed here, then a server, if one answers. A job type none of
them knows is a problem of the document; one that could not be checked (no file has it and
no server answered) is reported as unchecked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from maestoso.client import Client, ClientError
from maestoso.client.calls import API, Call
from maestoso.client.connection import Connection
from maestoso.dsl.loading import load_request
from maestoso.dsl.native_steps import with_native_steps
from maestoso.dsl.requests import parse_model
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.dsl.yaml_types import JobType, resolver_of, template_jobs
from maestoso.errors import ValidationError
from maestoso.models import StepType, WorkflowCreateRequest
from maestoso.models.templates import (
    BUILT_IN_TEMPLATES,
    DEFAULT_VERSION,
    JobTemplateCreateRequest,
)
from maestoso.plugins import step_type_names

PLACEHOLDER_STEP_TYPE = "NoOp"
"""The step type given to a job type that could not be checked, so the rest is validated."""
SERVER_TIMEOUT_SECONDS = 3.0


def read_template_file(path: Path) -> JobTemplateCreateRequest:
    """A job template create request from a JSON or YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", [str(path)]) from None
    try:
        data: Any = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ValidationError(f"cannot parse the job template {path}: {exc}", [str(path)]) from None
    return parse_model(JobTemplateCreateRequest, data, root=str(path))


@dataclass
class JobTypes:
    """Resolves job types for the validator, noting what it could not check."""

    files: dict[tuple[str, str], str] = field(default_factory=dict)
    server: str | None = None
    offline: bool = False
    plugin_step_types: frozenset[str] = field(default_factory=step_type_names)
    unchecked: list[str] = field(default_factory=list)
    _server_down: str | None = None

    @classmethod
    def of(cls, paths: list[Path], server: str | None, offline: bool) -> JobTypes:
        files = {}
        for path in paths:
            definition = read_template_file(path).definition
            files[(definition.job_type, definition.version)] = definition.step_type.value
        return cls(files=files, server=server, offline=offline)

    def resolve_all(self, asked: set[JobType]) -> dict[JobType, str | None]:
        return {pair: self.resolve(*pair) for pair in sorted(asked, key=str)}

    def resolve(self, job_type: str, version: str | None) -> str | None:
        wanted = version or DEFAULT_VERSION
        if (job_type, wanted) in self.files:
            return self.files[(job_type, wanted)]
        if wanted == DEFAULT_VERSION:
            for template in BUILT_IN_TEMPLATES:
                if str(template["job_type"]).casefold() == job_type.casefold():
                    return str(template["step_type"])
            for name in self.plugin_step_types:
                if name.casefold() == job_type.casefold():
                    return name
        return self._from_server(job_type, wanted)

    def plugin_types_for(self, request: WorkflowCreateRequest) -> frozenset[str]:
        """The plugin step types ``request`` may name: this environment's, else the server's;
        one neither could be asked about is let through and noted as unchecked."""
        named = {
            str(s.kind) for s in request.workflow.all_steps() if not isinstance(s.kind, StepType)
        }
        unknown = named - self.plugin_step_types
        if not unknown:
            return self.plugin_step_types
        served = self._served_step_types()
        if served is None:
            reason = "--offline" if self.offline else self._server_down
            for name in sorted(unknown):
                self.unchecked.append(
                    f"cannot check step type [{name}]: no plugin here provides it ({reason})"
                )
            return self.plugin_step_types | unknown
        return self.plugin_step_types | served

    def _served_step_types(self) -> frozenset[str] | None:
        """The step types of the server's plugins; None when it cannot be asked."""
        if self.offline or self._server_down is not None:
            return None
        try:
            with Client(self.server, timeout=SERVER_TIMEOUT_SECONDS) as client:
                listing = client.plugins()
        except ClientError as error:
            if error.status_code == 404:  # a server without plugins
                return frozenset()
            self._server_down = self._no_answer()
            return None
        found = listing.get("step_types", []) if isinstance(listing, dict) else []
        return frozenset(str(p["name"]) for p in found if not p.get("error"))

    def _no_answer(self) -> str:
        return f"no server answered at {Connection.resolve(self.server, None, None).url}"

    def _from_server(self, job_type: str, version: str) -> str | None:
        which = f"job type [{job_type}] version [{version}]"
        if self.offline or self._server_down is not None:
            reason = "--offline" if self.offline else self._server_down
            self.unchecked.append(f"cannot check {which}: no template file has it ({reason})")
            return PLACEHOLDER_STEP_TYPE
        call = Call("GET", f"{API}/job-templates/{quote(job_type, safe='')}", {"version": version})
        try:
            with Client(self.server, timeout=SERVER_TIMEOUT_SECONDS) as client:
                template = client.call(call)
        except ClientError as error:
            if error.status_code == 404:
                return None
            self._server_down = self._no_answer()
            self.unchecked.append(
                f"cannot check {which}: no template file has it and {self._server_down}"
            )
            return PLACEHOLDER_STEP_TYPE
        step_type = (template.get("definition") or {}).get("step_type")
        return str(step_type) if step_type else None


def load_definition(path: Path, job_types: JobTypes) -> WorkflowCreateRequest:
    """A JSON create request, or a YAML DSL file read with ``job_types``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return load_request(path)  # reports the file as unreadable
    if text.lstrip().startswith("{"):
        return load_request(path)
    asked = template_jobs(text)
    if not asked:
        return load_request(path)
    resolver = resolver_of(job_types.resolve_all(asked))
    data = with_native_steps(parse_workflow_yaml(text, resolve_step_type=resolver))
    return parse_model(WorkflowCreateRequest, data)
