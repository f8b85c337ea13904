"""The complete plugin of docs/plugins.md: short, and it works as written."""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.runtimes.support import FakeContext

from maestoso.config import Settings
from maestoso.plugin import State
from maestoso.plugins import load_plugins

DOC = Path(__file__).parents[3] / "docs" / "plugins.md"


def blocks() -> dict[str, str]:
    section = DOC.read_text().split("## A complete plugin\n", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"```(\w+)\n(.*?)```", section, re.S))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("maestoso_hello", None)


def test_the_complete_plugin_is_under_forty_lines() -> None:
    code = blocks()
    assert sorted(code) == ["python", "toml"]
    assert sum(len(text.splitlines()) for text in code.values()) < 40


async def test_the_complete_plugin_runs(site: Path) -> None:
    code = blocks()
    project = tomllib.loads(code["toml"])["project"]
    (site / "maestoso_hello.py").write_text(code["python"])
    info = site / "maestoso_hello-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: 1.0\n"
    )
    lines = [
        f"{name} = {target}"
        for name, target in project["entry-points"]["maestoso.step_types"].items()
    ]
    (info / "entry_points.txt").write_text("[maestoso.step_types]\n" + "\n".join(lines) + "\n")
    importlib.invalidate_caches()

    hello = load_plugins(Settings(home=site)).step_types["Hello"]
    context = FakeContext(site / "attempt", params={"name": "Ada"})
    context.step_params = {}
    result = await hello.start(context)
    assert result.state is State.DONE
    assert result.output_params["greeting"]["evaluated_result"] == "hello, Ada"
    assert (site / "attempt" / "stdout.log").read_text() == "hello, Ada\n"
