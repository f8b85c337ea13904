"""The web UI's pages: every page path answers the app's index.html (deep links survive a
reload), its assets are served, and the server's own paths keep their answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from maestoso.api import create_app, webui
from maestoso.clock import FakeClock


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><script type="module" src="/assets/app-1.js"></script>'
    )
    (tmp_path / "assets" / "app-1.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


@pytest.fixture
async def http(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> httpx.AsyncClient:
    monkeypatch.setattr(webui, "STATIC", bundle)
    app = create_app(None, FakeClock())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://maestoso")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/workflows/sample-dag-test-1",
        "/workflows/a.b/diff?from=1&to=2",
        "/workflows/wf/instances/3/runs/1",
        "/workflows/wf/instances/3/runs/1/steps/job.1",
        "/signals",
    ],
)
async def test_every_page_is_the_app(http: httpx.AsyncClient, path: str) -> None:
    answer = await http.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/assets/app-1.js">' in answer.text
    assert answer.headers["cache-control"] == "no-cache"
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "connect-src 'self'" in csp


async def test_assets_are_served_and_cached_for_good(http: httpx.AsyncClient) -> None:
    script = await http.get("/assets/app-1.js")
    icon = await http.get("/favicon.svg")
    missing = await http.get("/assets/app-2.js")

    assert script.status_code == 200 and script.text == "console.log(1)"
    assert "immutable" in script.headers["cache-control"]
    assert icon.status_code == 200 and icon.text == "<svg/>"
    assert missing.status_code == 404 and "html" not in missing.headers["content-type"]


async def test_the_servers_own_paths_are_not_pages(http: httpx.AsyncClient) -> None:
    unknown_api = await http.get("/api/v3/no-such-thing")
    posted = await http.post("/api/v3/no-such-thing", json={})
    posted_page = await http.post("/workflows/wf", json={})
    health = await http.get("/healthz")
    document = await http.get("/openapi.json")
    metrics = await http.get("/metrics")

    for answer in (unknown_api, posted):
        assert answer.status_code == 404
        assert answer.json() == {
            "status": "NOT_FOUND",
            "message": "Not Found",
            "errors": [],
            "retryable": False,
        }
    assert posted_page.status_code == 405
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert document.json()["openapi"].startswith("3.")
    assert "/" not in document.json()["paths"]  # the pages are not part of the API
    assert metrics.status_code != 200 or "html" not in metrics.headers["content-type"]


async def test_without_a_built_bundle_nothing_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webui, "STATIC", tmp_path / "never-built")
    app = create_app(None, FakeClock())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://maestoso"
    ) as http:
        answer = await http.get("/workflows/wf")
    assert answer.status_code == 404 and answer.json()["status"] == "NOT_FOUND"


def test_the_package_ships_a_built_bundle() -> None:
    index = webui.STATIC / "index.html"
    assert index.is_file(), "run `make ui` to build the web UI into the package"
    scripts = [
        line for line in index.read_text().splitlines() if "<script" in line and "src=" in line
    ]
    assert scripts, "the built page loads its script from a file (no inline script)"
    for line in scripts:
        name = line.split('src="', 1)[1].split('"', 1)[0]
        assert (webui.STATIC / name.lstrip("/")).is_file(), name
