"""What ``push`` accepts, turned into Maestro's JSON create request.

A definition may be an SDK ``Workflow`` (anything with ``to_request()``), a
``WorkflowCreateRequest``, a dict (a create request, or a YAML DSL document under
``Workflow``), the path of a JSON or YAML file, or JSON or YAML text (a string of more than
one line); JSON and YAML are told apart by content. YAML is converted
here, so the server always receives the JSON request and a problem in the file is reported
before any call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import yaml

from maestoso.dsl.loading import ResolverFor, request_data
from maestoso.dsl.native_steps import with_native_steps
from maestoso.dsl.requests import parse_model
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.errors import ValidationError
from maestoso.models import WorkflowCreateRequest


@runtime_checkable
class Definition(Protocol):
    """A workflow builder (``maestoso.sdk.Workflow``) that produces a create request."""

    def to_request(self) -> dict[str, Any]: ...


Source = Definition | WorkflowCreateRequest | dict[str, Any] | Path | str


def create_request(
    source: Source, resolver_for: ResolverFor | None = None
) -> WorkflowCreateRequest:
    """The validated-for-shape create request of ``source``; raises ``ValidationError``.

    ``resolver_for`` resolves the job templates a YAML document names (``Client`` asks its
    server); without it a job of another type stays a template step."""
    if isinstance(source, WorkflowCreateRequest):
        return source
    if isinstance(source, Definition):
        # The SDK writes the YAML DSL: read with the server's job types, a job whose type is
        # a job template or a plugin's step type becomes the step the server would make.
        to_yaml = getattr(source, "to_yaml", None)
        if resolver_for is not None and callable(to_yaml):
            data: Any = request_data(to_yaml(), resolver_for)
        else:
            data = source.to_request()
    elif isinstance(source, dict):
        data = _from_dict(source, resolver_for)
    elif isinstance(source, str) and "\n" in source:
        data = request_data(source, resolver_for)
    else:
        data = request_data(_read(Path(source)), resolver_for)
    if isinstance(data, dict):
        data = with_native_steps(data)
    return parse_model(WorkflowCreateRequest, data)


def request_json(source: Source, resolver_for: ResolverFor | None = None) -> dict[str, Any]:
    return create_request(source, resolver_for).to_json()


def _from_dict(document: dict[str, Any], resolver_for: ResolverFor | None) -> Any:
    if set(document) in ({"Workflow"}, {"workflow"}) and "jobs" in next(iter(document.values())):
        text = yaml.safe_dump(document, sort_keys=False)
        resolver = resolver_for(text) if resolver_for is not None else None
        return parse_workflow_yaml(text, resolve_step_type=resolver)
    return document


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", [str(path)]) from None
