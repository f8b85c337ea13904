import { describe, expect, it } from "vitest";
import { duration, relativeTime } from "./format";

describe("duration", () => {
  it.each([
    [120, "120ms"],
    [5200, "5.2s"],
    [65_000, "1m 5s"],
    [3_600_000 + 120_000, "1h 2m"],
    [3_600_000 + 5_000, "1h"],
    [2 * 86_400_000 + 3_600_000, "2d 1h"],
  ])("%i ms reads %s", (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it("is empty for what is not a duration", () => {
    expect(duration(-1)).toBe("");
    expect(duration(Number.NaN)).toBe("");
  });
});

describe("relativeTime", () => {
  it("speaks of the past and the future in the largest unit", () => {
    const now = Date.UTC(2026, 0, 10);
    expect(relativeTime(now - 3 * 60_000, now)).toMatch(/3 minutes ago/);
    expect(relativeTime(now + 2 * 3_600_000, now)).toMatch(/in 2 hours/);
    expect(relativeTime(now - 1000, now)).toMatch(/1 second ago/);
  });
});
