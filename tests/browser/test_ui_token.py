"""The web UI against ``maestoso server --auth token``: it asks for a token, keeps it for the
tab only, and sends it; without one the API's refusal is shown in words."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect
from tests.acceptance.server import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("ui-token"), args=("--auth", "token"))
    yield process.start()
    process.stop()


@pytest.fixture(scope="module")
def token(server: ServerProcess) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "maestoso.cli",
            "token",
            "create",
            "--user",
            "ann",
            "--role",
            "admin",
        ],
        env={**os.environ, "MAESTOSO_HOME": str(server.home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_pasted_token_opens_the_api(
    page: Page, server: ServerProcess, token: str, console_errors: list[str]
) -> None:
    with httpx.Client(base_url=server.base, headers={"authorization": f"Bearer {token}"}) as api:
        workflow = {
            "properties": {"owner": "ann"},
            "workflow": {"id": "ui-secured", "steps": [{"step": {"id": "s", "type": "NoOp"}}]},
        }
        assert api.post("/api/v3/workflows", json=workflow).status_code == 200

    page.goto("/")
    expect(page.get_by_role("alert")).to_contain_text("authentication is required")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("--auth token")
    dialog.get_by_label("Token").fill(token)
    dialog.get_by_role("button", name="Save").click()

    expect(page.locator("table.list")).to_contain_text("ui-secured")
    expect(page.get_by_role("alert")).to_have_count(0)
    stored = page.evaluate("sessionStorage.getItem('maestoso.token')")
    assert stored == token
    assert page.evaluate("localStorage.getItem('maestoso.token')") is None
    # The refused reads before the token was given, and only those.
    assert console_errors and all("401" in error for error in console_errors)
    console_errors.clear()
