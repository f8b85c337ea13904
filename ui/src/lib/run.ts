import type { Eta } from "./alerting";
import type { Json } from "./workflow";

export interface RuntimeState {
  status: string;
  create_time?: number;
  start_time?: number;
  end_time?: number;
  modify_time?: number;
}

export interface StepAttempt extends Json {
  workflow_id: string;
  workflow_instance_id: number;
  workflow_run_id: number;
  step_id: string;
  step_attempt_id: number;
  definition?: Json;
  params?: Record<string, { evaluated_result?: unknown; type?: string }>;
  artifacts?: Record<string, Json>;
  runtime_state: RuntimeState;
  step_retry?: Json;
  timeline?: TimelineEvent[];
}

export interface TimelineEvent {
  timestamp: number;
  type?: string;
  status?: string;
  level?: string;
  message?: string;
}

export interface Run extends Json {
  workflow_id: string;
  workflow_instance_id: number;
  workflow_run_id: number;
  workflow_version_id: number;
  status: string;
  runtime_workflow?: Json;
  params?: Record<string, { evaluated_result?: unknown; type?: string }>;
  initiator?: Json;
  create_time?: number;
  start_time?: number;
  end_time?: number;
  timeline?: TimelineEvent[];
  /** The predicted end, while the run is in progress and its workflow has history. */
  eta?: Eta;
}

/** What a loop step's artifact says of its progress: a foreach counts its iterations by
 * status; a while counts its iterations, and its inner steps by status. */
export function loopProgress(
  step: StepAttempt | undefined,
): { counts: Record<string, number>; unit: "iterations" | "steps"; iterations?: number } | undefined {
  const foreach = step?.artifacts?.maestro_foreach as Json | undefined;
  if (foreach) {
    const overview = (foreach.foreach_overview as Json | undefined) ?? {};
    const counts: Record<string, number> = {};
    for (const key of ["stats", "running_stats"]) {
      for (const [status, count] of Object.entries((overview[key] as Record<string, number>) ?? {})) {
        counts[status] = (counts[status] ?? 0) + count;
      }
    }
    return { counts, unit: "iterations" };
  }
  const loop = step?.artifacts?.maestro_while as Json | undefined;
  if (loop) {
    const overview = ((loop.rollup as Json | undefined)?.overview as Record<string, { cnt: number }>) ?? {};
    const counts = Object.fromEntries(Object.entries(overview).map(([status, value]) => [status, value.cnt]));
    const iterations = Math.max(0, Number(loop.last_iteration ?? 0) - Number(loop.first_iteration ?? 1) + 1);
    return { counts, unit: "steps", iterations };
  }
  return undefined;
}

/** The inline workflow whose instances are a loop step's iterations. */
export function loopWorkflow(step: StepAttempt | undefined): string | undefined {
  const foreach = step?.artifacts?.maestro_foreach as Json | undefined;
  if (foreach?.foreach_workflow_id) return String(foreach.foreach_workflow_id);
  const loop = step?.artifacts?.maestro_while as Json | undefined;
  if (loop?.loop_workflow_id) return String(loop.loop_workflow_id);
  return undefined;
}

/** The child run a subworkflow step started. */
export function childRun(
  step: StepAttempt | undefined,
): { workflow_id: string; workflow_instance_id: number; workflow_run_id: number } | undefined {
  const sub = step?.artifacts?.maestro_subworkflow as Json | undefined;
  if (!sub?.subworkflow_id || sub.subworkflow_instance_id == null) return undefined;
  return {
    workflow_id: String(sub.subworkflow_id),
    workflow_instance_id: Number(sub.subworkflow_instance_id),
    workflow_run_id: Number(sub.subworkflow_run_id ?? 1),
  };
}

/** What the server's action maps allow, by status (``GET …/action-map``). */
export type ActionMap = Record<string, string[]>;
