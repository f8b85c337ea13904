"""Job templates: an upsert by (job type, version), reads by version, deletes of one or all."""

from __future__ import annotations

import json

from tests.corpus import require, shared_dir

from maestoso.store import Store
from maestoso.store.templates import JobTemplateRow

T0 = 1_700_000_000_000
FIXTURE = shared_dir() / "maestro-samples" / "fixtures" / "job_template.json"


def template(
    job_type: str, version: str, *, description: str = "d", at: int = T0
) -> JobTemplateRow:
    definition = {
        "job_type": job_type,
        "step_type": "Shell",
        "version": version,
        "description": description,
        "params": {"command": {"value": "echo ${who}", "type": "STRING"}},
    }
    return JobTemplateRow(
        job_type=job_type,
        version=version,
        metadata={"owner": "tester", "version_author": "tester", "create_time": at},
        definition=definition,
        create_time=at,
    )


async def test_a_template_is_kept_as_given_and_replaced_by_its_key(store: Store) -> None:
    await store.save_job_template(template("greet", "v1"))
    await store.save_job_template(template("greet", "v1", description="again", at=T0 + 1))

    found = await store.get_job_template("greet", "v1")

    assert found is not None
    assert found.definition["description"] == "again"
    assert found.create_time == T0 + 1
    assert found.definition["params"] == {"command": {"value": "echo ${who}", "type": "STRING"}}
    assert await store.get_job_template("greet", "v2") is None
    assert await store.get_job_template("Greet", "v1") is None  # case-sensitive, as Maestro


async def test_maestros_stored_template_comes_back_unchanged(store: Store) -> None:
    require(FIXTURE.parent)
    fixture = json.loads(FIXTURE.read_text())
    definition = fixture["definition"]
    row = JobTemplateRow(
        job_type=definition["job_type"],
        version=definition["version"],
        metadata=fixture["metadata"],
        definition=definition,
        create_time=fixture["metadata"]["create_time"],
    )
    await store.save_job_template(row)

    found = await store.get_job_template("shell", "v1")

    assert found == row
    assert list(found.definition) == list(definition)  # key order kept


async def test_templates_are_listed_by_version_and_removed_one_or_all(store: Store) -> None:
    for job_type, version in (("b", "default"), ("a", "default"), ("a", "v2"), ("c", "v2")):
        await store.save_job_template(template(job_type, version))

    assert [row.job_type for row in await store.list_job_templates("default")] == ["a", "b"]
    assert [row.job_type for row in await store.list_job_templates("v2")] == ["a", "c"]
    assert await store.list_job_templates("v9") == []

    assert await store.delete_job_templates("a", "v2") == 1
    assert await store.delete_job_templates("a", "v2") == 0
    await store.save_job_template(template("a", "v3"))
    assert await store.delete_job_templates("a", None) == 2
    assert await store.get_job_template("a", "default") is None
    assert [row.job_type for row in await store.list_job_templates("default")] == ["b"]
