import { useEffect, useRef, useState } from "react";
import type { ReactNode } from "react";
import { ApiError } from "../lib/api";
import { duration, localTime, relativeTime } from "../lib/format";
import { label, tone } from "../lib/status";

export function Status({ status }: { status: string | undefined }) {
  if (!status) return null;
  return (
    <span className={`badge tone-${tone(status)}`} data-status={status}>
      {label(status)}
    </span>
  );
}

/** A time relative to now (kept fresh), the local date and time on hover and focus. */
export function Time({ ms }: { ms: number | null | undefined }) {
  const [, setNow] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setNow((n) => n + 1), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (ms == null) return <span className="muted">—</span>;
  const iso = new Date(ms).toISOString();
  return (
    <time dateTime={iso} title={localTime(ms)} tabIndex={0}>
      {relativeTime(ms)}
    </time>
  );
}

export function Duration({ from, to }: { from?: number | null; to?: number | null }) {
  if (from == null) return <span className="muted">—</span>;
  return <span>{duration((to ?? Date.now()) - from)}</span>;
}

/** An API error in words: its message and every detail the server gave. */
export function ErrorBox({ error, what }: { error: Error | undefined; what?: string }) {
  if (!error) return null;
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div className="error" role="alert">
      <strong>{what ? `Could not ${what}: ` : ""}</strong>
      {error.message}
      {details.length > 0 && (
        <ul>
          {details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-busy="true">
      Loading {what}…
    </p>
  );
}

/** A modal confirmation (the native dialog element: focus trapped, Escape cancels). */
export function Confirm({
  title,
  children,
  confirm,
  onConfirm,
  onClose,
}: {
  title: string;
  children?: ReactNode;
  confirm: string;
  onConfirm: () => Promise<void> | void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
  }, []);
  const go = async () => {
    setBusy(true);
    try {
      await onConfirm();
      onClose();
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-labelledby="dialog-title">
      <h2 id="dialog-title">{title}</h2>
      {children}
      <ErrorBox error={error} />
      <div className="buttons">
        {/* Cancel has the focus: Enter on a dialog that just opened never stops or kills */}
        <button type="button" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={go} disabled={busy}>
          {confirm}
        </button>
      </div>
    </dialog>
  );
}

/** A JSON value as indented text. */
export function JsonView({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
