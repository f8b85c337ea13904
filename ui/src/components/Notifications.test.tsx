import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Delivery } from "../lib/alerting";
import { rowTexts } from "../lib/table.test-helpers";
import { DeliveryTable } from "./Notifications";

function delivery(extra: Partial<Delivery>): Delivery {
  return {
    delivery_id: 1,
    notifier: "slack",
    alert_type: "STEP_FAILURE",
    workflow_run_id: 1,
    step_id: "load",
    to: ["#data"],
    title: "a step failed",
    resolve: false,
    status: "SENT",
    attempts: 1,
    last_error: null,
    create_time: Date.now() - 120_000,
    modify_time: Date.now() - 60_000,
    ...extra,
  };
}

describe("a run's notifications", () => {
  it("lists each delivery: notifier, alert, status, attempts, last error, time", () => {
    render(
      <DeliveryTable
        deliveries={[
          delivery({}),
          delivery({
            delivery_id: 2,
            notifier: "webhook",
            alert_type: "STATUS_CHANGE",
            step_id: null,
            to: [],
            status: "FAILED",
            attempts: 5,
            last_error: "503 Service Unavailable",
          }),
        ]}
      />,
    );
    const rows = rowTexts("notifications");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(["slack to #data", "STEP_FAILURE", "load", "SENT", "1", "", "1 minute ago"]);
    expect(rows[1]).toEqual([
      "webhook",
      "STATUS_CHANGE",
      "",
      "FAILED",
      "5",
      "503 Service Unavailable",
      "1 minute ago",
    ]);
    expect(screen.getByText("FAILED").className).toContain("tone-bad");
  });

  it("says so when the run sent none", () => {
    render(<DeliveryTable deliveries={[]} />);
    expect(screen.getByText("No notifications were sent for this run.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });
});
