import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Eta } from "../lib/alerting";
import { EtaLine } from "./EtaLine";

const MINUTE = 60_000;

function eta(extra: Partial<Eta> = {}): Eta {
  const end = Date.now() + 10 * MINUTE;
  return {
    end_time: end,
    earliest_end_time: end - MINUTE,
    latest_end_time: end + MINUTE,
    confidence: 0.684,
    history_runs: 5,
    behind_steps: [],
    ...extra,
  };
}

describe("the predicted end of a run", () => {
  it("reads as a time from now with its range, confidence and history", () => {
    render(<EtaLine eta={eta()} />);
    const line = screen.getByTestId("eta").textContent ?? "";
    expect(line).toContain("Expected to end in 10 minutes (± 1m), 68% confidence");
    expect(line).toContain("68% confidence from 5 past runs");
    expect(line).not.toContain("target");
  });

  it("is flagged when it ends past the run's target, by how much, with the steps behind", () => {
    const estimate = eta({ behind_steps: [{ step_id: "load", late_ms: 125_000 }] });
    render(<EtaLine eta={{ ...estimate, deadline_time: estimate.end_time - 65_000 }} />);
    expect(screen.getByTestId("eta-late").textContent).toBe("misses its target");
    const line = screen.getByTestId("eta").textContent ?? "";
    expect(line).toContain("misses its target (due in 9 minutes) by 1m 5s.");
    expect(line).toContain("Behind: load (2m 5s late).");
  });

  it("says it is on time when it ends before the target", () => {
    const estimate = eta();
    render(<EtaLine eta={{ ...estimate, deadline_time: estimate.end_time + 1 }} />);
    expect(screen.queryByTestId("eta-late")).toBeNull();
    expect(screen.getByTestId("eta").textContent).toContain("on time for its target (due in 10 minutes).");
  });
});
