import { describe, expect, it } from "vitest";
import type { StepAttempt } from "./run";
import { childRun, loopProgress, loopWorkflow } from "./run";

const attempt = (artifacts: Record<string, unknown>) =>
  ({ step_id: "s", runtime_state: { status: "RUNNING" }, artifacts }) as unknown as StepAttempt;

describe("loop steps", () => {
  it("counts a foreach's iterations by status, finished and running together", () => {
    const step = attempt({
      maestro_foreach: {
        foreach_workflow_id: "maestro_foreach_x",
        foreach_overview: {
          stats: { SUCCEEDED: 9000, FAILED: 2 },
          running_stats: { IN_PROGRESS: 40, FAILED: 1 },
        },
      },
    });
    expect(loopProgress(step)).toEqual({
      counts: { SUCCEEDED: 9000, FAILED: 3, IN_PROGRESS: 40 },
      unit: "iterations",
    });
    expect(loopWorkflow(step)).toBe("maestro_foreach_x");
  });

  it("counts a while's iterations, and its inner steps by status", () => {
    const step = attempt({
      maestro_while: {
        loop_workflow_id: "maestro_while_y",
        first_iteration: 1,
        last_iteration: 4,
        rollup: { overview: { SUCCEEDED: { cnt: 7 }, RUNNING: { cnt: 1 } } },
      },
    });
    expect(loopProgress(step)).toEqual({
      counts: { SUCCEEDED: 7, RUNNING: 1 },
      unit: "steps",
      iterations: 4,
    });
    expect(loopWorkflow(step)).toBe("maestro_while_y");
  });

  it("finds a subworkflow's child run, and nothing on other steps", () => {
    const sub = attempt({ maestro_subworkflow: { subworkflow_id: "child", subworkflow_instance_id: 3 } });
    expect(childRun(sub)).toEqual({ workflow_id: "child", workflow_instance_id: 3, workflow_run_id: 1 });
    expect(childRun(attempt({}))).toBeUndefined();
    expect(loopProgress(attempt({}))).toBeUndefined();
  });
});
