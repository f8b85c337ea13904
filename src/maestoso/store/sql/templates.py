"""Job templates: an upsert by ``(job_type, version)``, reads and deletes."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import RowMapping

from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.tables_templates import maestro_job_template
from maestoso.store.templates import JobTemplateRow

_jt = maestro_job_template


class TemplateMethods(SqlBase):
    """The job-template part of ``SqlStore``."""

    async def save_job_template(self, row: JobTemplateRow) -> None:
        statement = upsert(self._dialect, _jt).values(
            job_type=row.job_type,
            version=row.version,
            metadata=row.metadata,
            definition=row.definition,
            create_ts=row.create_time,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_jt.c.job_type, _jt.c.version],
            set_={
                "metadata": statement.excluded.metadata,
                "definition": statement.excluded.definition,
                "create_ts": statement.excluded.create_ts,
            },
        )
        async with self._writing() as connection:
            await connection.execute(statement)

    async def get_job_template(self, job_type: str, version: str) -> JobTemplateRow | None:
        query = select(_jt).where(_jt.c.job_type == job_type, _jt.c.version == version)
        async with self._reading() as connection:
            row = (await connection.execute(query)).mappings().first()
        return None if row is None else _template(row)

    async def list_job_templates(self, version: str) -> list[JobTemplateRow]:
        query = select(_jt).where(_jt.c.version == version).order_by(_jt.c.job_type)
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_template(row) for row in rows]

    async def delete_job_templates(self, job_type: str, version: str | None) -> int:
        statement = delete(_jt).where(_jt.c.job_type == job_type)
        if version is not None:
            statement = statement.where(_jt.c.version == version)
        async with self._writing() as connection:
            return int((await connection.execute(statement)).rowcount or 0)


def _template(row: RowMapping) -> JobTemplateRow:
    return JobTemplateRow(
        job_type=row["job_type"],
        version=row["version"],
        metadata=row["metadata"],
        definition=row["definition"],
        create_time=row["create_ts"],
    )
