"""Loading a definition from a file: Maestro's JSON create request or the YAML DSL."""

from __future__ import annotations

from pathlib import Path

from maestoso.dsl.requests import parse_json, parse_model
from maestoso.dsl.validation import ValidationSettings, validate_request
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.errors import ValidationError
from maestoso.models import WorkflowCreateRequest


def load_request(path: Path) -> WorkflowCreateRequest:
    """Parse a ``.json`` create request or a ``.yaml``/``.yml`` DSL file (by its suffix)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}", [str(path)]) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        data = parse_workflow_yaml(text)
    else:
        data = parse_json(text)
    return parse_model(WorkflowCreateRequest, data)


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
