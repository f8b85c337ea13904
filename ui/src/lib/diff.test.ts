import { describe, expect, it } from "vitest";
import { diffWorkflows } from "./diff";

const step = (id: string, successors: Record<string, string> = {}, extra: object = {}) => ({
  step: { id, type: "NoOp", transition: { successors }, ...extra },
});

describe("diffWorkflows", () => {
  it("names steps and edges added, removed and changed", () => {
    const before = { steps: [step("a", { b: "true", c: "true" }), step("b"), step("c")] };
    const after = {
      steps: [step("a", { b: "x > 1", d: "true" }), step("b", {}, { name: "renamed" }), step("d")],
    };
    const diff = diffWorkflows(before, after);
    expect(Object.fromEntries(diff.steps.map((s) => [s.id, s.change]))).toEqual({
      a: "changed",
      b: "changed",
      c: "removed",
      d: "added",
    });
    expect(diff.edges.map((e) => `${e.from}->${e.to} ${e.change}`).sort()).toEqual([
      "a->b changed",
      "a->c removed",
      "a->d added",
    ]);
    expect(diff.edges.find((e) => e.to === "b")).toMatchObject({ before: "true", after: "x > 1" });
  });

  it("does not take key order for a change", () => {
    const before = {
      steps: [{ step: { type: "NoOp", id: "a" } }],
      params: { x: { type: "LONG", value: 1 } },
    };
    const after = { steps: [{ step: { id: "a", type: "NoOp" } }], params: { x: { value: 1, type: "LONG" } } };
    const diff = diffWorkflows(before, after);
    expect(diff.steps).toMatchObject([{ id: "a", change: "same" }]);
    expect(diff.params).toBeUndefined();
  });

  it("shows changed params as text of both sides", () => {
    const diff = diffWorkflows({ params: { x: { value: 1 } } }, { params: { x: { value: 2 } } });
    expect(diff.params?.before).toContain('"value": 1');
    expect(diff.params?.after).toContain('"value": 2');
  });
});
