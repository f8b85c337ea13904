import { useCallback, useMemo, useState } from "react";
import { Link, useParams } from "wouter";
import { Graph } from "../components/Graph";
import type { NodeInfo } from "../components/Graph";
import { StepPanel } from "../components/StepPanel";
import { EtaLine } from "../components/EtaLine";
import { Notifications } from "../components/Notifications";
import { Confirm, Duration, ErrorBox, JsonView, Loading, Status, Time } from "../components/common";
import { api, call, get } from "../lib/api";
import { usePoll } from "../lib/poll";
import type { ActionMap, Run, StepAttempt } from "../lib/run";
import { loopProgress } from "../lib/run";
import { runIsFinal } from "../lib/status";
import type { StepDef } from "../lib/workflow";
import { ordered, steps as stepsOf } from "../lib/workflow";

const RUN_ACTIONS: Record<
  string,
  { verb: string; method: string; path: (run: Run) => (string | number)[]; explain: string }
> = {
  STOP: {
    verb: "Stop",
    method: "PUT",
    path: (r) => ["runs", r.workflow_run_id, "actions", "stop"],
    explain: "Running steps are stopped; the run ends STOPPED.",
  },
  KILL: {
    verb: "Kill",
    method: "PUT",
    path: (r) => ["runs", r.workflow_run_id, "actions", "kill"],
    explain: "Running steps are killed; the run ends FAILED.",
  },
  RESTART: {
    verb: "Restart",
    method: "POST",
    path: () => ["actions", "restart"],
    explain: "A new run of this instance starts.",
  },
  UNBLOCK: {
    verb: "Unblock",
    method: "PUT",
    path: (r) => ["runs", r.workflow_run_id, "actions", "unblock"],
    explain: "The failed run lets the next instances of its workflow start.",
  },
};

const FAST = 1000;
const SLOW = 5000;

/** ``/workflows/{id}/instances/{i}/runs/{r}[/steps/{step}]``: one run, live. */
export function RunPage() {
  const params = useParams<{ workflow: string; instance: string; run: string; step?: string }>();
  const { workflow, instance, step: openStep } = params;
  const runPath = api("workflows", workflow, "instances", instance, "runs", params.run);
  const run = usePoll(
    runPath,
    () => get<Run>(runPath),
    (data) => (runIsFinal(data?.status) ? SLOW : FAST),
  );
  const runId = run.data?.workflow_run_id;
  const stepsPath =
    runId === undefined ? "" : api("workflows", workflow, "instances", instance, "runs", runId, "steps");
  const stepList = usePoll(
    stepsPath,
    async () => (stepsPath ? get<StepAttempt[]>(stepsPath) : []),
    () => (runIsFinal(run.data?.status) ? SLOW : FAST),
  );
  const actionMaps = usePoll("action-maps", async () => ({
    run: await get<ActionMap>(api("workflows", "instances", "action-map")),
    step: await get<ActionMap>(api("workflows", "steps", "instances", "action-map")),
  }));
  const [pending, setPending] = useState<string | null>(null);
  const [policy, setPolicy] = useState("RESTART_FROM_INCOMPLETE");
  const runsPath = api("workflows", workflow, "instances", instance, "runs") + "?first=50";
  const runs = usePoll(
    runsPath,
    () => get<{ elements: { workflow_run_id: number; status: string }[] }>(runsPath),
    () => (runIsFinal(run.data?.status) ? SLOW : FAST),
  );

  const definition = run.data?.runtime_workflow;
  const steps = useMemo(() => stepsOf(definition), [definition]);
  const byId = useMemo(
    () => new Map((stepList.data ?? []).map((step) => [step.step_id, step])),
    [stepList.data],
  );
  const runBase = `/workflows/${encodeURIComponent(workflow)}/instances/${instance}/runs/${params.run}`;
  const stepHref = useCallback((id: string) => `${runBase}/steps/${encodeURIComponent(id)}`, [runBase]);
  const info = useCallback(
    (step: StepDef, path: string): NodeInfo => {
      if (path) return {}; // a loop's inner steps: their statuses live in the iterations
      const found = byId.get(step.id);
      return found
        ? { status: found.runtime_state.status, loop: loopProgress(found), href: stepHref(step.id) }
        : { planned: true, href: stepHref(step.id) };
    },
    [byId, stepHref],
  );
  const refresh = () => {
    run.reload();
    stepList.reload();
  };
  const act = pending && run.data ? RUN_ACTIONS[pending] : undefined;
  const allowed = (run.data && actionMaps.data?.run[run.data.status]) ?? [];

  return (
    <section className={openStep ? "with-panel" : undefined}>
      <nav className="crumbs" aria-label="breadcrumbs">
        <Link href="/">Workflows</Link> /{" "}
        <Link href={`/workflows/${encodeURIComponent(workflow)}`}>{workflow}</Link> / instance {instance} /
        run {runId ?? params.run}
      </nav>
      <ErrorBox error={run.error} what="read the run" />
      {run.loading && <Loading what="the run" />}
      {run.data && (
        <>
          <div className="heading">
            <h1>
              {workflow} <span className="muted">#{instance}</span>{" "}
              <span data-testid="run-status">
                <Status status={run.data.status} />
              </span>
            </h1>
            <div className="buttons" role="group" aria-label="run actions">
              {allowed
                .filter((action) => RUN_ACTIONS[action])
                .map((action) => (
                  <button
                    key={action}
                    type="button"
                    className={action === "KILL" ? "danger" : undefined}
                    onClick={() => setPending(action)}
                  >
                    {RUN_ACTIONS[action].verb}
                  </button>
                ))}
            </div>
          </div>
          <p className="muted">
            Version {run.data.workflow_version_id}, run {run.data.workflow_run_id}, started{" "}
            <Time ms={run.data.start_time ?? run.data.create_time} />,{" "}
            {run.data.end_time ? "took" : "running for"}{" "}
            <Duration from={run.data.start_time} to={run.data.end_time} />
            {run.data.initiator
              ? `, by ${String(run.data.initiator.type ?? "")}${run.data.initiator.user ? " " + String(run.data.initiator.user) : ""}`
              : ""}
            .
          </p>
          {run.data.eta && !runIsFinal(run.data.status) && <EtaLine eta={run.data.eta} />}
          {runs.data && runs.data.elements.length > 1 && (
            <nav className="runs-nav" aria-label="runs of this instance">
              Runs:{" "}
              {[...runs.data.elements].reverse().map((other) => (
                <Link
                  key={other.workflow_run_id}
                  href={`/workflows/${encodeURIComponent(workflow)}/instances/${instance}/runs/${other.workflow_run_id}`}
                  aria-current={other.workflow_run_id === runId ? "page" : undefined}
                >
                  {other.workflow_run_id} <Status status={other.status} />
                </Link>
              ))}
            </nav>
          )}
          <ErrorBox error={stepList.error} what="read the steps" />
          <div className="run-body">
            <div className="run-main">
              <Graph
                steps={steps}
                info={info}
                label={`the steps of run ${runId}`}
                height={440}
                fitKey={openStep ? "beside a step" : ""}
              />
              <h2>Steps</h2>
              <table className="list" aria-label="steps">
                <thead>
                  <tr>
                    <th>Step</th>
                    <th>Type</th>
                    <th>Status</th>
                    <th>Attempt</th>
                    <th>Started</th>
                    <th>Took</th>
                  </tr>
                </thead>
                <tbody>
                  {ordered(steps).map((step) => {
                    const found = byId.get(step.id);
                    return (
                      <tr key={step.id} className={found ? undefined : "planned"} data-step-row={step.id}>
                        <td>
                          <Link href={stepHref(step.id)} className="step-id">
                            {step.id}
                          </Link>
                        </td>
                        <td>{step.type}</td>
                        <td>
                          {found ? (
                            <Status status={found.runtime_state.status} />
                          ) : (
                            <span className="muted">planned</span>
                          )}
                        </td>
                        <td>{found?.step_attempt_id}</td>
                        <td>
                          <Time ms={found?.runtime_state.start_time} />
                        </td>
                        <td>
                          {found && (
                            <Duration
                              from={found.runtime_state.start_time}
                              to={found.runtime_state.end_time}
                            />
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <h2>Notifications</h2>
              {runId !== undefined && (
                <Notifications
                  workflow={workflow}
                  instance={instance}
                  runId={runId}
                  every={() => (runIsFinal(run.data?.status) ? SLOW : FAST)}
                />
              )}
              <details>
                <summary>Timeline</summary>
                <ul className="plain">
                  {(run.data.timeline ?? []).map((event, index) => (
                    <li key={index}>
                      <Time ms={event.timestamp} /> {event.status ? `status ${event.status}` : event.message}
                    </li>
                  ))}
                </ul>
              </details>
              <details>
                <summary>Params (evaluated)</summary>
                <JsonView
                  value={Object.fromEntries(
                    Object.entries(run.data.params ?? {}).map(([name, param]) => [
                      name,
                      param.evaluated_result,
                    ]),
                  )}
                />
              </details>
            </div>
            {openStep && runId !== undefined && (
              <StepPanel
                key={openStep}
                run={{
                  workflow_id: workflow,
                  workflow_instance_id: Number(instance),
                  workflow_run_id: runId,
                }}
                stepId={openStep}
                latest={byId.get(openStep)}
                actionMap={actionMaps.data?.step}
                onAction={refresh}
                closeHref={runBase}
              />
            )}
          </div>
          {act && run.data && (
            <Confirm
              title={`${act.verb} run ${run.data.workflow_run_id} of ${workflow} #${instance}?`}
              confirm={act.verb}
              onClose={() => setPending(null)}
              onConfirm={async () => {
                const body = pending === "RESTART" ? { restart_policy: policy } : undefined;
                await call(
                  act.method,
                  api("workflows", workflow, "instances", instance, ...act.path(run.data!)),
                  body,
                );
                refresh();
                runs.reload();
              }}
            >
              <p>{act.explain}</p>
              {pending === "RESTART" && (
                <label>
                  From
                  <select value={policy} onChange={(event) => setPolicy(event.target.value)}>
                    <option value="RESTART_FROM_INCOMPLETE">the steps that did not succeed</option>
                    <option value="RESTART_FROM_BEGINNING">the beginning</option>
                  </select>
                </label>
              )}
            </Confirm>
          )}
        </>
      )}
    </section>
  );
}
