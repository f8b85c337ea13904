"""Job templates: the catalog the API writes and the engine reads (Maestro's
``JobTemplateController``, ``MaestroJobTemplateDao`` and ``JobTemplateManager``).

A step with a ``sub_type`` (a YAML job whose ``type`` is not a step type) takes the params of
the template of that job type as defaults: the template's ancestors (``inherit_from``) first,
then the template, then the workflow's params of the same names, all under the step's own
params (``params.merge_step_params``, layer TEMPLATE_SCHEMA). The version is the step's
``sub_type_version``, else the workflow param ``job_template_version``, else ``default``.

Templates stored by users come first; the built-in ones (``models.templates``) answer for
their job type (in any case) at version ``default`` when no stored one does. Reads are cached
for a minute (Maestro's ``job-template-cache.cache-ttl``); this node's own writes clear it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from maestoso.dsl.requests import parse_model
from maestoso.dsl.yaml_dsl import StepTypeResolver
from maestoso.dsl.yaml_types import JobType, resolver_of, template_jobs
from maestoso.errors import NotFoundError, ValidationError
from maestoso.models import ParamDefinition, ParamType, Step, UserRef
from maestoso.models.templates import (
    BUILT_IN_TEMPLATES,
    DEFAULT_VERSION,
    VERSION_PARAM,
    JobTemplateCreateRequest,
    JobTemplateDefinition,
    template_metadata,
)
from maestoso.models.users import tag_name
from maestoso.params import Layer, ParamError, Parameter, ParamSource
from maestoso.params.merge import merge_into
from maestoso.params.parameter import read_definition
from maestoso.store.templates import JobTemplateRow, JobTemplateStore

CACHE_SECONDS = 60.0
_BUILT_IN_TIME = 0
_BUILT_IN_OWNER = "maestoso"


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a step gets from its template chain: params (to merge under its own) and tags."""

    params: dict[str, ParamDefinition]
    tags: list[Any]


def _built_in_rows(definitions: Iterable[Mapping[str, Any]]) -> dict[str, JobTemplateRow]:
    rows = {}
    for definition in definitions:
        metadata = {
            "owner": _BUILT_IN_OWNER,
            "version_author": _BUILT_IN_OWNER,
            "status": "built-in",
            "support": "https://github.com/maestoso",
            "create_time": _BUILT_IN_TIME,
        }
        job_type = str(definition["job_type"])
        rows[job_type.casefold()] = JobTemplateRow(
            job_type=job_type,
            version=DEFAULT_VERSION,
            metadata=metadata,
            definition=dict(definition),
            create_time=_BUILT_IN_TIME,
        )
    return rows


BUILT_IN = _built_in_rows(BUILT_IN_TEMPLATES)


def plugin_template(step_type: str) -> dict[str, Any]:
    """The template a plugin's step type gets, so that a YAML job may name it (any case)."""
    return {
        "job_type": step_type,
        "step_type": step_type,
        "version": DEFAULT_VERSION,
        "description": "A step type an installed plugin provides (docs/plugins.md).",
        "tags": [{"name": "plugin", "namespace": "JOB_TEMPLATE"}],
        "params": {},
    }


def template_json(row: JobTemplateRow) -> dict[str, Any]:
    """``JobTemplate``: ``{"metadata", "definition"}``."""
    return {"metadata": row.metadata, "definition": row.definition}


def schema_params(raw: Mapping[str, Any] | None, where: str = "") -> dict[str, ParamDefinition]:
    """A template's params as definitions; an entry may be a placeholder (no value) at any
    depth of a MAP. ``ValidationError`` names the first param that is not a definition."""
    params: dict[str, ParamDefinition] = {}
    for name, data in (raw or {}).items():
        path = f"{where}{name}"
        try:
            params[name] = _schema_param(name, data, path)
        except ParamError as exc:
            raise ValidationError(
                f"Invalid job template param [{path}]: {exc.message}", [exc.message]
            ) from None
    return params


def _schema_param(name: str, data: Any, path: str) -> ParamDefinition:
    if not isinstance(data, dict) or "type" not in data:
        raise ParamError(f"param [{path}] must be an object with a type")
    try:
        kind = ParamType(data["type"])
    except ValueError:
        raise ParamError(f"param [{path}] has an unknown type [{data['type']}]") from None
    value = data.get("value")
    if kind is ParamType.MAP and isinstance(value, dict):
        nested = {key: _schema_param(key, item, f"{path}.{key}") for key, item in value.items()}
        shell = read_definition(name, {**data, "value": {}})
        return shell.model_copy(update={"value": nested})
    return read_definition(name, data)


def _version_of(step: Step, workflow_params: Mapping[str, Parameter]) -> str:
    version = getattr(step, "sub_type_version", None)
    if version is None and VERSION_PARAM in workflow_params:
        result = workflow_params[VERSION_PARAM].evaluated_result
        version = None if result is None else str(result)
    return version or DEFAULT_VERSION


class JobTemplates:
    """The job-template catalog over the store."""

    def __init__(
        self,
        store: JobTemplateStore,
        *,
        plugin_step_types: Iterable[str] = (),
        cache_seconds: float = CACHE_SECONDS,
    ) -> None:
        self._store = store
        self._built_in = {
            **_built_in_rows(plugin_template(name) for name in plugin_step_types),
            **BUILT_IN,
        }
        self._cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, JobTemplateRow | None]] = {}

    # -- the API -----------------------------------------------------------------------------

    async def upsert(self, body: Any, caller: UserRef, now: int) -> dict[str, Any]:
        """Create or replace the template version the body defines; returns it."""
        request = parse_model(JobTemplateCreateRequest, body)
        definition = request.definition.to_json()
        schema_params(definition.get("params"))  # every param must be a definition
        author = caller if isinstance(caller, str) else caller.to_json()
        row = JobTemplateRow(
            job_type=request.definition.job_type,
            version=request.definition.version,
            metadata=template_metadata(request, author, now),
            definition=_definition_json(request.definition, definition),
            create_time=now,
        )
        await self._store.save_job_template(row)
        self._forget(row.job_type)
        return template_json(row)

    async def get(self, job_type: str, version: str) -> dict[str, Any]:
        row = await self.find(job_type, version)
        if row is None:
            raise NotFoundError(
                f"No job template found for job_type [{job_type}] and version [{version}]"
            )
        return template_json(row)

    async def list_all(self, version: str) -> list[dict[str, Any]]:
        """Every template at ``version``; at ``default`` the built-ins not stored over."""
        rows = await self._store.list_job_templates(version)
        if version == DEFAULT_VERSION:
            stored = {row.job_type.casefold() for row in rows}
            rows += [row for key, row in self._built_in.items() if key not in stored]
        return [template_json(row) for row in rows]

    async def remove(self, job_type: str, version: str | None) -> str:
        removed = await self._store.delete_job_templates(job_type, version)
        self._forget(job_type)
        shown = "null" if version is None else version
        return f"Removed [{removed}] job template versions for job type: [{job_type}][{shown}]"

    # -- resolution --------------------------------------------------------------------------

    async def find(self, job_type: str, version: str | None) -> JobTemplateRow | None:
        """The stored template, else the built-in one of that job type at ``default``."""
        version = version or DEFAULT_VERSION
        key = (job_type, version)
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        row = await self._store.get_job_template(job_type, version)
        if row is None and version == DEFAULT_VERSION:
            row = self._built_in.get(job_type.casefold())
        self._cache[key] = (time.monotonic(), row)
        return row

    async def step_type(self, job_type: str, version: str | None) -> str | None:
        """The step type of a template (for the YAML DSL), or None if there is none."""
        row = await self.find(job_type, version)
        step_type = None if row is None else row.definition.get("step_type")
        return str(step_type) if step_type else None

    async def resolve(self, step: Step, workflow_params: Mapping[str, Parameter]) -> Resolved:
        """The params and tags the step's template chain gives it (none without a
        ``sub_type``, or when no template has it, as in Maestro). ``ValidationError`` when the
        template is for another step type or its ancestors form a cycle."""
        sub_type = getattr(step, "sub_type", None)
        if not sub_type:
            return Resolved({}, [])
        version = _version_of(step, workflow_params)
        top = await self.find(sub_type, version)
        if top is None:
            return Resolved({}, [])
        step_type = str(top.definition.get("step_type", ""))
        if step_type.casefold() != step.kind.casefold():
            raise ValidationError(
                f"Job template definition step type [{step_type}] does not match the current "
                f"step type [{step.kind}]"
            )
        chain: list[JobTemplateRow] = []
        await self._ancestors(step, top, version, chain, set())
        chain.append(top)
        return Resolved(_merged(chain, workflow_params), _tags(chain))

    async def _ancestors(
        self,
        step: Step,
        row: JobTemplateRow,
        version: str,
        chain: list[JobTemplateRow],
        visiting: set[str],
    ) -> None:
        for job_type, parent_version in (row.definition.get("inherit_from") or {}).items():
            if job_type in visiting or job_type == row.job_type:
                raise ValidationError(
                    f"Cyclic dependency detected for step [{step.id}][{step.kind}]"
                    f"[{getattr(step, 'sub_type', None)}] when inheriting job type [{job_type}]"
                )
            parent = await self.find(job_type, parent_version or version)
            if parent is None:
                continue
            visiting.add(job_type)
            await self._ancestors(step, parent, version, chain, visiting)
            visiting.discard(job_type)
            chain.append(parent)

    def _forget(self, job_type: str) -> None:
        for key in [key for key in self._cache if key[0] == job_type]:
            del self._cache[key]


def _definition_json(model: JobTemplateDefinition, data: dict[str, Any]) -> dict[str, Any]:
    """The definition in Maestro's key order, with its version always written."""
    order = ("job_type", "step_type", "version", "description", "tags", "inherit_from", "params")
    data = {**data, "version": model.version}
    return {key: data[key] for key in order if key in data}


def _merged(
    chain: list[JobTemplateRow], workflow_params: Mapping[str, Parameter]
) -> dict[str, ParamDefinition]:
    """The chain's params, later templates over earlier ones, then the workflow's params
    of the same names (Maestro's ``mergeWorkflowParamsIntoSchemaParams``). Placeholders stay
    (the step's merge fills or drops them)."""
    params: dict[str, ParamDefinition] = {}
    for row in chain:
        params.update(schema_params(row.definition.get("params")))
    overrides = {
        name: param.to_definition() for name, param in workflow_params.items() if name in params
    }
    if overrides:
        merge_into(params, overrides, Layer(None, ParamSource.WORKFLOW_PARAMETER, upstream=True))
    return params


def _tags(chain: list[JobTemplateRow]) -> list[Any]:
    tags: dict[str, Any] = {}
    for row in chain:
        for tag in row.definition.get("tags") or []:
            tags[tag_name(tag if isinstance(tag, str) else _tag_name(tag))] = tag
    return list(tags.values())


def _tag_name(tag: Mapping[str, Any]) -> str:
    return str(tag.get("name", ""))


async def yaml_resolver(templates: JobTemplates, text: str) -> StepTypeResolver:
    """A resolver of the job types a YAML DSL document names, from the catalog."""
    found: dict[JobType, str | None] = {}
    for job_type, version in template_jobs(text):
        found[(job_type, version)] = await templates.step_type(job_type, version)
    return resolver_of(found)
