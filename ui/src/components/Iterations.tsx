import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { Link } from "wouter";
import { api, get, query } from "../lib/api";
import type { Page } from "../lib/api";
import type { RunSummary } from "../pages/WorkflowsPage";
import { runHref } from "../pages/WorkflowsPage";
import { ErrorBox, Status, Time } from "./common";

const ROW = 34;
const STATUSES = ["", "SUCCEEDED", "IN_PROGRESS", "FAILED", "STOPPED", "CREATED", "TIMED_OUT"];

/** The iterations of a foreach or while step (its inline workflow's instances), filtered by
 * status, read page by page as the list scrolls and drawn only where visible. */
export function Iterations({ workflow }: { workflow: string }) {
  const [status, setStatus] = useState("");
  const [rows, setRows] = useState<RunSummary[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);

  // the filter the rows are read for: an answer to one changed since is dropped, or a slow
  // answer to the filter left would replace the rows of the one chosen
  const shown = useRef("");

  const more = async (from: string | null | undefined, reset: boolean) => {
    if (from === null || (busy && !reset)) return;
    const key = `${workflow}\n${status}`;
    if (reset) shown.current = key;
    setBusy(true);
    try {
      const page = await get<Page<RunSummary>>(
        query(api("instances"), { workflow_id: workflow, status, first: 200, cursor: from }),
      );
      if (shown.current !== key) return;
      setRows((old) => (reset ? page.elements : [...old, ...page.elements]));
      setCursor(page.cursor);
      setError(undefined);
    } catch (failure) {
      if (shown.current === key) setError(failure as Error);
    } finally {
      if (shown.current === key) setBusy(false);
    }
  };

  useEffect(() => {
    setRows([]);
    setCursor(undefined);
    void more(undefined, true);
  }, [workflow, status]);

  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 10,
  });
  const items = virtual.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 20 && cursor) void more(cursor, false);
  }, [last?.index, rows.length, cursor]);

  return (
    <section className="iterations">
      <h3>Iterations</h3>
      <label>
        Status{" "}
        <select value={status} onChange={(event) => setStatus(event.target.value)}>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {value || "any"}
            </option>
          ))}
        </select>
      </label>{" "}
      <span className="muted small">
        {rows.length} shown{cursor ? ", more as you scroll" : ""}
      </span>
      <ErrorBox error={error} what="read the iterations" />
      <div ref={scroller} className="scroller" role="list" aria-label="iterations">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const run = rows[item.index];
            return (
              <div
                key={item.key}
                role="listitem"
                className="row"
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <Link href={runHref(run)}>iteration {run.workflow_instance_id}</Link>{" "}
                <Status status={run.status} /> <Time ms={run.start_time ?? run.create_time} />
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
