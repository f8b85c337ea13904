import type { Eta } from "../lib/alerting";
import { missedBy } from "../lib/alerting";
import { duration } from "../lib/format";
import { Time } from "./common";

/** A running run's predicted end: when, how sure, and whether it misses its ``tct``. */
export function EtaLine({ eta }: { eta: Eta }) {
  const late = missedBy(eta);
  // the spread of past durations (the early side stops at now, so the late side tells it)
  const spread = eta.latest_end_time - eta.end_time;
  return (
    <p className="eta" data-testid="eta">
      Expected to end <Time ms={eta.end_time} />
      {spread > 0 && ` (± ${duration(spread)})`}, {Math.round(eta.confidence * 100)}% confidence from{" "}
      {eta.history_runs} past runs.
      {eta.deadline_time != null &&
        (late == null ? (
          <>
            {" "}
            <span className="badge tone-ok">on time</span> for its target (due <Time ms={eta.deadline_time} />
            ).
          </>
        ) : (
          <>
            {" "}
            <span className="badge tone-bad" data-testid="eta-late">
              misses its target
            </span>{" "}
            (due <Time ms={eta.deadline_time} />) by {duration(late)}.
          </>
        ))}
      {eta.behind_steps.length > 0 && (
        <>
          {" "}
          Behind:{" "}
          {eta.behind_steps.map((step) => `${step.step_id} (${duration(step.late_ms)} late)`).join(", ")}.
        </>
      )}
    </p>
  );
}
