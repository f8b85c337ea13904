import { useState } from "react";
import { ErrorBox, JsonView, Time } from "../components/common";
import { api, call, get, query } from "../lib/api";
import type { Json, Page } from "../lib/api";
import { usePoll } from "../lib/poll";

interface Signal {
  name: string;
  seq_id?: number;
  params?: Json;
  payload?: Json | null;
  create_time?: number;
  request_time?: number;
}

/** ``/signals``: the signals announced lately, and a form to announce one. */
export function SignalsPage() {
  const [name, setName] = useState("");
  const [params, setParams] = useState("{}");
  const [sent, setSent] = useState<Json>();
  const [error, setError] = useState<Error>();
  const [cursor, setCursor] = useState<string>("");
  const path = query(api("signals"), { first: 50, cursor });
  const recent = usePoll(
    path,
    () => get<Page<Signal>>(path),
    () => 2000,
  );

  const send = async () => {
    setError(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(params || "{}");
    } catch {
      setError(new Error("params: not a JSON object"));
      return;
    }
    try {
      setSent(await call("POST", api("signals"), { name, params: parsed }));
      recent.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };

  return (
    <section>
      <h1>Signals</h1>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <h2>Announce a signal</h2>
        <label>
          Name
          <input value={name} required onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          Params (a JSON object of strings and numbers)
          <textarea rows={3} value={params} onChange={(event) => setParams(event.target.value)} />
        </label>
        <div className="buttons left">
          <button type="submit" className="primary">
            Announce
          </button>
        </div>
        <ErrorBox error={error} what="announce the signal" />
        {sent && (
          <div role="status">
            Announced: <JsonView value={sent} />
          </div>
        )}
      </form>
      <h2>Recent signals</h2>
      <ErrorBox error={recent.error} what="read the signals" />
      {recent.data?.elements.length === 0 && <p className="muted">No signal yet.</p>}
      <table className="list">
        <thead>
          <tr>
            <th>Name</th>
            <th>Seq</th>
            <th>Params</th>
            <th>Announced</th>
          </tr>
        </thead>
        <tbody>
          {recent.data?.elements.map((signal) => (
            <tr key={`${signal.name}:${signal.seq_id}`}>
              <td>{signal.name}</td>
              <td>{signal.seq_id}</td>
              <td>
                <code>{JSON.stringify(signal.params ?? {})}</code>
              </td>
              <td>
                <Time ms={signal.create_time} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="pager">
        {cursor && (
          <button type="button" onClick={() => setCursor("")}>
            Newest
          </button>
        )}
        {recent.data?.cursor && (
          <button type="button" onClick={() => setCursor(recent.data!.cursor!)}>
            Older
          </button>
        )}
      </div>
    </section>
  );
}
