"""The client commands against a real server process: define, run, follow, act."""

from __future__ import annotations

import time
from pathlib import Path

from tests.acceptance.client_support import (
    Done,
    cli,
    cli_process,
    server,
    shell_workflow,
    write,
)
from tests.acceptance.server import ServerProcess

from maestoso.client import Client

__all__ = ["server"]

SLEEPY_YAML = """\
Workflow:
  id: sleepy
  owner: tester
  secs: 1
  jobs:
    - job:
        id: nap
        type: Sleep
        '!sleep_seconds<long>': secs
"""


def test_push_json_and_yaml_then_list(server: ServerProcess, tmp_path: Path) -> None:
    hello = write(tmp_path, "hello.json", shell_workflow("hello", "echo hello-from-shell"))
    sleepy = write(tmp_path, "sleepy.txt", SLEEPY_YAML)  # told apart by content, not name

    done = cli_process(server, "push", str(hello), str(sleepy))

    assert done.code == 0, done.stderr
    assert "workflow hello version 1" in done.stdout
    assert "workflow sleepy version 1" in done.stdout
    listed = cli(server, "list")
    assert "hello" in listed.stdout and "sleepy" in listed.stdout
    ids = [wf["workflow_id"] for wf in cli(server, "list", "--json").json()["elements"]]
    assert {"hello", "sleepy"} <= set(ids)
    again = cli(server, "push", str(hello), "--json").json()
    assert again[0]["metadata"]["workflow_version_id"] == 2


def test_push_refuses_a_bad_file_naming_the_value(server: ServerProcess, tmp_path: Path) -> None:
    body = shell_workflow("bogus", "true")
    body["workflow"]["steps"][0]["step"]["type"] = "Bogus"

    done = cli(server, "push", str(write(tmp_path, "bogus.json", body)))

    assert done.code == 2
    assert "workflow.steps[0].step.type: unknown step type [Bogus]" in done.stderr


def test_start_watch_exits_by_the_runs_outcome(server: ServerProcess, tmp_path: Path) -> None:
    cli(server, "push", str(write(tmp_path, "ok.json", shell_workflow("ok", "echo fine"))))
    failing = shell_workflow("boom", "echo exploding >&2; exit 3")
    cli(server, "push", str(write(tmp_path, "boom.json", failing)))

    good = cli_process(server, "start", "ok", "--watch")
    bad = cli(server, "start", "boom", "--watch")

    assert good.code == 0, good.stdout + good.stderr
    assert "ended SUCCEEDED" in good.stdout
    assert bad.code == 1
    assert "ended FAILED" in bad.stderr
    assert "run (attempt" in bad.stderr  # the failed step, with why it failed


def test_logs_print_a_shell_steps_output(server: ServerProcess, tmp_path: Path) -> None:
    body = shell_workflow("talker", "echo first-line; echo second-line")
    cli(server, "push", str(write(tmp_path, "talker.json", body)))
    started = cli(server, "start", "talker", "--watch", "--json").json()

    done = cli(server, "logs", "talker", str(started["workflow_instance_id"]), "run")
    tail = cli(server, "logs", "talker", "1", "run", "--tail", "1")

    followed = cli(server, "logs", "talker", "1", "run", "--follow")

    assert done.code == 0
    assert done.stdout == "first-line\nsecond-line\n"
    assert tail.stdout == "second-line\n"
    assert followed.code == 0 and followed.stdout == done.stdout  # ends with the attempt


def test_start_with_a_typed_param_then_stop(server: ServerProcess) -> None:
    with Client(server.base, user="tester") as client:
        client.push(sleepy_file(server))
        started = cli(server, "start", "sleepy", "--param", "secs=300", "--json").json()
        instance_id = started["workflow_instance_id"]
        params = client.instance("sleepy", instance_id).params
        assert params["secs"]["evaluated_result"] == 300  # typed LONG from the definition

        stopped = cli(server, "stop", "sleepy", str(instance_id))

        assert stopped.code == 0, stopped.stderr
        assert client.wait("sleepy", instance_id, timeout=20).status.value == "STOPPED"
    watched = cli(server, "watch", "sleepy", str(instance_id))
    assert watched.code == 1
    assert "ended STOPPED" in watched.stderr


def sleepy_file(server: ServerProcess) -> Path:
    path = server.home / "sleepy.yaml"
    path.write_text(SLEEPY_YAML)
    return path


def test_show_and_runs(server: ServerProcess, tmp_path: Path) -> None:
    body = shell_workflow("shown", "true")
    body["workflow"]["steps"][0]["step"]["transition"] = {"successors": {"after": "true"}}
    body["workflow"]["steps"].append({"step": {"id": "after", "type": "NoOp"}})
    cli(server, "push", str(write(tmp_path, "shown.json", body)))
    cli(server, "start", "shown", "--watch")

    shown = cli(server, "show", "shown")
    runs = cli(server, "runs", "shown", "--json").json()

    assert shown.code == 0
    assert "└── run Shell" in shown.stdout and "after NoOp" in shown.stdout
    assert [run["status"] for run in runs["elements"]] == ["SUCCEEDED"]
    assert "SUCCEEDED" in cli(server, "runs").stdout


def test_restart_kill_unblock_and_errors(server: ServerProcess, tmp_path: Path) -> None:
    cli(server, "push", str(write(tmp_path, "again.json", shell_workflow("again", "true"))))
    cli(server, "start", "again", "--watch")

    restarted = cli(server, "restart", "again", "1", "--from-beginning")
    with Client(server.base, user="tester") as client:
        final = client.wait("again", 1, timeout=20)
    from_step = cli(server, "restart", "again", "1", "--from", "run")
    with Client(server.base, user="tester") as client:
        third = client.wait("again", 1, timeout=20)
    missing = cli(server, "kill", "again", "99")
    unblocked = cli(server, "unblock", "again")
    both = cli(server, "restart", "again", "1", "--from", "run", "--from-beginning")

    assert restarted.code == 0, restarted.stderr
    assert final.workflow_run_id == 2 and final.succeeded
    assert from_step.code == 0, from_step.stderr
    assert third.workflow_run_id == 3 and third.succeeded
    assert missing.code == 2 and "99" in missing.stderr
    assert unblocked.code == 0, unblocked.stderr
    assert both.code == 2


def test_signal_skip_bypass_and_backfill(server: ServerProcess, tmp_path: Path) -> None:
    cli(server, "push", str(write(tmp_path, "sleepy2.yaml", SLEEPY_YAML.replace("sleepy", "s2"))))
    started = cli(server, "start", "s2", "-p", "secs=300", "--json").json()
    instance = str(started["workflow_instance_id"])

    signal = cli(server, "signal", "table_ready", "day=20240101", "kind=daily")
    skipped = _until_ok(server, "skip", "s2", instance, "nap")
    bypass = cli(server, "bypass", "s2", instance, "nap")
    no_trigger = cli(server, "backfill", "s2", "--from", "2024-01-01", "--to", "2024-01-02")

    assert signal.code == 0, signal.stderr
    assert skipped.code == 0, skipped.stderr
    with Client(server.base, user="tester") as client:
        assert client.wait("s2", int(instance), timeout=20).succeeded
    assert bypass.code == 2  # the step is not waiting for signals
    assert no_trigger.code == 2 and "Traceback" not in no_trigger.stderr


def test_backfill_lists_then_starts_the_missed_runs(server: ServerProcess, tmp_path: Path) -> None:
    body = shell_workflow("nightly", "true")
    body["workflow"]["time_triggers"] = [{"type": "CRON", "cron": "0 0 * * *", "timezone": "UTC"}]
    cli(server, "push", str(write(tmp_path, "nightly.json", body)))
    window = ("--from", "2024-01-01", "--to", "2024-01-02T23:00")

    planned = cli(server, "backfill", "nightly", *window, "--dry-run")
    before = cli(server, "runs", "nightly", "--json").json()["elements"]
    done = cli(server, "backfill", "nightly", *window, "--json").json()

    assert planned.code == 0, planned.stderr
    assert "would start 2 runs" in planned.stdout and "2024-01-02 00:00:00" in planned.stdout
    assert before == []
    assert len(done["runs"]) == 2 and done["dry_run"] is False
    assert len(cli(server, "runs", "nightly", "--json").json()["elements"]) == 2


def _until_ok(server: ServerProcess, *args: str) -> Done:
    for _ in range(50):
        done = cli(server, *args)
        if done.code == 0:
            return done
        time.sleep(0.1)
    return done


def test_an_unreachable_server_exits_3() -> None:
    fake = ServerProcess.__new__(ServerProcess)
    fake.base = "http://127.0.0.1:9"
    done = cli(fake, "list")
    assert done.code == 3
    assert "cannot reach http://127.0.0.1:9" in done.stderr
