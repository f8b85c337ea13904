"""A foreach of 10,000 iterations opens in the browser within 2 s: the node's counts and the
first rows of its (paged, virtualised) iterations. The run itself takes the engine a minute
or so, so this runs only with ``MAESTOSO_UI_SCALE=1``; the 300-step run is in every run of
the browser tests (test_ui_flows)."""

from __future__ import annotations

import os
import time

import httpx
import pytest
from playwright.sync_api import Page, expect
from tests.browser.test_ui_flows import finished, push, start

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("MAESTOSO_UI_SCALE") != "1", reason="set MAESTOSO_UI_SCALE=1 to run"
    ),
]
ITERATIONS = 10_000


def test_a_foreach_of_10000_iterations_opens_within_2_seconds(
    page: Page, api: httpx.Client
) -> None:
    loop = {
        "id": "each",
        "concurrency": 100,
        "params": {
            "loop_params": {
                "value": {
                    "i": {
                        "expression": f"Util.intsBetween(1, {ITERATIONS + 1}, 1);",
                        "type": "LONG_ARRAY",
                    }
                },
                "type": "MAP",
            }
        },
        "steps": [{"step": {"id": "work", "type": "NoOp"}}],
    }
    push(
        api,
        {
            "properties": {"owner": "tester"},
            "workflow": {"id": "ui-10k", "steps": [{"foreach": loop}]},
        },
    )
    instance = start(api, "ui-10k")
    assert finished(api, "ui-10k", instance, timeout=600)["status"] == "SUCCEEDED"

    began = time.monotonic()
    page.goto(f"/workflows/ui-10k/instances/{instance}/runs/1/steps/each", wait_until="commit")
    node = page.get_by_role("figure").locator('[data-step-id="each"]')
    expect(node).to_contain_text(f"{ITERATIONS} succeeded", timeout=2000)
    rows = page.get_by_role("list", name="iterations").get_by_role("listitem")
    expect(rows.first).to_be_visible(timeout=max(1, 2000 - int((time.monotonic() - began) * 1000)))
    print(f"the page showed the counts and iterations in {time.monotonic() - began:.2f} s")
    assert rows.count() < 100  # drawn only where visible
