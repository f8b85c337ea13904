// A workflow definition as the UI reads it: steps unboxed from Maestro's wrappers
// (``{"step": …}``, ``{"foreach": …}``…), with their kind, children and edges.
export type Json = Record<string, unknown>;

export interface StepDef {
  id: string;
  kind: "step" | "foreach" | "while" | "subworkflow" | "template";
  /** The step type: ``Shell``, ``NoOp``…, or the wrapper's name for loops and subworkflows. */
  type: string;
  name?: string;
  successors: Record<string, string>;
  children: StepDef[];
  raw: Json;
}

export interface Edge {
  from: string;
  to: string;
  condition: string;
}

const KINDS = ["step", "foreach", "while", "subworkflow", "template"] as const;
const KIND_TYPES: Record<string, string> = {
  foreach: "Foreach",
  while: "While",
  subworkflow: "Subworkflow",
  template: "Template",
};

export function unbox(box: unknown): StepDef | null {
  if (!box || typeof box !== "object") return null;
  for (const kind of KINDS) {
    const raw = (box as Json)[kind];
    if (raw && typeof raw === "object") {
      const step = raw as Json;
      const transition = (step.transition as Json | undefined) ?? {};
      return {
        id: String(step.id),
        kind,
        type: kind === "step" ? String(step.type ?? "") : KIND_TYPES[kind],
        name: typeof step.name === "string" ? step.name : undefined,
        successors: ((transition.successors as Record<string, string>) ?? {}) as Record<string, string>,
        children: Array.isArray(step.steps) ? steps({ steps: step.steps }) : [],
        raw: step,
      };
    }
  }
  return null;
}

export function steps(workflow: Json | undefined): StepDef[] {
  const list = Array.isArray(workflow?.steps) ? (workflow!.steps as unknown[]) : [];
  return list.map(unbox).filter((step): step is StepDef => step !== null);
}

export function edges(list: StepDef[]): Edge[] {
  const ids = new Set(list.map((step) => step.id));
  return list.flatMap((step) =>
    Object.entries(step.successors)
      .filter(([to]) => ids.has(to))
      .map(([to, condition]) => ({ from: step.id, to, condition: String(condition) })),
  );
}

/** Step ids in the order they run first: a topological order, the definition's order
 * breaking ties (so a table of steps reads top to bottom like the graph). */
export function ordered(list: StepDef[]): StepDef[] {
  const incoming = new Map(list.map((step) => [step.id, 0]));
  for (const edge of edges(list)) incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  const byId = new Map(list.map((step) => [step.id, step]));
  const ready = list.filter((step) => incoming.get(step.id) === 0);
  const out: StepDef[] = [];
  while (ready.length > 0) {
    const step = ready.shift()!;
    out.push(step);
    for (const to of Object.keys(step.successors)) {
      if (!byId.has(to)) continue;
      const left = (incoming.get(to) ?? 0) - 1;
      incoming.set(to, left);
      if (left === 0) ready.push(byId.get(to)!);
    }
  }
  // a cycle (rejected by the server, but never lose a step here)
  for (const step of list) if (!out.includes(step)) out.push(step);
  return out;
}

/** The definition of a version answer (``GET …/versions/{v}``): its ``workflow``. */
export function workflowOf(version: Json | undefined): Json | undefined {
  return version?.workflow as Json | undefined;
}
