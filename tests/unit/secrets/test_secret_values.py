"""Secrets: references in params, the providers, and masking text and log ranges."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maestoso.secrets import (
    MASK,
    ChainedSecrets,
    DirectorySecrets,
    EnvironmentSecrets,
    Masker,
    MissingSecretError,
    referenced_secrets,
    reveal,
)


def test_references_are_found_at_any_depth_in_order() -> None:
    params = {
        "command": "psql -p ${secret:db_password} ${secret:db.user}",
        "env": {"TOKEN": "${secret:api-token}", "${secret:key_name}": "x"},
        "list": ["a", {"deep": ["${secret:db_password}"]}],
        "n": 3,
        "not": "$${secret}",
    }
    assert referenced_secrets(params) == ["db_password", "db.user", "api-token", "key_name"]
    assert referenced_secrets({"a": "${secret:../etc/passwd}", "b": "${secret:}"}) == []


def test_reveal_replaces_references_and_copies() -> None:
    params = {"env": {"PW": "pw=${secret:pw}!"}, "args": ["${secret:pw}", 1]}
    revealed = reveal(params, {"pw": "hunter2"}.__getitem__)
    assert revealed == {"env": {"PW": "pw=hunter2!"}, "args": ["hunter2", 1]}
    assert params["env"] == {"PW": "pw=${secret:pw}!"}


def test_environment_secrets_use_the_prefix_and_upper_case() -> None:
    env = {"MAESTOSO_SECRET_db_password": "exact", "MAESTOSO_SECRET_API_TOKEN": "upper"}
    secrets = EnvironmentSecrets("MAESTOSO_SECRET_", env)
    assert secrets.get("db_password") == "exact"
    assert secrets.get("api-token") == "upper"
    assert secrets.get("missing") is None
    with pytest.raises(ValueError, match="must start with MAESTOSO_"):
        EnvironmentSecrets("SECRET_", env)


def test_directory_secrets_are_files_never_paths(tmp_path: Path) -> None:
    (tmp_path / "db_password").write_text("s3cret\n")
    (tmp_path / "sub").mkdir()
    secrets = DirectorySecrets(tmp_path)
    assert secrets.get("db_password") == "s3cret"
    assert secrets.get("sub") is None
    assert secrets.get("../db_password") is None
    assert secrets.get("missing") is None


def test_chained_secrets_take_the_first_and_name_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("from-file")
    (tmp_path / "b").write_text("from-file")
    chain = ChainedSecrets(
        [
            EnvironmentSecrets("MAESTOSO_SECRET_", {"MAESTOSO_SECRET_A": "from-env"}),
            DirectorySecrets(tmp_path),
        ]
    )
    assert chain.require("a") == "from-env"
    assert chain.require("b") == "from-file"
    with pytest.raises(MissingSecretError, match=r"\[c\]") as raised:
        chain.require("c")
    assert "from-" not in str(raised.value.errors)


def test_masker_masks_text_and_values() -> None:
    masker = Masker(["hunter2", "", "hunt"])
    assert masker.text("a hunter2 b hunt c") == f"a {MASK} b {MASK} c"
    value = {"k": ["hunter2"], "hunter2": 1, "n": 5}
    assert masker.value(value) == {"k": [MASK], MASK: 1, "n": 5}
    assert not Masker([""])


@given(
    st.lists(st.sampled_from(["ab", "xyz", "a", "-", "\n", "zz"]), max_size=40),
    st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=10),
)
def test_ranges_read_one_after_another_give_the_masked_whole(
    pieces: list[str], sizes: list[int]
) -> None:
    data = "".join(pieces).encode()
    masker = Masker(["xyz", "zz"])
    whole = masker.window(data, 0, len(data))
    assert b"xyz" not in whole.replace(MASK.encode(), b"|")
    margin = masker.reach
    out, position, turn = b"", 0, 0
    while position < len(data):
        size = sizes[turn % len(sizes)]
        turn += 1
        start = max(position - margin, 0)
        window = data[start : position + size + margin]
        covered = min(size, len(data) - position)
        out += masker.window(window, position - start, position - start + covered)
        position += covered
    assert out == whole
