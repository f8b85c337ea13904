import { describe, expect, it } from "vitest";
import { edges, ordered, steps } from "./workflow";

describe("steps", () => {
  it("unboxes every wrapper, loops with their inner steps", () => {
    const list = steps({
      steps: [
        { step: { id: "a", type: "Shell", transition: { successors: { loop: "true" } } } },
        { foreach: { id: "loop", steps: [{ step: { id: "inner", type: "NoOp" } }] } },
        { while: { id: "again", condition: "true", steps: [{ step: { id: "w", type: "NoOp" } }] } },
        { subworkflow: { id: "child" } },
        { unknown: {} },
      ],
    });
    expect(list.map((s) => [s.id, s.type])).toEqual([
      ["a", "Shell"],
      ["loop", "Foreach"],
      ["again", "While"],
      ["child", "Subworkflow"],
    ]);
    expect(list[1].children.map((s) => s.id)).toEqual(["inner"]);
    expect(edges(list)).toEqual([{ from: "a", to: "loop", condition: "true" }]);
  });

  it("orders steps as they run, keeping every step of a cycle", () => {
    const list = steps({
      steps: [
        { step: { id: "last", type: "NoOp" } },
        { step: { id: "first", type: "NoOp", transition: { successors: { last: "true" } } } },
        { step: { id: "x", type: "NoOp", transition: { successors: { y: "true" } } } },
        { step: { id: "y", type: "NoOp", transition: { successors: { x: "true" } } } },
      ],
    });
    expect(ordered(list).map((s) => s.id)).toEqual(["first", "last", "x", "y"]);
  });
});
