/** The cluster's nodes with the flow groups each holds (``/api/v3/groups``), and the
 * installed plugins (``/api/v3/plugins``). */

export interface ClusterNode {
  node_id: string;
  address: string | null;
  alive: boolean;
  start_time: number;
  heartbeat_time: number;
  alive_until: number;
  groups: number[];
}

export interface Cluster {
  group_count: number;
  nodes: ClusterNode[];
  groups: { group_id: number; owner: string | null }[];
}

export interface Plugin {
  name: string;
  target: string;
  distribution: string | null;
  version: string | null;
  error: string | null;
}

export interface Plugins {
  step_types: Plugin[];
  signal_sources: Plugin[];
  notifiers: Plugin[];
}

/** Group ids as runs of consecutive numbers: ``[0, 1, 2, 5, 7, 8]`` is ``0–2, 5, 7–8``. */
export function groupRanges(ids: number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  let index = 0;
  while (index < sorted.length) {
    let last = index;
    while (last + 1 < sorted.length && sorted[last + 1] === sorted[last] + 1) last++;
    parts.push(last === index ? `${sorted[index]}` : `${sorted[index]}–${sorted[last]}`);
    index = last + 1;
  }
  return parts.join(", ");
}
