"""Tails of log files, read backwards in chunks."""

from __future__ import annotations

from pathlib import Path

import pytest

from maestoso.engine.reads.logs import CHUNK, _tail_offset


def tail(path: Path, lines: int) -> bytes:
    return path.read_bytes()[_tail_offset(path, lines) :]


@pytest.mark.parametrize("ending", ["\n", ""])
def test_tails_with_and_without_a_final_newline(tmp_path: Path, ending: str) -> None:
    path = tmp_path / "log"
    path.write_text("a\nb\nc" + ending)
    assert tail(path, 1) == ("c" + ending).encode()
    assert tail(path, 2) == ("b\nc" + ending).encode()
    assert tail(path, 5) == path.read_bytes()
    assert tail(path, 0) == b""


def test_a_tail_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "log"
    lines = [f"{i:06d}" + "x" * 100 for i in range(3 * CHUNK // 100)]
    path.write_text("\n".join(lines) + "\n")
    assert tail(path, 1000).decode().splitlines() == lines[-1000:]


def test_missing_and_empty_files(tmp_path: Path) -> None:
    assert _tail_offset(tmp_path / "missing", 3) == 0
    (tmp_path / "empty").write_bytes(b"")
    assert _tail_offset(tmp_path / "empty", 3) == 0
