"""The job types of a YAML DSL document that name job templates, and their resolution.

Maestro's parser asks a resolver for the step type of every job whose ``type`` is not a step
type. The templates live in the store (asynchronous) and the parser is synchronous, so the
server resolves in two passes: ``template_jobs`` lists the ``(type, type_version)`` pairs a
document asks about, the caller looks each up, and ``resolver_of`` answers from what it found.
"""

from __future__ import annotations

from collections.abc import Mapping

from maestoso.dsl.yaml_dsl import StepTypeResolver, parse_workflow_yaml
from maestoso.errors import ValidationError

JobType = tuple[str, str | None]
"""A job's ``type`` and ``type_version`` (None when it gives none)."""


def template_jobs(text: str) -> set[JobType]:
    """Every ``(type, type_version)`` of a job whose type is not a step type."""
    asked: set[JobType] = set()

    def record(job_type: str, version: str | None) -> str:
        asked.add((job_type, version))
        return "NoOp"

    try:
        parse_workflow_yaml(text, resolve_step_type=record)
    except ValidationError:
        pass  # reported by the real parse; the jobs read so far are still worth resolving
    return asked


def resolver_of(found: Mapping[JobType, str | None]) -> StepTypeResolver:
    """A resolver answering from ``found`` (job type and version → step type, or None)."""

    def resolve(job_type: str, version: str | None) -> str | None:
        return found.get((job_type, version))

    return resolve
