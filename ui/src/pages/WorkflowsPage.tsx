import { useState } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { ErrorBox, Loading, Status, Time } from "../components/common";
import { api, get, query } from "../lib/api";
import type { Page } from "../lib/api";
import { usePoll } from "../lib/poll";

export interface WorkflowSummary {
  workflow_id: string;
  name?: string;
  owner?: string;
  tags: string[];
  active_version_id: number;
  latest_version_id: number;
  latest_instance_id: number;
  modify_time: number;
  next_trigger_time?: number | null;
}

export interface RunSummary {
  workflow_id: string;
  workflow_instance_id: number;
  workflow_run_id: number;
  workflow_version_id: number;
  status: string;
  initiator?: { type?: string; user?: string };
  create_time: number;
  start_time?: number | null;
  end_time?: number | null;
}

export function runHref(run: { workflow_id: string; workflow_instance_id: number; workflow_run_id: number }) {
  return `/workflows/${encodeURIComponent(run.workflow_id)}/instances/${run.workflow_instance_id}/runs/${run.workflow_run_id}`;
}

function LastRuns({ workflow }: { workflow: string }) {
  const runs = usePoll(
    `runs:${workflow}`,
    () => get<Page<RunSummary>>(query(api("instances"), { workflow_id: workflow, first: 5 })),
    () => 5000,
  );
  if (runs.error) return <span className="muted">unavailable</span>;
  if (!runs.data) return null;
  if (runs.data.elements.length === 0) return <span className="muted">no runs</span>;
  return (
    <span className="runs">
      {runs.data.elements.map((run) => (
        <Link
          key={run.workflow_instance_id}
          href={runHref(run)}
          aria-label={`run ${run.workflow_instance_id}: ${run.status}`}
        >
          <Status status={run.status} />
        </Link>
      ))}
    </span>
  );
}

/** ``/``: the workflows, searched by id text, owner or tag (kept in the address), paged. */
export function WorkflowsPage() {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const q = search.get("q") ?? "";
  const owner = search.get("owner") ?? "";
  const tag = search.get("tag") ?? "";
  const cursor = search.get("cursor") ?? "";
  const [form, setForm] = useState({ q, owner, tag });
  const path = query(api("workflows"), { q, owner, tag, cursor, first: 50 });
  const page = usePoll(
    path,
    () => get<Page<WorkflowSummary>>(path),
    () => 5000,
  );
  const go = (params: Record<string, string>) => navigate(query("/", params));

  return (
    <section>
      <h1>Workflows</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          go(form);
        }}
      >
        <label>
          Id contains
          <input value={form.q} onChange={(event) => setForm({ ...form, q: event.target.value })} />
        </label>
        <label>
          Owner
          <input value={form.owner} onChange={(event) => setForm({ ...form, owner: event.target.value })} />
        </label>
        <label>
          Tag
          <input value={form.tag} onChange={(event) => setForm({ ...form, tag: event.target.value })} />
        </label>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={page.error} what="list the workflows" />
      {page.loading && <Loading what="workflows" />}
      {page.data && (
        <>
          <table className="list">
            <thead>
              <tr>
                <th>Workflow</th>
                <th>Owner</th>
                <th>Tags</th>
                <th>Active version</th>
                <th>Last runs</th>
                <th>Next trigger</th>
                <th>Changed</th>
              </tr>
            </thead>
            <tbody>
              {page.data.elements.map((workflow) => (
                <tr key={workflow.workflow_id}>
                  <td>
                    <Link href={`/workflows/${encodeURIComponent(workflow.workflow_id)}`}>
                      {workflow.workflow_id}
                    </Link>
                    {workflow.name && <div className="muted small">{workflow.name}</div>}
                  </td>
                  <td>{workflow.owner}</td>
                  <td>
                    {workflow.tags.map((name) => (
                      <span key={name} className="tag">
                        {name}
                      </span>
                    ))}
                  </td>
                  <td>
                    {workflow.active_version_id > 0 ? (
                      workflow.active_version_id
                    ) : (
                      <span className="muted">inactive</span>
                    )}
                  </td>
                  <td>
                    <LastRuns workflow={workflow.workflow_id} />
                  </td>
                  <td>
                    <Time ms={workflow.next_trigger_time} />
                  </td>
                  <td>
                    <Time ms={workflow.modify_time} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.data.elements.length === 0 && <p className="muted">No workflow matches.</p>}
          <div className="pager">
            {cursor && (
              <button type="button" onClick={() => go({ q, owner, tag })}>
                First page
              </button>
            )}
            {page.data.cursor && (
              <button type="button" onClick={() => go({ q, owner, tag, cursor: page.data!.cursor! })}>
                Next page
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}
