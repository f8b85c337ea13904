import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { rowTexts } from "../lib/table.test-helpers";
import type { Cluster } from "../lib/cluster";
import { NodeTable, PluginTable } from "./ClusterTables";

const now = Date.now();

describe("the cluster page's tables", () => {
  it("shows each node alive or gone with the flow groups it holds", () => {
    const cluster: Cluster = {
      group_count: 8,
      nodes: [
        {
          node_id: "a",
          address: "http://10.0.0.1:8080",
          alive: true,
          start_time: now - 3_600_000,
          heartbeat_time: now - 2_000,
          alive_until: now + 10_000,
          groups: [0, 1, 2, 6],
        },
        {
          node_id: "b",
          address: null,
          alive: false,
          start_time: now - 7_200_000,
          heartbeat_time: now - 120_000,
          alive_until: now - 100_000,
          groups: [],
        },
      ],
      groups: [0, 1, 2, 6].map((group_id) => ({ group_id, owner: "a" })),
    };
    render(<NodeTable cluster={cluster} />);
    expect(
      screen.getByText(/1 of 2 nodes alive; 4 flow groups held of 4 in use \(8 configured\)/),
    ).toBeTruthy();
    const rows = rowTexts("nodes");
    expect(rows[0]).toEqual([
      "a",
      "http://10.0.0.1:8080",
      "alive",
      "1 hour ago",
      "2 seconds ago",
      "4 (0–2, 6)",
    ]);
    expect(rows[1]).toEqual(["b", "", "gone", "2 hours ago", "2 minutes ago", "0 "]);
  });

  it("lists the plugins by kind, a failed one with its error", () => {
    render(
      <PluginTable
        plugins={{
          step_types: [
            { name: "Hello", target: "ex.steps:Hello", distribution: "ex", version: "1.0", error: null },
          ],
          signal_sources: [],
          notifiers: [
            {
              name: "journal",
              target: "ex.broken:make",
              distribution: "ex",
              version: "1.0",
              error: "ImportError: no",
            },
          ],
        }}
      />,
    );
    const rows = rowTexts("plugins");
    expect(rows[0]).toEqual(["Step types", "Hello", "ex 1.0", "ex.steps:Hello", "loaded"]);
    expect(rows[1]).toEqual([
      "Notifiers",
      "journal",
      "ex 1.0",
      "ex.broken:make",
      "not loaded ImportError: no",
    ]);
  });

  it("says when no plugin is installed", () => {
    render(<PluginTable plugins={{ step_types: [], signal_sources: [], notifiers: [] }} />);
    expect(screen.getByText("No plugins are installed.")).toBeTruthy();
  });
});
