"""Loading a definition from a file: Maestro's JSON create request or the YAML DSL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from maestoso.dsl.requests import parse_json, parse_model
from maestoso.dsl.validation import ValidationSettings, validate_request
from maestoso.dsl.yaml_dsl import StepTypeResolver, parse_workflow_yaml
from maestoso.errors import ValidationError
from maestoso.models import WorkflowCreateRequest


def load_request(path: Path) -> WorkflowCreateRequest:
    """Parse a JSON create request or a YAML DSL file, told apart by their content."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", [str(path)]) from None
    return parse_model(WorkflowCreateRequest, request_data(text))


ResolverFor = Callable[[str], StepTypeResolver | None]
"""Given YAML DSL text, a resolver of the job templates it names (or None)."""


def request_data(text: str, resolver_for: ResolverFor | None = None) -> Any:
    """A create request as JSON data, from its JSON text or from YAML DSL text.

    A JSON request is an object; a DSL document is a mapping under ``Workflow``, which YAML
    may also write in braces, so an object with that root key is read as the DSL.
    ``resolver_for`` gives the DSL's job types their step types (see ``parse_workflow_yaml``).
    """
    if text.lstrip().startswith("{"):
        data = parse_json(text)
        root = data.get("Workflow", data.get("workflow")) if isinstance(data, dict) else None
        if not (len(data) == 1 and isinstance(root, dict) and "jobs" in root):
            return data
    resolver = resolver_for(text) if resolver_for is not None else None
    return parse_workflow_yaml(text, resolve_step_type=resolver)


def check_request(
    request: WorkflowCreateRequest, settings: ValidationSettings | None = None
) -> None:
    """Raise a ValidationError listing every rule that ``request`` breaks."""
    errors = validate_request(request, settings)
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationError(
            f"Invalid workflow definition [{request.workflow.id}]: {len(errors)} {noun}: "
            f"{errors[0]}",
            errors,
        )
