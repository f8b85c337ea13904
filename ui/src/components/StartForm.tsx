import { useEffect, useRef, useState } from "react";
import { useLocation } from "wouter";
import { api, call } from "../lib/api";
import type { Json } from "../lib/workflow";
import { ErrorBox } from "./common";
import { runHref } from "../pages/WorkflowsPage";

interface ParamDef {
  type?: string;
  value?: unknown;
  expression?: string;
}

const SCALARS = new Set(["STRING", "LONG", "DOUBLE", "BOOLEAN"]);

/** The text a field starts with: the default value, as JSON for arrays and maps. */
export function initialText(param: ParamDef): string {
  if (param.value === undefined || param.value === null) return "";
  if (SCALARS.has(param.type ?? "STRING")) return String(param.value);
  return JSON.stringify(param.value);
}

/** A field's text as the param value its type asks for; throws with the reason. */
export function parseParam(name: string, type: string, text: string): unknown {
  switch (type) {
    case "STRING":
      return text;
    case "LONG": {
      if (!/^-?\d+$/.test(text.trim())) throw new Error(`${name}: [${text}] is not a whole number`);
      return Number(text.trim());
    }
    case "DOUBLE": {
      const value = Number(text.trim());
      if (text.trim() === "" || Number.isNaN(value)) throw new Error(`${name}: [${text}] is not a number`);
      return value;
    }
    case "BOOLEAN":
      return text === "true";
    default:
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`${name}: [${text}] is not JSON (a ${type} is written as JSON)`);
      }
  }
}

/** A form generated from the version's typed params, defaults prefilled; only the params
 * changed from their default are sent as run params. */
export function StartForm({
  workflowId,
  version,
  params,
  onClose,
}: {
  workflowId: string;
  version: number | string;
  params: Record<string, ParamDef>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [, navigate] = useLocation();
  const names = Object.keys(params);
  const initial = Object.fromEntries(names.map((name) => [name, initialText(params[name])]));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal?.();
  }, []);

  const submit = async () => {
    setError(undefined);
    const runParams: Json = {};
    try {
      for (const name of names) {
        if (values[name] === initial[name]) continue;
        const type = params[name].type ?? "STRING";
        runParams[name] = { value: parseParam(name, type, values[name]), type };
      }
    } catch (bad) {
      setError(bad as Error);
      return;
    }
    setBusy(true);
    try {
      const started = await call<{ workflow_instance_id: number; workflow_run_id: number }>(
        "POST",
        api("workflows", workflowId, "versions", version, "actions", "start"),
        { initiator: { type: "MANUAL" }, run_params: runParams },
      );
      onClose();
      navigate(runHref({ workflow_id: workflowId, ...started }));
    } catch (failure) {
      setError(failure as Error);
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog wide" onClose={onClose} aria-labelledby="start-title">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h2 id="start-title">
          Start {workflowId} (version {version})
        </h2>
        {names.length === 0 && <p className="muted">This version declares no params.</p>}
        {names.map((name) => {
          const param = params[name];
          const type = param.type ?? "STRING";
          return (
            <label key={name}>
              {name} <span className="muted small">{type}</span>
              {type === "BOOLEAN" ? (
                <select
                  value={values[name] || "false"}
                  onChange={(event) => setValues({ ...values, [name]: event.target.value })}
                >
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : (
                <input
                  value={values[name]}
                  placeholder={param.expression ? `= ${param.expression}` : undefined}
                  onChange={(event) => setValues({ ...values, [name]: event.target.value })}
                />
              )}
            </label>
          );
        })}
        <ErrorBox error={error} what="start the run" />
        <div className="buttons">
          <button type="button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Start run
          </button>
        </div>
      </form>
    </dialog>
  );
}
