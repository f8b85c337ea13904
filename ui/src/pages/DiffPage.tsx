import { diffLines } from "diff";
import { useCallback, useMemo } from "react";
import { Link, useLocation, useParams, useSearch } from "wouter";
import { Graph } from "../components/Graph";
import type { NodeInfo } from "../components/Graph";
import { ErrorBox, Loading } from "../components/common";
import { api, get, query } from "../lib/api";
import { canonical, diffWorkflows } from "../lib/diff";
import type { StepChange } from "../lib/diff";
import { usePoll } from "../lib/poll";
import type { Json, StepDef } from "../lib/workflow";
import { steps as stepsOf, workflowOf } from "../lib/workflow";

/** Lines added and removed between two texts, marked with words as well as colour. */
export function TextDiff({ before, after }: { before: string; after: string }) {
  const parts = diffLines(before, after);
  return (
    <pre className="text-diff">
      {parts.map((part, index) => (
        <span key={index} className={part.added ? "line-added" : part.removed ? "line-removed" : undefined}>
          {part.value
            .replace(/\n$/, "")
            .split("\n")
            .map((line) => `${part.added ? "+ " : part.removed ? "- " : "  "}${line}`)
            .join("\n") + "\n"}
        </span>
      ))}
    </pre>
  );
}

function stepText(change: StepChange, side: "before" | "after"): string {
  const step = change[side];
  return step ? canonical(step.raw) : "";
}

/** ``/workflows/{id}/diff?from=A&to=B``: what changed between two versions. */
export function DiffPage() {
  const { workflow } = useParams<{ workflow: string }>();
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const from = search.get("from") ?? "";
  const to = search.get("to") ?? "latest";
  const versions = usePoll(`${workflow}:${from}:${to}`, async () => {
    const read = (v: string) => get<Json>(api("workflows", workflow, "versions", v));
    const after = await read(to);
    const toId = Number((after.metadata as Json).workflow_version_id);
    const before = await read(from || String(Math.max(1, toId - 1)));
    return { before, after };
  });
  const before = workflowOf(versions.data?.before);
  const after = workflowOf(versions.data?.after);
  const diff = useMemo(() => diffWorkflows(before, after), [before, after]);
  const union = useMemo(() => {
    // the new version's steps, with the removed ones where they were
    const removed = stepsOf(before).filter((step) => !stepsOf(after).some((s) => s.id === step.id));
    return [...stepsOf(after), ...removed];
  }, [before, after]);
  const changes = useMemo(() => new Map(diff.steps.map((change) => [change.id, change.change])), [diff]);
  const info = useCallback(
    (step: StepDef, path: string): NodeInfo => {
      const change = path ? undefined : changes.get(step.id);
      return change && change !== "same" ? { change } : {};
    },
    [changes],
  );
  const versionOf = (side: Json | undefined) =>
    (side?.metadata as Json | undefined)?.workflow_version_id as number | undefined;
  const fromId = versionOf(versions.data?.before);
  const toId = versionOf(versions.data?.after);
  const listed = diff.steps.filter((change) => change.change !== "same");
  const edgeChanges = diff.edges.filter((change) => change.change !== "same");

  return (
    <section>
      <nav className="crumbs" aria-label="breadcrumbs">
        <Link href="/">Workflows</Link> /{" "}
        <Link href={`/workflows/${encodeURIComponent(workflow)}`}>{workflow}</Link> / diff
      </nav>
      <h1>
        {workflow}: version {fromId ?? from} → {toId ?? to}
      </h1>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          navigate(
            query(`/workflows/${encodeURIComponent(workflow)}/diff`, {
              from: String(data.get("from")),
              to: String(data.get("to")),
            }),
          );
        }}
      >
        <label>
          From version <input name="from" defaultValue={from} key={`f${from}`} inputMode="numeric" />
        </label>
        <label>
          To version <input name="to" defaultValue={to} key={`t${to}`} />
        </label>
        <button type="submit">Compare</button>
      </form>
      <ErrorBox error={versions.error} what="read the versions" />
      {versions.loading && <Loading what="the versions" />}
      {versions.data && (
        <>
          <Graph steps={union} info={info} label="the steps, changes marked" />
          <h2>Steps</h2>
          {listed.length === 0 && <p>No step changed.</p>}
          <ul className="changes" aria-label="step changes">
            {listed.map((change) => (
              <li key={change.id} className={`change-${change.change}`}>
                <span className="step-id">{change.id}</span>{" "}
                <span className={`word change-word-${change.change}`}>{change.change}</span>
                {change.change === "changed" && (
                  <TextDiff before={stepText(change, "before")} after={stepText(change, "after")} />
                )}
              </li>
            ))}
          </ul>
          <h2>Edges</h2>
          {edgeChanges.length === 0 && <p>No edge changed.</p>}
          <ul className="changes" aria-label="edge changes">
            {edgeChanges.map((change) => (
              <li key={`${change.from}->${change.to}`} className={`change-${change.change}`}>
                {change.from} → {change.to}{" "}
                <span className={`word change-word-${change.change}`}>{change.change}</span>
                {change.change === "changed" && ` (condition ${change.before} → ${change.after})`}
              </li>
            ))}
          </ul>
          <h2>Workflow params</h2>
          {diff.params ? (
            <TextDiff before={diff.params.before} after={diff.params.after} />
          ) : (
            <p>No param changed.</p>
          )}
        </>
      )}
    </section>
  );
}
