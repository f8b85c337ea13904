import type { Json, StepDef } from "./workflow";
import { edges, steps } from "./workflow";

export type Change = "added" | "removed" | "changed" | "same";

export interface StepChange {
  id: string;
  change: Change;
  before?: StepDef;
  after?: StepDef;
}

export interface EdgeChange {
  from: string;
  to: string;
  change: Change;
  before?: string;
  after?: string;
}

export interface WorkflowDiff {
  steps: StepChange[];
  edges: EdgeChange[];
  /** Workflow-level params, as pretty JSON per side, when they differ. */
  params?: { before: string; after: string };
}

/** Keys sorted, so that key order (which the server does not keep) never reads as a change. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Json)
        .sort()
        .map((key) => [key, sortKeys((value as Json)[key])]),
    );
  }
  return value;
}

/** What changed from one definition (``workflow`` of a version) to another. */
export function diffWorkflows(before: Json | undefined, after: Json | undefined): WorkflowDiff {
  const old = new Map(steps(before).map((step) => [step.id, step]));
  const now = new Map(steps(after).map((step) => [step.id, step]));
  const stepChanges: StepChange[] = [];
  for (const [id, step] of now) {
    const was = old.get(id);
    const change: Change = !was ? "added" : canonical(was.raw) === canonical(step.raw) ? "same" : "changed";
    stepChanges.push({ id, change, before: was, after: step });
  }
  for (const [id, step] of old) {
    if (!now.has(id)) stepChanges.push({ id, change: "removed", before: step });
  }
  const key = (from: string, to: string) => `${from}\u0000${to}`;
  const oldEdges = new Map(edges([...old.values()]).map((e) => [key(e.from, e.to), e]));
  const newEdges = new Map(edges([...now.values()]).map((e) => [key(e.from, e.to), e]));
  const edgeChanges: EdgeChange[] = [];
  for (const [k, edge] of newEdges) {
    const was = oldEdges.get(k);
    edgeChanges.push({
      from: edge.from,
      to: edge.to,
      change: !was ? "added" : was.condition === edge.condition ? "same" : "changed",
      before: was?.condition,
      after: edge.condition,
    });
  }
  for (const [k, edge] of oldEdges) {
    if (!newEdges.has(k)) {
      edgeChanges.push({ from: edge.from, to: edge.to, change: "removed", before: edge.condition });
    }
  }
  const paramsBefore = canonical(before?.params ?? {});
  const paramsAfter = canonical(after?.params ?? {});
  return {
    steps: stepChanges,
    edges: edgeChanges,
    params: paramsBefore === paramsAfter ? undefined : { before: paramsBefore, after: paramsAfter },
  };
}
