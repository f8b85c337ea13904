/** What alerting adds to a run: its predicted end while it runs, and its deliveries. */

export interface Eta {
  end_time: number;
  earliest_end_time: number;
  latest_end_time: number;
  confidence: number;
  history_runs: number;
  behind_steps: { step_id: string; late_ms: number }[];
  /** The run's ``tct`` as a moment; absent when the run has none. */
  deadline_time?: number;
}

export interface Delivery {
  delivery_id: number;
  notifier: string;
  alert_type: string;
  workflow_run_id: number;
  step_id: string | null;
  to: string[];
  title: string;
  resolve: boolean;
  status: string;
  attempts: number;
  last_error: string | null;
  create_time: number;
  modify_time: number;
}

/** How far past its target the estimate ends (ms), or null when it has no target or meets it. */
export function missedBy(eta: Eta): number | null {
  if (eta.deadline_time == null || eta.end_time <= eta.deadline_time) return null;
  return eta.end_time - eta.deadline_time;
}
