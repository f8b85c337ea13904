import { describe, expect, it } from "vitest";
import { groupRanges } from "./cluster";

describe("flow group ids", () => {
  it("are written as runs of consecutive numbers, in order", () => {
    expect(groupRanges([7, 0, 2, 1, 5, 8])).toBe("0–2, 5, 7–8");
    expect(groupRanges([3])).toBe("3");
    expect(groupRanges([])).toBe("");
  });
});
