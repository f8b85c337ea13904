import { useState } from "react";
import { Link } from "wouter";
import { api, call, get } from "../lib/api";
import { usePoll } from "../lib/poll";
import type { ActionMap, StepAttempt } from "../lib/run";
import { childRun, loopWorkflow } from "../lib/run";
import { stepIsActive } from "../lib/status";
import { runHref } from "../pages/WorkflowsPage";
import { Iterations } from "./Iterations";
import { Logs } from "./Logs";
import { Confirm, Duration, ErrorBox, JsonView, Status, Time } from "./common";

const STEP_ACTIONS: Record<string, { verb: string; method: string; path: string; body?: unknown }> = {
  STOP: { verb: "Stop", method: "PUT", path: "stop" },
  KILL: { verb: "Kill", method: "PUT", path: "kill" },
  SKIP: { verb: "Skip", method: "PUT", path: "skip" },
  RESTART: {
    verb: "Restart",
    method: "POST",
    path: "restart",
    body: { restart_policy: "RESTART_FROM_SPECIFIC" },
  },
  BYPASS_STEP_DEPENDENCIES: { verb: "Bypass signals", method: "PUT", path: "bypass" },
};

function Breakpoint({ workflow, step }: { workflow: string; step: string }) {
  const path = `${api("workflows", "steps", "breakpoints")}?workflowId=${encodeURIComponent(workflow)}&stepId=${encodeURIComponent(step)}`;
  const found = usePoll(path, () => get<unknown[]>(path));
  const [error, setError] = useState<Error>();
  const set = found.data !== undefined && found.data.length > 0;
  const toggle = async () => {
    try {
      if (set) await call("DELETE", path);
      else
        await call("POST", api("workflows", "steps", "breakpoints"), {
          workflow_id: workflow,
          step_id: step,
        });
      setError(undefined);
      found.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <>
      <button type="button" onClick={toggle} disabled={found.data === undefined}>
        {set ? "Remove breakpoint" : "Set breakpoint"}
      </button>
      <ErrorBox error={error ?? found.error} what="change the breakpoint" />
    </>
  );
}

/** One step of a run: its attempts, state, params, artifacts, retries, logs and actions. */
export function StepPanel({
  run,
  stepId,
  latest,
  actionMap,
  onAction,
  closeHref,
}: {
  run: { workflow_id: string; workflow_instance_id: number; workflow_run_id: number };
  stepId: string;
  latest: StepAttempt | undefined;
  actionMap: ActionMap | undefined;
  onAction: () => void;
  closeHref: string;
}) {
  const [chosen, setChosen] = useState<number | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const attemptId = chosen ?? latest?.step_attempt_id;
  const base = [
    "workflows",
    run.workflow_id,
    "instances",
    run.workflow_instance_id,
    "runs",
    run.workflow_run_id,
    "steps",
    stepId,
    "attempts",
    attemptId ?? "latest",
  ] as const;
  const attemptPath = api(...base);
  // read again whenever the run's list of steps shows this one changed; a step not created
  // yet has nothing to read
  const attempt = usePoll(
    `${attemptPath}:${latest?.runtime_state.status}:${latest?.runtime_state.modify_time}`,
    async () => (latest ? get<StepAttempt>(attemptPath) : undefined),
  );
  const step = attempt.data;
  const status = step?.runtime_state.status;
  const live = stepIsActive(status);
  const actions = (latest && actionMap?.[latest.runtime_state.status]) ?? [];
  const loop = loopWorkflow(step);
  const child = childRun(step);
  const act = STEP_ACTIONS[pending ?? ""];

  return (
    <aside className="panel" aria-label={`step ${stepId}`}>
      <div className="heading">
        <h2>
          Step <span className="step-id">{stepId}</span> <Status status={status} />
        </h2>
        <Link href={closeHref} aria-label="close the step">
          Close
        </Link>
      </div>
      {!latest && <p className="muted">Not created in this run (yet).</p>}
      {latest && (
        <p>
          Attempt{" "}
          <select
            value={attemptId}
            onChange={(event) => setChosen(Number(event.target.value))}
            aria-label="attempt"
          >
            {Array.from({ length: latest.step_attempt_id }, (_, index) => index + 1).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>{" "}
          of {latest.step_attempt_id}. Started <Time ms={step?.runtime_state.start_time} />,{" "}
          {step?.runtime_state.end_time ? "took" : "running for"}{" "}
          <Duration from={step?.runtime_state.start_time} to={step?.runtime_state.end_time} />.
        </p>
      )}
      <div className="buttons left" role="group" aria-label="step actions">
        {actions
          .filter((action) => STEP_ACTIONS[action])
          .map((action) => (
            <button key={action} type="button" onClick={() => setPending(action)}>
              {STEP_ACTIONS[action].verb}
            </button>
          ))}
        <Breakpoint workflow={run.workflow_id} step={stepId} />
      </div>
      <ErrorBox error={attempt.error} what="read the step" />
      {child && (
        <p>
          Child run:{" "}
          <Link href={runHref(child)}>{`${child.workflow_id} instance ${child.workflow_instance_id}`}</Link>
        </p>
      )}
      {loop && <Iterations workflow={loop} />}
      {latest && attemptId !== undefined && <Logs base={[...base]} live={live} />}
      {step && (
        <>
          <details>
            <summary>Timeline</summary>
            <ul className="plain">
              {(step.timeline ?? []).map((event, index) => (
                <li key={index}>
                  <Time ms={event.timestamp} /> {event.status ?? event.message}
                </li>
              ))}
            </ul>
          </details>
          <details>
            <summary>Params (evaluated)</summary>
            <JsonView
              value={Object.fromEntries(
                Object.entries(step.params ?? {}).map(([name, param]) => [name, param.evaluated_result]),
              )}
            />
          </details>
          <details>
            <summary>Artifacts</summary>
            <JsonView value={step.artifacts ?? {}} />
          </details>
          <details>
            <summary>Retries</summary>
            <JsonView value={step.step_retry ?? {}} />
          </details>
        </>
      )}
      {act && (
        <Confirm
          title={`${act.verb} step ${stepId}?`}
          confirm={act.verb}
          onClose={() => setPending(null)}
          onConfirm={async () => {
            await call(
              act.method,
              api(
                "workflows",
                run.workflow_id,
                "instances",
                run.workflow_instance_id,
                "steps",
                stepId,
                "actions",
                act.path,
              ),
              act.body,
            );
            onAction();
          }}
        />
      )}
    </aside>
  );
}
