import { act, render, screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Iterations } from "./Iterations";

afterEach(() => vi.unstubAllGlobals());

describe("a loop's iterations", () => {
  it("show the filter chosen last, whatever order the answers come back in", async () => {
    const answers = new Map<string, (count: number) => void>();
    vi.stubGlobal(
      "fetch",
      vi.fn(
        (url: string) =>
          new Promise<Response>((resolve) => {
            const status = new URL(url, "http://ui").searchParams.get("status") ?? "";
            answers.set(status, (count) => {
              const elements = Array.from({ length: count }, (_, i) => ({
                workflow_id: "loop",
                workflow_instance_id: i + 1,
                workflow_run_id: 1,
                status: status || "SUCCEEDED",
              }));
              resolve(new Response(JSON.stringify({ elements, cursor: null })));
            });
          }),
      ),
    );
    render(<Iterations workflow="loop" />);
    await act(async () => answers.get("")!(9));
    expect(screen.getByText("9 shown")).toBeTruthy();

    const select = screen.getByLabelText("Status");
    await userEvent.selectOptions(select, "FAILED");
    await userEvent.selectOptions(select, "SUCCEEDED");
    await act(async () => answers.get("SUCCEEDED")!(9));
    await act(async () => answers.get("FAILED")!(0)); // a slow answer to a filter left
    expect(screen.getByText("9 shown")).toBeTruthy();
  });
});
