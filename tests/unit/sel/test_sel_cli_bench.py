"""The ``maestoso sel`` command and the SEL benchmark."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from maestoso.bench import sel as bench
from maestoso.cli import app

runner = CliRunner()


def test_sel_command_prints_value_and_type() -> None:
    result = runner.invoke(app, ["sel", "x + y;", "--var", "x=40", "--var", "y=2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "42  (LONG)"


def test_sel_command_prints_json_values() -> None:
    result = runner.invoke(app, ["sel", "m.get('k');", "--var", 'm={"k": ["a"]}'])
    assert result.output.strip() == '["a"]  (STRING_ARRAY)'


def test_sel_command_reports_errors_and_where() -> None:
    result = runner.invoke(app, ["sel", "x = 1;\ny = = 2;"])
    assert result.exit_code == 1
    assert "ParseException" in result.output
    assert "line 2, column 5" in result.output


def test_sel_command_rejects_bad_variables() -> None:
    for bad in ("novalue", "x={"):
        result = runner.invoke(app, ["sel", "1;", "--var", bad])
        assert result.exit_code == 2
        assert "--var" in result.output


def test_benchmark_measures_each_expression() -> None:
    results = bench.run(min_seconds=0.01)
    assert [r.name for r in results] == ["arithmetic", "string-methods", "datetime"]
    assert all(r.evaluations >= 1000 and r.evals_per_sec > 0 for r in results)


def test_benchmark_main_prints_figures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    original = bench.run
    monkeypatch.setattr(bench, "run", lambda: original(min_seconds=0.01))
    bench.main()
    out = capsys.readouterr().out
    assert "evals/s" in out and "arithmetic" in out


def test_sel_command_adds_the_missing_semicolon_as_maestro_does() -> None:
    result = runner.invoke(app, ["sel", "1 + 2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3  (LONG)"
