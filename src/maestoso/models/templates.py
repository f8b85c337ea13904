"""Job templates (Maestro's ``JobTemplate``): reusable step params, named by a job type.

A template is keyed by its ``job_type`` (what a step names as its ``sub_type``, or a YAML job
as its ``type``) and a ``version`` (``default`` unless a step asks for another). It declares
the step type it runs on and params that steps of that type get as defaults, each with an
``internal_mode`` (REQUIRED, OPTIONAL, PROVIDED, RESERVED); ``inherit_from`` names other
templates (job type → version) whose params come first.

``BUILT_IN_TEMPLATES`` are the templates this server ships: one per step type it runs, at
version ``default``, so that a YAML job may say ``type: Shell`` as it says ``type: Http``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from maestoso.models.base import OpenMaestroModel
from maestoso.models.definition import GitInfo
from maestoso.models.naming import FIELD_SIZE_LIMIT, ID_LENGTH_LIMIT
from maestoso.models.steps import LEAF_STEP_TYPES, StepType
from maestoso.models.users import TagList, UserRef

DEFAULT_VERSION = "default"
"""The version of a template a step gets when it names none (Maestro's default)."""
VERSION_PARAM = "job_template_version"
"""The workflow param that picks the version of every step's template (Maestro's)."""

_REFERENCE_ID = re.compile(r"^[_a-zA-Z0-9][.\-_a-zA-Z0-9]*$")

REQUEST_RESERVED_KEYS = frozenset(
    {"owner", "status", "support", "test_workflows", "git_info", "definition"}
)
METADATA_RESERVED_KEYS = frozenset(
    {"owner", "version_author", "status", "support", "test_workflows", "git_info", "create_time"}
)


def check_reference(value: str) -> str:
    """A job type or a version: a reference id, as Maestro constrains them."""
    if not value:
        raise ValueError("must not be empty")
    if len(value) > ID_LENGTH_LIMIT:
        raise ValueError(f"[{value[:32]}...] is longer than {ID_LENGTH_LIMIT} characters")
    if not _REFERENCE_ID.match(value):
        raise ValueError(f"[{value}] does not match the pattern [_a-zA-Z0-9][.-_a-zA-Z0-9]*")
    return value


Reference = Annotated[str, AfterValidator(check_reference)]


class JobTemplateDefinition(OpenMaestroModel):
    """``JobTemplate.Definition``: what a template gives the steps that use it."""

    job_type: Reference
    step_type: StepType
    version: Reference = DEFAULT_VERSION
    description: str | None = Field(default=None, max_length=FIELD_SIZE_LIMIT)
    tags: TagList | None = None
    inherit_from: dict[Reference, Reference] | None = None
    params: dict[str, Any] | None = None
    """Param definitions as JSON: unlike a workflow's, an entry may be a placeholder with
    a type and an ``internal_mode`` but no value (a param the step must or may give)."""

    @model_validator(mode="after")
    def _leaf_step_type(self) -> JobTemplateDefinition:
        if self.step_type not in LEAF_STEP_TYPES:
            raise ValueError(
                f"step_type [{self.step_type.value}] is not a job's step type; expected one of "
                f"{sorted(t.value for t in LEAF_STEP_TYPES)}"
            )
        if self.extras:
            raise ValueError(f"unknown definition fields {sorted(self.extras)}")
        for name, param in (self.params or {}).items():
            if not isinstance(param, dict) or "type" not in param:
                raise ValueError(f"param [{name}] must be an object with a type")
        return self


class JobTemplateCreateRequest(OpenMaestroModel):
    """``POST /api/v3/job-templates``; unknown top-level keys are kept as extra info."""

    owner: UserRef
    status: str
    support: str
    test_workflows: list[str] | None = None
    git_info: GitInfo | None = None
    definition: JobTemplateDefinition

    @model_validator(mode="after")
    def _extra_keys(self) -> JobTemplateCreateRequest:
        reserved = sorted(METADATA_RESERVED_KEYS & self.extras.keys())
        if reserved:
            raise ValueError(f"extra info must not contain the reserved keys {reserved}")
        return self


def template_metadata(request: JobTemplateCreateRequest, author: Any, now: int) -> dict[str, Any]:
    """``JobTemplate.Metadata`` in Maestro's key order, its extra info last."""
    metadata: dict[str, Any] = {
        "owner": request.to_json()["owner"],
        "version_author": author,
        "status": request.status,
        "support": request.support,
    }
    if request.test_workflows is not None:
        metadata["test_workflows"] = list(request.test_workflows)
    if request.git_info is not None:
        metadata["git_info"] = request.git_info.to_json()
    metadata["create_time"] = now
    metadata.update(request.extras)
    return metadata


def _param(type_: str, mode: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    param: dict[str, Any] = {"type": type_}
    if value is not None:
        param["value"] = value
    param.update(extra)
    param["internal_mode"] = mode
    return param


def _built_in(step_type: StepType, description: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "job_type": step_type.value,
        "step_type": step_type.value,
        "version": DEFAULT_VERSION,
        "description": description,
        "tags": [{"name": "maestoso", "namespace": "JOB_TEMPLATE"}],
        "params": params,
    }


BUILT_IN_TEMPLATES: tuple[dict[str, Any], ...] = (
    _built_in(StepType.NOOP, "A step that does nothing.", {}),
    _built_in(
        StepType.SLEEP,
        "A step that waits sleep_seconds (3 by default).",
        {"sleep_seconds": _param("LONG", "OPTIONAL")},
    ),
    _built_in(
        StepType.SHELL,
        "A command run by sh -c on the server's machine (command: a string, or an array run "
        "as is); env and working_dir are optional.",
        {
            "env": _param("STRING_MAP", "OPTIONAL"),
            "working_dir": _param("STRING", "OPTIONAL"),
        },
    ),
    _built_in(
        StepType.PYTHON,
        "A function called in a child process on the server's machine (entrypoint: "
        "package.module:function); the step's other params are its keyword arguments, the "
        "dict it returns its output params; working_dir, env and interpreter are optional.",
        {
            "entrypoint": _param("STRING", "REQUIRED"),
            "env": _param("STRING_MAP", "OPTIONAL"),
            "working_dir": _param("STRING", "OPTIONAL"),
            "interpreter": _param("STRING", "OPTIONAL"),
        },
    ),
    _built_in(
        StepType.HTTP,
        "An HTTP call: http.url (required), method, headers, body; state_expr decides the outcome.",
        {
            "http": _param(
                "MAP",
                "REQUIRED",
                {
                    "url": _param("STRING", "REQUIRED"),
                    "method": _param("STRING", "OPTIONAL"),
                    "headers": _param("STRING_MAP", "OPTIONAL"),
                    "body": _param("STRING", "OPTIONAL"),
                    "state_expr": _param("STRING", "OPTIONAL"),
                },
            ),
        },
    ),
    _built_in(
        StepType.KUBERNETES,
        "A Kubernetes job: kubernetes.image (required), command, args, env, resources.",
        {
            "kubernetes": _param(
                "MAP",
                "REQUIRED",
                {
                    "image": _param("STRING", "REQUIRED"),
                    "app_name": _param("STRING", "OPTIONAL"),
                    "cpu": _param("STRING", "OPTIONAL"),
                    "memory": _param("STRING", "OPTIONAL"),
                    "disk": _param("STRING", "OPTIONAL"),
                    "gpu": _param("STRING", "OPTIONAL"),
                    "env": _param("STRING_MAP", "OPTIONAL"),
                    "owner_email": _param("STRING", "OPTIONAL"),
                },
            ),
        },
    ),
    _built_in(
        StepType.NOTEBOOK,
        "A Jupyter notebook run by papermill: notebook.input_path (required), output_path, "
        "papermill_arguments; here, or on Kubernetes with a kubernetes param.",
        {
            "notebook": _param(
                "MAP",
                "REQUIRED",
                {
                    "input_path": _param("STRING", "REQUIRED"),
                    "output_path": _param("STRING", "OPTIONAL"),
                    "init_command": _param("STRING", "OPTIONAL"),
                    "papermill_arguments": _param("STRING_ARRAY", "OPTIONAL"),
                },
            ),
        },
    ),
)
"""The templates shipped with the server (``metadata`` is added where they are served)."""

BUILT_IN_STEP_TYPES = frozenset(
    str(template["job_type"]).casefold() for template in BUILT_IN_TEMPLATES
)
