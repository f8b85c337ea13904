"""Job templates in memory."""

from __future__ import annotations

from maestoso.store.memory.base import MemoryBase, copied, round_trip
from maestoso.store.templates import JobTemplateRow


class TemplateMethods(MemoryBase):
    """The ``JobTemplateStore`` part of ``MemoryStore``."""

    async def save_job_template(self, row: JobTemplateRow) -> None:
        await round_trip()
        self._tables.job_templates[(row.job_type, row.version)] = copied(row)

    async def get_job_template(self, job_type: str, version: str) -> JobTemplateRow | None:
        await round_trip()
        return copied(self._tables.job_templates.get((job_type, version)))

    async def list_job_templates(self, version: str) -> list[JobTemplateRow]:
        await round_trip()
        rows = [row for key, row in self._tables.job_templates.items() if key[1] == version]
        return copied(sorted(rows, key=lambda row: row.job_type))

    async def delete_job_templates(self, job_type: str, version: str | None) -> int:
        await round_trip()
        doomed = [
            key
            for key in self._tables.job_templates
            if key[0] == job_type and (version is None or key[1] == version)
        ]
        for key in doomed:
            del self._tables.job_templates[key]
        return len(doomed)
