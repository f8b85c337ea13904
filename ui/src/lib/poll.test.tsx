import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { usePoll } from "./poll";

function Probe({ load }: { load: () => Promise<string> }) {
  const found = usePoll("probe", load, () => 1000);
  return <p>{found.error ? `error: ${found.error.message}` : (found.data ?? "loading")}</p>;
}

afterEach(() => {
  vi.useRealTimers();
  Object.defineProperty(document, "hidden", { configurable: true, value: false });
});

describe("usePoll", () => {
  it("reads again on its period, shows an error until the next success, and rests while hidden", async () => {
    vi.useFakeTimers();
    const answers = ["IN_PROGRESS", new Error("server down"), "STOPPED", "SUCCEEDED"];
    const load = vi.fn(async () => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return next;
    });
    render(<Probe load={load} />);
    await act(async () => {});
    expect(screen.getByText("IN_PROGRESS")).toBeTruthy();

    await act(async () => vi.advanceTimersByTime(1000));
    expect(screen.getByText("error: server down")).toBeTruthy();
    await act(async () => vi.advanceTimersByTime(1000));
    expect(screen.getByText("STOPPED")).toBeTruthy();

    Object.defineProperty(document, "hidden", { configurable: true, value: true });
    await act(async () => vi.advanceTimersByTime(5000));
    expect(load).toHaveBeenCalledTimes(3);
    Object.defineProperty(document, "hidden", { configurable: true, value: false });
    await act(async () => vi.advanceTimersByTime(1000));
    expect(screen.getByText("SUCCEEDED")).toBeTruthy();
  });
});
