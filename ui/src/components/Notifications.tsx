import type { Delivery } from "../lib/alerting";
import { api, get } from "../lib/api";
import { usePoll } from "../lib/poll";
import { ErrorBox, Status, Time } from "./common";

/** The run's alert and event-stream deliveries, polled as often as ``every`` says (a
 * delivery's retries go on after its run ended). */
export function Notifications({
  workflow,
  instance,
  runId,
  every,
}: {
  workflow: string;
  instance: string | number;
  runId: number;
  every: () => number;
}) {
  const path = api("workflows", workflow, "instances", instance, "deliveries");
  const found = usePoll(path, () => get<Delivery[]>(path), every);
  const mine = (found.data ?? []).filter((delivery) => delivery.workflow_run_id === runId);
  return (
    <>
      <ErrorBox error={found.error} what="read the notifications" />
      {found.data && <DeliveryTable deliveries={mine} />}
    </>
  );
}

export function DeliveryTable({ deliveries }: { deliveries: Delivery[] }) {
  if (deliveries.length === 0) return <p className="muted">No notifications were sent for this run.</p>;
  return (
    <table className="list" aria-label="notifications">
      <thead>
        <tr>
          <th>Notifier</th>
          <th>Alert</th>
          <th>Step</th>
          <th>Status</th>
          <th>Attempts</th>
          <th>Last error</th>
          <th>Time</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <tr key={delivery.delivery_id} data-delivery={delivery.delivery_id}>
            <td>
              {delivery.notifier}
              {delivery.to.length > 0 && <span className="muted"> to {delivery.to.join(", ")}</span>}
            </td>
            <td>
              {delivery.alert_type}
              {delivery.resolve && <span className="muted"> (resolve)</span>}
            </td>
            <td>{delivery.step_id ?? ""}</td>
            <td>
              <Status status={delivery.status} />
            </td>
            <td>{delivery.attempts}</td>
            <td>{delivery.last_error ?? ""}</td>
            <td>
              <Time ms={delivery.modify_time} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
