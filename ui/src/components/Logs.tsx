import { useEffect, useRef, useState } from "react";
import { api, query, request } from "../lib/api";
import { ErrorBox } from "./common";

const MAX_CHARS = 2_000_000;

/** An attempt's stdout or stderr: its last lines first, then what is appended, read every
 * second while ``live`` (the attempt runs) and once more when it ends. */
export function Logs({ base, live }: { base: (string | number)[]; live: boolean }) {
  const [stream, setStream] = useState<"stdout" | "stderr">("stdout");
  const [text, setText] = useState("");
  const [error, setError] = useState<Error>();
  const offset = useRef<number | null>(null);
  const box = useRef<HTMLPreElement>(null);
  const key = [...base, stream].join("/");

  useEffect(() => {
    setText("");
    offset.current = null;
  }, [key]);

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const path = api(...base, "logs");
        const params = offset.current === null ? { stream, tail: 2000 } : { stream, offset: offset.current };
        const response = await request("GET", query(path, params));
        const chunk = await response.text();
        if (!alive) return;
        const next = response.headers.get("x-log-next-offset");
        if (next !== null) offset.current = Number(next);
        if (chunk) setText((old) => (old + chunk).slice(-MAX_CHARS));
        setError(undefined);
      } catch (failure) {
        if (alive) setError(failure as Error);
      }
      if (alive && live) timer = setTimeout(read, 1000);
    };
    void read();
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
  }, [key, live]);

  useEffect(() => {
    const element = box.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [text]);

  return (
    <section className="logs">
      <div className="tabs" role="tablist" aria-label="log stream">
        {(["stdout", "stderr"] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={stream === name}
            onClick={() => setStream(name)}
          >
            {name}
          </button>
        ))}
        {live && <span className="muted small">following…</span>}
      </div>
      <ErrorBox error={error} what="read the log" />
      <pre ref={box} className="log" tabIndex={0} aria-label={`${stream} of the step`} data-testid="step-log">
        {text || (error ? "" : "(empty)")}
      </pre>
    </section>
  );
}
