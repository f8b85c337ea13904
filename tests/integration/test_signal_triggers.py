"""Signal triggers end to end on both dialects: Maestro's sample, joins, one run per set."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.corpus import require, shared_dir
from tests.integration.test_time_triggers import START, Server, server

from maestoso.clock import FakeClock

SAMPLES = shared_dir() / "maestro-samples"


def sample() -> dict[str, Any]:
    body = json.loads((require(SAMPLES) / "sample-signal-trigger-wf.json").read_text())
    return copy.deepcopy(body)  # type: ignore[no-any-return]


async def announce(s: Server, name: str, **params: Any) -> int:
    response = await s.http.post("/api/v3/signals", json={"name": name, "params": params})
    assert response.status_code == 200, response.text
    await s.node.worker.run_once()  # match it now
    return int(response.json()["seq_id"])


async def test_two_signals_joined_on_a_key_start_exactly_one_run(
    database_url: str, tmp_path: Path
) -> None:
    body = sample()
    job = body["workflow"]["steps"][0]["step"]
    del job["signal_dependencies"], job["params"]["param3"]
    async with server(database_url, tmp_path, FakeClock(START)) as s:
        await s.create(body)
        wf = "sample-signal-trigger-wf"
        await announce(s, "signal_a", foo="bat", watermark=12345, updated_by="ann")
        await announce(s, "signal_b", bar="baz", watermark=22221, posted_by="ann")  # too low
        await announce(s, "signal_b", bar="baz", watermark=30000, posted_by="bob")  # not joined
        assert await s.instances(wf, 1, timeout=0.3) == []
        await announce(s, "signal_b", bar="baz", watermark=30000, posted_by="ann")
        [run] = await s.instances(wf, 1)
        version = await s.store.get_version(wf, 1)
        assert version is not None and version.trigger_uuids is not None
        [uuid] = version.trigger_uuids["signal_trigger_uuids"]
        initiator = run.initiator
        assert initiator["type"] == "SIGNAL" and initiator["trigger_uuid"] == uuid
        assert initiator["signal_id_map"] == {"signal_a": 1, "signal_b": 3}
        assert initiator["params"]["foo"]["evaluated_result"] == "bar"
        # The set is consumed: another signal_b of the same key finds no fresh signal_a.
        await announce(s, "signal_b", bar="baz", watermark=40000, posted_by="ann")
        assert len(await s.instances(wf, 2, timeout=0.3)) == 1
        # A fresh pair makes a second run (signals before a checkpoint are passed over).
        await announce(s, "signal_a", foo="bat", watermark=99999, updated_by="bob")
        assert len(await s.instances(wf, 2, timeout=0.3)) == 1
        await announce(s, "signal_b", bar="baz", watermark=50000, posted_by="bob")
        runs = await s.instances(wf, 2)
        assert runs[1].initiator["signal_id_map"] == {"signal_a": 2, "signal_b": 5}
        finished = await s.store.get_instance(wf, 1)
        steps = await s.store.get_step_attempts(wf, 1, 1)
        assert finished is not None and steps, "the first run has started"
        params = next(r for r in steps if r.step_id == "job.1").document["params"]
        assert params["param1"]["evaluated_result"] == "bar"
        assert params["param2"]["evaluated_result"] == 12345


async def test_a_false_condition_consumes_the_signals_without_a_run(
    database_url: str, tmp_path: Path
) -> None:
    body = sample()
    body["workflow"]["steps"] = [{"step": {"id": "a", "type": "NoOp"}}]
    trigger = body["workflow"]["signal_triggers"][0]
    trigger["condition"] = "123 > 245"
    trigger["dedup_expr"] = None
    async with server(database_url, tmp_path, FakeClock(START)) as s:
        await s.create(body)
        await announce(s, "signal_a", foo="bat", watermark=12345, updated_by="x")
        await announce(s, "signal_b", bar="baz", watermark=22222, posted_by="x")
        assert await s.instances("sample-signal-trigger-wf", 1, timeout=0.3) == []
        [row] = await s.store.list_signal_triggers("sample-signal-trigger-wf")
        assert row.checkpoints == [1, 1]
