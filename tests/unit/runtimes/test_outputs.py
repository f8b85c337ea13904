"""Output tokens: the streaming scan and the checks on what a block says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maestoso.runtimes import State
from maestoso.runtimes.outputs import (
    END_TOKEN,
    START_TOKEN,
    OutputScanner,
    finish,
    outputs_of,
    parse_block,
    scan_file,
)


def block(payload: str) -> str:
    return f"{START_TOKEN}{payload}{END_TOKEN}"


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_tokens_cut_by_chunk_boundaries_are_found(size: int) -> None:
    text = ("noise " * 50 + block('{"a": 1}') + " tail").encode()
    scanner = OutputScanner()
    for index in range(0, len(text), size):
        scanner.feed(text[index : index + size])
    assert scanner.block == b'{"a": 1}'


def test_the_last_complete_block_wins() -> None:
    scanner = OutputScanner()
    scanner.feed(f"{block('first')}\n{block('second')}\n{START_TOKEN}unfinished".encode())
    assert scanner.block == b"second"


def test_the_last_start_token_before_the_end_token_is_used() -> None:
    scanner = OutputScanner()
    scanner.feed(f"{START_TOKEN}echoed command {START_TOKEN}real{END_TOKEN}".encode())
    assert scanner.block == b"real"


def test_a_block_over_the_limit_is_dropped_but_a_later_one_counts() -> None:
    scanner = OutputScanner(limit=100)
    scanner.feed((START_TOKEN + "x" * 500).encode())
    assert scanner.overflowed and scanner.block is None
    assert outputs_of(scanner, [], 0).error == "Output data is larger than 100 bytes"
    scanner.feed((END_TOKEN + block("ok")).encode())
    assert scanner.block == b"ok"


def test_a_large_file_is_scanned_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "stdout.log"
    with path.open("w") as out:
        for _ in range(40):
            out.write("y" * 100_000 + "\n")
        out.write(block(json.dumps({"params": {}})) + "\n")
    assert scan_file(path).block == b'{"params": {}}'
    assert scan_file(tmp_path / "missing").block is None


def test_params_get_their_evaluated_result_and_source() -> None:
    data = {"params": {"n": {"value": 5, "type": "LONG"}}, "artifacts": {"k": {"type": "X"}}}
    outputs = parse_block(json.dumps(data).encode(), ["n"], 1234)
    assert outputs.error is None
    assert outputs.params["n"] == {
        "value": 5,
        "type": "LONG",
        "evaluated_result": 5,
        "evaluated_time": 1234,
        "source": "OUTPUT_PARAMETER",
    }
    assert outputs.artifacts == {"k": {"type": "X"}}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("[1]", "Invalid output data: a JSON object is expected"),
        ('{"artifacts": 3}', "Invalid output data: artifacts must be a JSON object"),
        ('{"params": {"n": 3}}', "Invalid output parameter [n]: a JSON object is expected"),
    ],
)
def test_malformed_blocks_are_reported(payload: str, message: str) -> None:
    assert parse_block(payload.encode(), ["n"], 0).error == message


def test_a_param_of_the_wrong_shape_is_reported() -> None:
    outputs = parse_block(b'{"params": {"n": {"value": "x", "type": "LONG"}}}', ["n"], 0)
    assert outputs.error is not None and outputs.error.startswith("Invalid output parameter [n]")


def test_the_runtime_own_artifact_is_never_replaced() -> None:
    outputs = parse_block(b'{"artifacts": {"mine": 1, "theirs": 2}}', [], 0)
    result = finish(State.DONE, outputs, artifacts={"mine": 0}, timeline=[])
    assert result.artifacts == {"mine": 0, "theirs": 2}
