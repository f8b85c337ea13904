"""Job templates in the store (``maestro_job_template``): a row per job type and version.

The store keeps a template's metadata and definition as the documents they are; it neither
parses nor validates them (the engine's template service does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class JobTemplateRow:
    """One version of a job template."""

    job_type: str
    version: str
    metadata: dict[str, Any]
    """``JobTemplate.Metadata``: owner, version author, status, support, create time…"""
    definition: dict[str, Any]
    """``JobTemplate.Definition``: job type, step type, version, tags, inherit_from, params."""
    create_time: int


class JobTemplateStore(Protocol):
    """Job templates, keyed by ``(job_type, version)`` (both case-sensitive, as in Maestro)."""

    async def save_job_template(self, row: JobTemplateRow) -> None:
        """Insert the template, or replace the one of the same job type and version."""
        ...

    async def get_job_template(self, job_type: str, version: str) -> JobTemplateRow | None:
        """One version of a template, or None."""
        ...

    async def list_job_templates(self, version: str) -> list[JobTemplateRow]:
        """Every template stored at ``version``, by job type."""
        ...

    async def delete_job_templates(self, job_type: str, version: str | None) -> int:
        """Remove one version of a template (every version when ``version`` is None); how
        many were removed."""
        ...
