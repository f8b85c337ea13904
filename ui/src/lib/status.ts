// Status words, their tone (colour), and which are final. Colour is never the only signal:
// every badge shows the status as text too.
export type Tone = "ok" | "bad" | "run" | "wait" | "off" | "warn";

const TONES: Record<string, Tone> = {
  SUCCEEDED: "ok",
  SENT: "ok",
  COMPLETED_WITH_ERROR: "warn",
  FAILED: "bad",
  USER_FAILED: "bad",
  PLATFORM_FAILED: "bad",
  TIMEOUT_FAILED: "bad",
  FATALLY_FAILED: "bad",
  INTERNALLY_FAILED: "bad",
  TIMED_OUT: "bad",
  STOPPED: "off",
  SKIPPED: "off",
  DISABLED: "off",
  UNSATISFIED: "off",
  NOT_CREATED: "off",
  IN_PROGRESS: "run",
  RUNNING: "run",
  STARTING: "run",
  FINISHING: "run",
  CREATED: "wait",
  INITIALIZED: "wait",
  PAUSED: "warn",
  WAITING_FOR_SIGNALS: "wait",
  WAITING_FOR_PERMITS: "wait",
  EVALUATING_PARAMS: "wait",
};

export function tone(status: string | undefined): Tone {
  return (status && TONES[status]) || "wait";
}

const RUN_FINAL = new Set(["SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"]);

export function runIsFinal(status: string | undefined): boolean {
  return status !== undefined && RUN_FINAL.has(status);
}

const STEP_ACTIVE = new Set([
  "CREATED",
  "INITIALIZED",
  "PAUSED",
  "WAITING_FOR_SIGNALS",
  "EVALUATING_PARAMS",
  "WAITING_FOR_PERMITS",
  "STARTING",
  "RUNNING",
  "FINISHING",
]);

export function stepIsActive(status: string | undefined): boolean {
  return status !== undefined && STEP_ACTIVE.has(status);
}

export function label(status: string): string {
  return status.replace(/_/g, " ");
}
