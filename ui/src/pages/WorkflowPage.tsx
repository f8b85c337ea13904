import { useMemo, useState } from "react";
import { Link, useLocation, useParams, useSearch } from "wouter";
import { Graph } from "../components/Graph";
import type { NodeInfo } from "../components/Graph";
import { StartForm } from "../components/StartForm";
import { ErrorBox, JsonView, Loading, Status, Time } from "../components/common";
import { api, get, query } from "../lib/api";
import type { Page } from "../lib/api";
import { usePoll } from "../lib/poll";
import type { Json, StepDef } from "../lib/workflow";
import { ordered, steps as stepsOf, workflowOf } from "../lib/workflow";
import { runHref } from "./WorkflowsPage";
import type { RunSummary } from "./WorkflowsPage";

interface Version extends Json {
  metadata: { workflow_version_id: number; create_time: number; version_author?: unknown };
  workflow: Json;
  properties_snapshot?: Json;
  is_active?: boolean;
}

interface Trigger {
  kind: string;
  definition: Json;
  next_fire_time?: number | null;
}

/** A subworkflow step's node opens the workflow it starts (when its id is a plain value). */
function subworkflowLink(step: StepDef): NodeInfo {
  const param = (step.raw.params as Json | undefined)?.subworkflow_id as Json | undefined;
  const target = param?.value;
  return step.kind === "subworkflow" && typeof target === "string"
    ? { href: `/workflows/${encodeURIComponent(target)}` }
    : {};
}

function author(value: unknown): string {
  if (value && typeof value === "object" && "name" in value) return String((value as Json).name);
  return value == null ? "" : String(value);
}

function Versions({ workflow, shown }: { workflow: string; shown: number }) {
  const [first, setFirst] = useState(20);
  const path = query(api("workflows", workflow, "versions", "pagination"), { first });
  const versions = usePoll(path, () => get<{ elements: Version[]; total_count: number }>(path));
  return (
    <section>
      <h2>Versions</h2>
      <ErrorBox error={versions.error} what="read the versions" />
      <ul className="plain">
        {versions.data?.elements.map((version) => {
          const id = version.metadata.workflow_version_id;
          return (
            <li key={id}>
              <Link
                href={query(`/workflows/${encodeURIComponent(workflow)}`, { version: id })}
                aria-current={id === shown ? "page" : undefined}
              >
                version {id}
              </Link>{" "}
              <span className="muted small">
                by {author(version.metadata.version_author)} <Time ms={version.metadata.create_time} />
              </span>
              {id > 1 && (
                <>
                  {" "}
                  <Link
                    href={query(`/workflows/${encodeURIComponent(workflow)}/diff`, { from: id - 1, to: id })}
                  >
                    diff with {id - 1}
                  </Link>
                </>
              )}
            </li>
          );
        })}
      </ul>
      {versions.data && versions.data.total_count > first && (
        <button type="button" onClick={() => setFirst(first + 20)}>
          More versions
        </button>
      )}
    </section>
  );
}

function Triggers({ workflow, definition }: { workflow: string; definition: Json }) {
  const path = api("workflows", workflow, "triggers");
  const stored = usePoll(
    path,
    () => get<{ elements: Trigger[] }>(path),
    () => 30_000,
  );
  const declared = [
    ...((definition.time_triggers as Json[] | undefined) ?? []).map((t) => ({ kind: "time", definition: t })),
    ...((definition.signal_triggers as Json[] | undefined) ?? []).map((t) => ({
      kind: "signal",
      definition: t,
    })),
  ];
  const list: Trigger[] = stored.data?.elements.length ? stored.data.elements : declared;
  if (list.length === 0) return null;
  return (
    <section>
      <h2>Triggers</h2>
      <ErrorBox error={stored.error} what="read the triggers" />
      <table className="list">
        <thead>
          <tr>
            <th>Kind</th>
            <th>Definition</th>
            <th>Next fire</th>
          </tr>
        </thead>
        <tbody>
          {list.map((trigger, index) => (
            <tr key={index}>
              <td>{trigger.kind}</td>
              <td>
                <code>{JSON.stringify(trigger.definition)}</code>
              </td>
              <td>
                {trigger.kind === "time" ? (
                  <Time ms={trigger.next_fire_time} />
                ) : (
                  <span className="muted">on signals</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RecentRuns({ workflow }: { workflow: string }) {
  const path = query(api("instances"), { workflow_id: workflow, first: 20 });
  const runs = usePoll(
    path,
    () => get<Page<RunSummary>>(path),
    () => 1000,
  );
  return (
    <section>
      <h2>Recent runs</h2>
      <ErrorBox error={runs.error} what="read the runs" />
      {runs.data?.elements.length === 0 && <p className="muted">No runs yet.</p>}
      <table className="list">
        <tbody>
          {runs.data?.elements.map((run) => (
            <tr key={run.workflow_instance_id}>
              <td>
                <Link href={runHref(run)}>
                  instance {run.workflow_instance_id} run {run.workflow_run_id}
                </Link>
              </td>
              <td>
                <Status status={run.status} />
              </td>
              <td>version {run.workflow_version_id}</td>
              <td>
                <Time ms={run.create_time} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** ``/workflows/{id}``: one workflow's definition (graph and table), versions, properties,
 * triggers and runs, and the Start form. ``?version=N`` shows another version. */
export function WorkflowPage() {
  const { workflow } = useParams<{ workflow: string }>();
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const wanted = search.get("version") ?? "default";
  const [starting, setStarting] = useState(false);
  const path = api("workflows", workflow, "versions", wanted);
  const version = usePoll(path, () => get<Version>(path));
  const definition = workflowOf(version.data);
  const steps = useMemo(() => stepsOf(definition), [definition]);
  const id = version.data?.metadata.workflow_version_id;

  return (
    <section>
      <nav className="crumbs" aria-label="breadcrumbs">
        <Link href="/">Workflows</Link> / <span>{workflow}</span>
      </nav>
      <div className="heading">
        <h1>{workflow}</h1>
        {definition && (
          <button type="button" className="primary" onClick={() => setStarting(true)}>
            Start
          </button>
        )}
      </div>
      <ErrorBox error={version.error} what={`read workflow ${workflow}`} />
      {version.loading && <Loading what="the definition" />}
      {definition && id !== undefined && (
        <>
          <p>
            {definition.name ? <strong>{String(definition.name)}</strong> : null}{" "}
            {definition.description ? <span className="muted">{String(definition.description)}</span> : null}
          </p>
          <p className="muted">
            Version {id}
            {wanted !== "default" && (
              <>
                {" "}
                (
                <button
                  type="button"
                  className="link"
                  onClick={() => navigate(`/workflows/${encodeURIComponent(workflow)}`)}
                >
                  show the default version
                </button>
                )
              </>
            )}
          </p>
          <h2>Graph</h2>
          <Graph steps={steps} info={subworkflowLink} label={`the steps of ${workflow}`} />
          <h2>Steps</h2>
          <table className="list" aria-label="steps">
            <thead>
              <tr>
                <th>Step</th>
                <th>Type</th>
                <th>Name</th>
                <th>Next steps (condition)</th>
              </tr>
            </thead>
            <tbody>
              {ordered(steps).map((step) => (
                <tr key={step.id}>
                  <td className="step-id">{step.id}</td>
                  <td>{step.type}</td>
                  <td>{step.name}</td>
                  <td>
                    {Object.entries(step.successors)
                      .map(([to, condition]) => (condition === "true" ? to : `${to} (${condition})`))
                      .join(", ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="columns">
            <RecentRuns workflow={workflow} />
            <Versions workflow={workflow} shown={id} />
          </div>
          <Triggers workflow={workflow} definition={definition} />
          <details>
            <summary>Properties</summary>
            <JsonView value={version.data?.properties_snapshot} />
          </details>
          <details>
            <summary>Definition</summary>
            <JsonView value={definition} />
          </details>
          {starting && (
            <StartForm
              workflowId={workflow}
              version={id}
              params={(definition.params as Record<string, Json>) ?? {}}
              onClose={() => setStarting(false)}
            />
          )}
        </>
      )}
    </section>
  );
}
