"""The SQL store against real SQLite and PostgreSQL databases: every method of the port."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from tests.contract.support import Stores, row_counts

from maestoso.errors import ConflictError, NotFoundError
from maestoso.store import Store
from maestoso.store.records import NewVersion, PropertiesChange, TimelineEntry

T0 = 1_700_000_000_000
USER = {"name": "tester", "extra_info": {}}


def snapshot(workflow_id: str, create_time: int, **fields: Any) -> dict[str, Any]:
    return {"workflow_id": workflow_id, "create_time": create_time, "owner": USER, **fields}


def entry(workflow_id: str, create_time: int, log: str) -> TimelineEntry:
    event = {"author": USER, "log": log, "timestamp": create_time}
    return TimelineEntry(workflow_id=workflow_id, create_time=create_time, event=event)


def version(
    workflow_id: str,
    version_id: int,
    *,
    create_time: int | None = None,
    activate: bool = False,
    definition: dict[str, Any] | None = None,
    change: dict[str, Any] | None = None,
) -> NewVersion:
    """A new version whose create time, snapshot and timeline entry derive from its id."""
    at = create_time if create_time is not None else T0 + version_id * 1000
    return NewVersion(
        workflow_id=workflow_id,
        version_id=version_id,
        metadata={"workflow_id": workflow_id, "workflow_version_id": version_id},
        definition=definition or {"id": workflow_id, "steps": [{"step": {"id": "job1"}}]},
        trigger_uuids=None,
        create_time=at,
        activate=activate,
        activated_by=USER,
        properties_snapshot=snapshot(workflow_id, at),
        properties_change=None
        if change is None
        else PropertiesChange(
            workflow_id=workflow_id,
            create_time=at,
            author=USER,
            properties_changes=change,
            previous_snapshot=None,
        ),
        timeline=[entry(workflow_id, at, f"Created version {version_id}")],
    )


# -- versions ------------------------------------------------------------------------------------


async def test_first_version_creates_the_workflow(store: Store) -> None:
    new = version("wf-a", 1, activate=True, change={"owner": USER})

    row = await store.save_version(new)

    assert row.workflow_id == "wf-a"
    assert row.internal_id == 10000
    assert (row.latest_version_id, row.active_version_id, row.latest_instance_id) == (1, 1, 0)
    assert (row.activate_time, row.activated_by) == (new.create_time, USER)
    assert (row.properties_snapshot, row.modify_time) == (new.properties_snapshot, new.create_time)
    assert await store.get_workflow("wf-a") == row
    stored = await store.get_version("wf-a", 1)
    assert stored is not None
    assert (stored.metadata, stored.definition) == (new.metadata, new.definition)
    assert (stored.trigger_uuids, stored.create_time) == (None, new.create_time)
    assert [c.properties_changes for c in await store.list_properties_changes("wf-a")] == [
        {"owner": USER}
    ]
    assert await store.list_timeline("wf-a", limit=10) == new.timeline


async def test_an_inactive_first_version(store: Store) -> None:
    row = await store.save_version(version("wf-a", 1))

    assert (row.active_version_id, row.activate_time, row.activated_by) == (0, None, None)


async def test_missing_rows_are_none(store: Store) -> None:
    await store.save_version(version("wf-a", 1))

    assert await store.get_workflow("wf-b") is None
    assert await store.get_version("wf-a", 2) is None
    assert await store.get_version("wf-b", 1) is None


async def test_versions_follow_each_other(store: Store) -> None:
    await store.save_version(version("wf-a", 1, activate=True))
    await store.save_version(version("wf-a", 2))
    row = await store.save_version(version("wf-a", 3, definition={"id": "wf-a", "v": 3}))

    assert (row.latest_version_id, row.active_version_id) == (3, 1)
    assert row.properties_snapshot == snapshot("wf-a", T0 + 3000)
    assert row.modify_time == T0 + 3000
    stored = await store.get_version("wf-a", 3)
    assert stored is not None and stored.definition == {"id": "wf-a", "v": 3}


async def test_a_new_version_can_activate_itself(store: Store) -> None:
    await store.save_version(version("wf-a", 1, activate=True))

    row = await store.save_version(version("wf-a", 2, activate=True))

    assert (row.active_version_id, row.activate_time) == (2, T0 + 2000)


async def test_a_stale_version_id_conflicts_and_writes_nothing(store: Store) -> None:
    await store.save_version(version("wf-a", 1))
    await store.save_version(version("wf-a", 2))
    before = await row_counts(store, "wf-a")
    workflow = await store.get_workflow("wf-a")

    for stale in (version("wf-a", 2, change={"x": 1}), version("wf-a", 4), version("wf-a", 1)):
        with pytest.raises(ConflictError):
            await store.save_version(stale)

    assert await row_counts(store, "wf-a") == before
    assert await store.get_workflow("wf-a") == workflow


async def test_a_later_version_of_an_unknown_workflow_conflicts(store: Store) -> None:
    with pytest.raises(ConflictError, match="does not exist"):
        await store.save_version(version("wf-a", 2))

    assert await store.get_workflow("wf-a") is None


async def test_version_ids_start_at_one(store: Store) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        await store.save_version(version("wf-a", 0))


async def test_internal_ids_start_at_10000_and_are_never_reused(store: Store) -> None:
    first = await store.save_version(version("wf-a", 1))
    second = await store.save_version(version("wf-b", 1))
    await store.delete_workflow("wf-b")

    again = await store.save_version(version("wf-b", 1))

    assert (first.internal_id, second.internal_id, again.internal_id) == (10000, 10001, 10002)


# -- races ---------------------------------------------------------------------------------------


async def _race(saves: list[Any]) -> tuple[list[Any], list[BaseException]]:
    results = await asyncio.gather(*saves, return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    return won, lost


async def test_concurrent_saves_of_one_version_have_one_winner(store: Store) -> None:
    await store.save_version(version("wf-a", 1))
    rivals = [
        version("wf-a", 2, create_time=T0 + 5000 + i, definition={"rival": i}, change={"n": i})
        for i in range(8)
    ]

    won, lost = await _race([store.save_version(rival) for rival in rivals])

    assert len(won) == 1 and len(lost) == 7
    assert all(isinstance(error, ConflictError) for error in lost)
    winner = next(r for r in rivals if r.create_time == won[0].modify_time)
    stored = await store.get_version("wf-a", 2)
    assert stored is not None and stored.definition == winner.definition
    changes = await store.list_properties_changes("wf-a")
    assert [c.create_time for c in changes] == [winner.create_time]
    timeline = await store.list_timeline("wf-a", limit=100)
    assert [e.create_time for e in timeline] == [winner.create_time, T0 + 1000]


async def test_concurrent_creations_of_one_workflow_have_one_winner(store: Store) -> None:
    rivals = [version("wf-a", 1, definition={"rival": i}) for i in range(6)]

    won, lost = await _race([store.save_version(rival) for rival in rivals])

    assert len(won) == 1
    assert len(lost) == 5 and all(isinstance(error, ConflictError) for error in lost)
    assert (await row_counts(store, "wf-a"))["maestro_workflow_version"] == 1


async def test_two_stores_on_one_database_write_concurrently(stores: Stores) -> None:
    # Two stores stand for two processes: on SQLite they share only the file's lock.
    handles = [await stores.open() for _ in range(2)]
    ids = [f"wf-{n}" for n in range(6)]
    for workflow_id in ids:
        await handles[0].save_version(version(workflow_id, 1))

    saves = [
        handles[(n + v) % 2].save_version(version(workflow_id, v))
        for v in range(2, 6)
        for n, workflow_id in enumerate(ids)
    ]
    won, lost = await _race(saves)

    # Versions of one workflow race each other; whichever lost, none failed otherwise.
    assert all(isinstance(error, ConflictError) for error in lost), lost
    for workflow_id in ids:
        row = await handles[1].get_workflow(workflow_id)
        assert row is not None
        page = await handles[1].list_versions(workflow_id, cursor=None, limit=10, descending=False)
        assert [v.version_id for v in page.rows] == list(range(1, row.latest_version_id + 1))
    assert len(won) + len(lost) == len(saves)


async def test_two_stores_read_then_write_concurrently(stores: Stores) -> None:
    # Activation reads the workflow before writing it: on SQLite a transaction that began
    # as a reader could not take the write lock when another connection holds it.
    handles = [await stores.open() for _ in range(2)]
    for version_id in (1, 2, 3):
        await handles[0].save_version(version("wf-a", version_id))

    await asyncio.gather(
        *(
            handles[n % 2].set_active_version(
                "wf-a", version_id=n % 4, activated_by=USER, activate_time=T0 + n, timeline=[]
            )
            for n in range(24)
        )
    )

    workflow = await handles[1].get_workflow("wf-a")
    assert workflow is not None and workflow.latest_version_id == 3


# -- listing -------------------------------------------------------------------------------------


async def test_versions_page_both_ways(store: Store) -> None:
    for version_id in range(1, 8):
        await store.save_version(version("wf-a", version_id))

    async def ids(cursor: int | None, descending: bool) -> list[int]:
        page = await store.list_versions("wf-a", cursor=cursor, limit=3, descending=descending)
        assert page.total_count == 7
        return [row.version_id for row in page.rows]

    assert [await ids(c, True) for c in (None, 5, 2)] == [[7, 6, 5], [4, 3, 2], [1]]
    assert [await ids(c, False) for c in (None, 3, 6)] == [[1, 2, 3], [4, 5, 6], [7]]
    assert await ids(1, True) == []
    assert await ids(7, False) == []


async def test_versions_of_an_unknown_workflow(store: Store) -> None:
    page = await store.list_versions("nope", cursor=None, limit=10, descending=True)

    assert (page.rows, page.total_count) == ([], 0)


async def test_the_timeline_is_most_recent_first(store: Store) -> None:
    await store.save_version(version("wf-a", 1))
    await store.save_version(version("wf-a", 2))
    await store.set_active_version(
        "wf-a",
        version_id=2,
        activated_by=USER,
        activate_time=T0 + 9000,
        timeline=[entry("wf-a", T0 + 9000, "Activated"), entry("wf-a", T0 + 9000, "Activated")],
    )

    timeline = await store.list_timeline("wf-a", limit=10)
    latest = await store.list_timeline("wf-a", limit=2)

    # The same event at the same time was written twice and kept once.
    assert [e.event["log"] for e in timeline] == [
        "Activated",
        "Created version 2",
        "Created version 1",
    ]
    assert latest == timeline[:2]


# -- properties ----------------------------------------------------------------------------------


def properties_change(workflow_id: str, at: int, changes: dict[str, Any]) -> PropertiesChange:
    return PropertiesChange(
        workflow_id=workflow_id,
        create_time=at,
        author=USER,
        properties_changes=changes,
        previous_snapshot=snapshot(workflow_id, T0 + 1000),
    )


async def test_properties_are_compared_and_set(store: Store) -> None:
    await store.save_version(version("wf-a", 1))
    new_snapshot = snapshot("wf-a", T0 + 5000, step_concurrency=3)

    row = await store.update_properties(
        "wf-a",
        snapshot=new_snapshot,
        change=properties_change("wf-a", T0 + 5000, {"step_concurrency": 3}),
        expected_snapshot_time=T0 + 1000,
        timeline=[entry("wf-a", T0 + 5000, "Updated properties")],
    )

    assert (row.properties_snapshot, row.modify_time) == (new_snapshot, T0 + 5000)
    assert await store.get_workflow("wf-a") == row
    changes = await store.list_properties_changes("wf-a")
    assert [(c.create_time, c.properties_changes) for c in changes] == [
        (T0 + 5000, {"step_concurrency": 3})
    ]
    assert changes[0].previous_snapshot == snapshot("wf-a", T0 + 1000)
    assert (await store.list_timeline("wf-a", limit=1))[0].event["log"] == "Updated properties"


async def test_properties_from_a_stale_snapshot_conflict(store: Store) -> None:
    await store.save_version(version("wf-a", 1))
    await store.save_version(version("wf-a", 2))  # its snapshot is of T0 + 2000
    before = await row_counts(store, "wf-a")

    with pytest.raises(ConflictError):
        await store.update_properties(
            "wf-a",
            snapshot=snapshot("wf-a", T0 + 5000),
            change=properties_change("wf-a", T0 + 5000, {"description": "x"}),
            expected_snapshot_time=T0 + 1000,
            timeline=[entry("wf-a", T0 + 5000, "Updated properties")],
        )

    assert await row_counts(store, "wf-a") == before
    workflow = await store.get_workflow("wf-a")
    assert workflow is not None and workflow.properties_snapshot == snapshot("wf-a", T0 + 2000)


async def test_properties_of_an_unknown_workflow(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.update_properties(
            "nope",
            snapshot=snapshot("nope", T0),
            change=properties_change("nope", T0, {}),
            expected_snapshot_time=T0,
            timeline=[],
        )


async def test_properties_changes_are_oldest_first(store: Store) -> None:
    await store.save_version(version("wf-a", 1, change={"n": 1}))
    await store.update_properties(
        "wf-a",
        snapshot=snapshot("wf-a", T0 + 1500),
        change=properties_change("wf-a", T0 + 1500, {"n": 2}),
        expected_snapshot_time=T0 + 1000,
        timeline=[],
    )
    await store.save_version(version("wf-a", 2, change={"n": 3}))

    changes = await store.list_properties_changes("wf-a")

    assert [c.properties_changes["n"] for c in changes] == [1, 2, 3]


# -- activation ----------------------------------------------------------------------------------


async def test_activation_and_deactivation(store: Store) -> None:
    await store.save_version(version("wf-a", 1))
    await store.save_version(version("wf-a", 2))
    admin = {"name": "admin"}

    active = await store.set_active_version(
        "wf-a",
        version_id=1,
        activated_by=admin,
        activate_time=T0 + 7000,
        timeline=[entry("wf-a", T0 + 7000, "Activated version 1")],
    )
    inactive = await store.set_active_version(
        "wf-a", version_id=0, activated_by=USER, activate_time=T0 + 8000, timeline=[]
    )

    assert (active.active_version_id, active.activate_time, active.activated_by) == (
        1,
        T0 + 7000,
        admin,
    )
    assert (active.latest_version_id, active.modify_time) == (2, T0 + 7000)
    assert (inactive.active_version_id, inactive.modify_time) == (0, T0 + 8000)
    assert await store.get_workflow("wf-a") == inactive
    assert (await store.list_timeline("wf-a", limit=1))[0].event["log"] == "Activated version 1"


async def test_activating_what_does_not_exist(store: Store) -> None:
    await store.save_version(version("wf-a", 1))

    with pytest.raises(NotFoundError, match="no version 2"):
        await store.set_active_version(
            "wf-a", version_id=2, activated_by=USER, activate_time=T0, timeline=[]
        )
    with pytest.raises(NotFoundError, match="does not exist"):
        await store.set_active_version(
            "nope", version_id=1, activated_by=USER, activate_time=T0, timeline=[]
        )
    workflow = await store.get_workflow("wf-a")
    assert workflow is not None and workflow.active_version_id == 0


# -- deletion ------------------------------------------------------------------------------------


async def test_delete_removes_every_row_of_the_workflow(store: Store) -> None:
    for workflow_id in ("wf-a", "wf-b"):
        await store.save_version(version(workflow_id, 1, activate=True, change={"a": 1}))
        await store.save_version(version(workflow_id, 2, change={"a": 2}))
    kept = await row_counts(store, "wf-b")

    assert await store.delete_workflow("wf-a") is True

    assert set((await row_counts(store, "wf-a")).values()) == {0}
    assert await row_counts(store, "wf-b") == kept
    assert await store.get_workflow("wf-a") is None
    assert await store.delete_workflow("wf-a") is False


# -- documents -----------------------------------------------------------------------------------

DOCUMENT: dict[str, Any] = {
    "zeta": 1,
    "alpha": {"é": "ünïcödé ✓ 漢字 🎼", "b": [1, 2.5, -0.0, True, None, "x"], "a": {}},
    "large": 2**63 + 1,
    "negative": -(2**70),
    "float": 1.5e300,
    "nested": {"z": {"y": {"x": [[], [{}], {"k": "v"}]}}, "a": ""},
    "10": "keys that sort differently as text and as numbers",
    "2": None,
}


def exact(value: Any) -> str:
    """A value's JSON text, key order included: equal only if round-tripped exactly."""
    return json.dumps(value, ensure_ascii=False)


async def test_documents_round_trip_exactly(store: Store) -> None:
    new = replace(
        version("wf-a", 1, activate=True),
        metadata=DOCUMENT,
        definition=DOCUMENT,
        trigger_uuids=DOCUMENT,
        activated_by=DOCUMENT,
        properties_snapshot={"create_time": T0, **DOCUMENT},
        properties_change=properties_change("wf-a", T0, DOCUMENT),
        timeline=[TimelineEntry(workflow_id="wf-a", create_time=T0, event=DOCUMENT)],
    )
    await store.save_version(new)

    workflow = await store.get_workflow("wf-a")
    stored = await store.get_version("wf-a", 1)
    (change,) = await store.list_properties_changes("wf-a")
    (event,) = await store.list_timeline("wf-a", limit=1)

    assert workflow is not None and stored is not None
    documents = [stored.metadata, stored.definition, stored.trigger_uuids, workflow.activated_by]
    documents += [change.properties_changes, event.event]
    assert [exact(d) for d in documents] == [exact(DOCUMENT)] * 6
    assert exact(workflow.properties_snapshot) == exact({"create_time": T0, **DOCUMENT})
