import { NodeTable, PluginTable } from "../components/ClusterTables";
import { ErrorBox, Loading } from "../components/common";
import { api, get } from "../lib/api";
import type { Cluster, Plugins } from "../lib/cluster";
import { usePoll } from "../lib/poll";

const EVERY = 3000;

/** ``/cluster``: the nodes and the flow groups each holds, live; the installed plugins. */
export function ClusterPage() {
  const cluster = usePoll(
    "cluster",
    () => get<Cluster>(api("groups")),
    () => EVERY,
  );
  // plugins are loaded when a server starts: read once
  const plugins = usePoll("plugins", () => get<Plugins>(api("plugins")));
  return (
    <section>
      <h1>Cluster</h1>
      <h2>Nodes</h2>
      <ErrorBox error={cluster.error} what="read the nodes" />
      {cluster.loading && <Loading what="the nodes" />}
      {cluster.data && <NodeTable cluster={cluster.data} />}
      <h2>Plugins</h2>
      <ErrorBox error={plugins.error} what="read the plugins" />
      {plugins.loading && <Loading what="the plugins" />}
      {plugins.data && <PluginTable plugins={plugins.data} />}
    </section>
  );
}
