import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Router } from "wouter";
import { memoryLocation } from "wouter/memory-location";
import { StartForm } from "./StartForm";

const params = {
  day: { type: "LONG", value: 20240101 },
  region: { type: "STRING", value: "eu" },
  ids: { type: "LONG_ARRAY", value: [1, 2] },
  derived: { type: "STRING", expression: "region + '-x'" },
};

function renderForm() {
  const location = memoryLocation({ path: "/workflows/etl", record: true });
  render(
    <Router hook={location.hook}>
      <StartForm workflowId="etl" version={3} params={params} onClose={() => {}} />
    </Router>,
  );
  return location;
}

afterEach(() => vi.unstubAllGlobals());

describe("StartForm", () => {
  it("prefills the defaults and sends only the params changed, typed", async () => {
    const fetch = vi.fn(
      async () =>
        new Response(JSON.stringify({ workflow_instance_id: 7, workflow_run_id: 1 }), { status: 200 }),
    );
    vi.stubGlobal("fetch", fetch);
    const location = renderForm();

    expect(screen.getByLabelText(/^day/)).toHaveProperty("value", "20240101");
    expect(screen.getByLabelText(/^ids/)).toHaveProperty("value", "[1,2]");
    expect(screen.getByLabelText(/^derived/)).toHaveProperty("placeholder", "= region + '-x'");
    await userEvent.clear(screen.getByLabelText(/^day/));
    await userEvent.type(screen.getByLabelText(/^day/), "20240202");
    await userEvent.click(screen.getByRole("button", { name: "Start run" }));

    await waitFor(() => expect(fetch).toHaveBeenCalledOnce());
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe("/api/v3/workflows/etl/versions/3/actions/start");
    expect(JSON.parse(String(init.body))).toEqual({
      initiator: { type: "MANUAL" },
      run_params: { day: { value: 20240202, type: "LONG" } },
    });
    await waitFor(() => expect(location.history?.at(-1)).toBe("/workflows/etl/instances/7/runs/1"));
  });

  it("says in words what is wrong, before and after the server answers", async () => {
    const body = {
      status: "BAD_REQUEST",
      message: "invalid run params",
      errors: ["run_params.ids: bad"],
      retryable: false,
    };
    const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status: 400 }));
    vi.stubGlobal("fetch", fetch);
    renderForm();

    await userEvent.clear(screen.getByLabelText(/^day/));
    await userEvent.type(screen.getByLabelText(/^day/), "soon");
    await userEvent.click(screen.getByRole("button", { name: "Start run" }));
    expect(screen.getByRole("alert").textContent).toContain("day: [soon] is not a whole number");
    expect(fetch).not.toHaveBeenCalled();

    await userEvent.clear(screen.getByLabelText(/^day/));
    await userEvent.type(screen.getByLabelText(/^day/), "1");
    await userEvent.click(screen.getByRole("button", { name: "Start run" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("invalid run params"));
    expect(screen.getByRole("alert").textContent).toContain("run_params.ids: bad");
  });
});
