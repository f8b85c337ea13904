"""Discovery by entry point, on distributions made for the test in a folder on sys.path."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from maestoso.alerting.notifier import Message
from maestoso.config import Settings
from maestoso.plugins import discovery, load_plugins, step_type_names
from maestoso.plugins.guarded import GuardedRuntime

PLUGIN_MODULE = """
from maestoso.plugin import DONE, State, StepResult


class Runtime:
    default_poll_seconds = 2.0

    def __init__(self, settings):
        self.home = settings.home

    async def start(self, context):
        return DONE

    async def execute(self, context):
        return DONE

    async def terminate(self, context):
        return StepResult(state=State.STOPPED)


class Source:
    def __init__(self, settings):
        pass

    async def run(self, context):
        pass


def failing(settings):
    raise RuntimeError("no connection to the cluster")


def not_a_runtime(settings):
    return "runtime"


class Pigeon:
    def __init__(self, settings):
        self.sent = []

    async def send(self, message):
        self.sent.append(message)
"""


def distribution(folder: Path, name: str, entry_points: str) -> None:
    info = folder / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path; its modules are forgotten after the test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "acme_plugin.py").write_text(PLUGIN_MODULE)
    (tmp_path / "acme_broken.py").write_text("raise ImportError('needs libspark')\n")
    (tmp_path / "acme_exits.py").write_text("import sys\nsys.exit(3)\n")
    importlib.invalidate_caches()
    yield tmp_path
    for name in ("acme_plugin", "acme_broken", "acme_exits"):
        sys.modules.pop(name, None)


def test_each_entry_point_loads_on_its_own_and_failures_keep_their_error(site: Path) -> None:
    distribution(
        site,
        "acme",
        "[maestoso.notifiers]\n"
        "pigeon = acme_plugin:Pigeon\n"
        "broken = acme_broken:Notifier\n"
        "exits = acme_exits:Notifier\n"
        "absent = acme_plugin:Nothing\n",
    )
    found = {f.name: f for f in discovery.load(discovery.NOTIFIERS)}
    assert found["pigeon"].ok and found["pigeon"].value.__name__ == "Pigeon"
    assert list(load_plugins(Settings()).notifiers) == ["pigeon"]
    assert (found["pigeon"].distribution, found["pigeon"].version) == ("acme", "1.0")
    assert found["broken"].error == "ImportError: needs libspark"
    assert found["exits"].error == "SystemExit: 3"
    assert "has no attribute 'Nothing'" in str(found["absent"].error)
    assert found["broken"].to_json() == {
        "name": "broken",
        "target": "acme_broken:Notifier",
        "distribution": "acme",
        "version": "1.0",
        "error": "ImportError: needs libspark",
    }


def test_a_name_given_by_two_distributions_is_loaded_from_one(site: Path) -> None:
    distribution(site, "acme", "[maestoso.notifiers]\npigeon = acme_plugin:Source\n")
    distribution(site, "other", "[maestoso.notifiers]\npigeon = acme_plugin:Runtime\n")
    found = [f for f in discovery.load(discovery.NOTIFIERS) if f.name == "pigeon"]
    assert [f.ok for f in found] == [True, False]
    assert found[1].error == f"[pigeon] is provided by [{found[0].distribution}] already"


def test_step_types_and_signal_sources_are_built_from_the_settings(site: Path) -> None:
    distribution(
        site,
        "acme",
        "[maestoso.step_types]\n"
        "Spark = acme_plugin:Runtime\n"
        "Flaky = acme_plugin:failing\n"
        "Odd = acme_plugin:not_a_runtime\n"
        "Shell = acme_plugin:Runtime\n"
        "'no good' = acme_plugin:Runtime\n"
        "[maestoso.signal_sources]\n"
        "bucket = acme_plugin:Source\n"
        "wrong = acme_plugin:Runtime\n",
    )
    plugins = load_plugins(Settings(home=site / "home"))
    spark = plugins.step_types["Spark"]
    assert isinstance(spark, GuardedRuntime) and spark.default_poll_seconds == 2.0
    assert spark.inner.home == site / "home"  # type: ignore[attr-defined]
    assert list(plugins.step_types) == ["Spark"]
    assert list(plugins.signal_sources) == ["bucket"]
    errors = {f.name: f.error for f in plugins.found if not f.ok}
    assert errors["Flaky"] == "RuntimeError: no connection to the cluster"
    assert errors["Odd"] == (
        "ValueError: the factory returned str, not a StepRuntime "
        "(start, execute, terminate and default_poll_seconds)"
    )
    assert errors["Shell"] == (
        "ValueError: [Shell] is a built-in step type; a plugin cannot replace it"
    )
    assert errors["'no good'"] == "ValueError: ['no good'] is not a valid step type name"
    assert errors["wrong"] == "ValueError: the factory returned Runtime, not a SignalSource"
    assert plugins.notifiers == {}
    listing = plugins.to_json()
    assert sorted(listing) == ["notifiers", "signal_sources", "step_types"]
    assert [f["name"] for f in listing["signal_sources"]] == ["bucket", "wrong"]


def test_step_type_names_are_read_without_importing_anything(site: Path) -> None:
    distribution(site, "acme", "[maestoso.step_types]\nSpark = acme_broken:Runtime\n")
    assert "Spark" in step_type_names()
    assert "acme_broken" not in sys.modules


async def test_notifiers_are_built_from_the_settings_under_their_entry_point_names(
    site: Path,
) -> None:
    distribution(
        site,
        "acme",
        "[maestoso.notifiers]\n"
        "pigeon = acme_plugin:Pigeon\n"
        "email = acme_plugin:Pigeon\n"
        "mute = acme_plugin:Source\n",
    )
    plugins = load_plugins(Settings())
    pigeon = plugins.notifiers["pigeon"]
    assert list(plugins.notifiers) == ["pigeon"] and pigeon.name == "pigeon"
    message = Message(alert_type="STATUS_CHANGE", title="wf: SUCCEEDED", text="")
    await pigeon.send(message)
    assert pigeon._notifier.sent == [message]  # type: ignore[attr-defined]
    errors = {f.name: f.error for f in plugins.found if not f.ok}
    assert errors == {
        "email": "ValueError: [email] is a built-in notifier; a plugin cannot replace it",
        "mute": "ValueError: the factory returned Source, not a Notifier (an async send(message))",
    }
