import type { Cluster, Plugin, Plugins } from "../lib/cluster";
import { groupRanges } from "../lib/cluster";
import { Time } from "./common";

/** Every registered node: whether it is alive, since when, and the flow groups it holds. */
export function NodeTable({ cluster }: { cluster: Cluster }) {
  const held = cluster.nodes.reduce((sum, node) => sum + node.groups.length, 0);
  return (
    <>
      <p className="muted">
        {cluster.nodes.filter((node) => node.alive).length} of {cluster.nodes.length} nodes alive; {held} flow
        groups held of {cluster.groups.length} in use ({cluster.group_count} configured).
      </p>
      <table className="list" aria-label="nodes">
        <thead>
          <tr>
            <th>Node</th>
            <th>Address</th>
            <th>Alive</th>
            <th>Started</th>
            <th>Last heartbeat</th>
            <th>Flow groups</th>
          </tr>
        </thead>
        <tbody>
          {cluster.nodes.map((node) => (
            <tr key={node.node_id} data-node={node.node_id}>
              <td>{node.node_id}</td>
              <td>{node.address ?? ""}</td>
              <td>
                <span className={`badge tone-${node.alive ? "ok" : "bad"}`}>
                  {node.alive ? "alive" : "gone"}
                </span>
              </td>
              <td>
                <Time ms={node.start_time} />
              </td>
              <td>
                <Time ms={node.heartbeat_time} />
              </td>
              <td data-testid="node-groups">
                {node.groups.length}{" "}
                {node.groups.length > 0 && <span className="muted">({groupRanges(node.groups)})</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const KINDS: [keyof Plugins, string][] = [
  ["step_types", "Step types"],
  ["signal_sources", "Signal sources"],
  ["notifiers", "Notifiers"],
];

/** The installed plugins by kind, each with what kept it out when it failed to load. */
export function PluginTable({ plugins }: { plugins: Plugins }) {
  const rows: [string, Plugin][] = KINDS.flatMap(([key, kind]) =>
    plugins[key].map((plugin): [string, Plugin] => [kind, plugin]),
  );
  if (rows.length === 0) return <p className="muted">No plugins are installed.</p>;
  return (
    <table className="list" aria-label="plugins">
      <thead>
        <tr>
          <th>Kind</th>
          <th>Name</th>
          <th>From</th>
          <th>Entry point</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([kind, plugin]) => (
          <tr key={`${kind}/${plugin.name}/${plugin.target}`} data-plugin={plugin.name}>
            <td>{kind}</td>
            <td>{plugin.name}</td>
            <td>{[plugin.distribution, plugin.version].filter(Boolean).join(" ")}</td>
            <td>
              <code>{plugin.target}</code>
            </td>
            <td>
              {plugin.error ? (
                <>
                  <span className="badge tone-bad">not loaded</span> {plugin.error}
                </>
              ) : (
                <span className="badge tone-ok">loaded</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
