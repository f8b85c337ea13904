import dagre from "@dagrejs/dagre";

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 54;

/** Top-to-bottom positions (top-left corners) for a DAG, by dagre. */
export interface Size {
  width: number;
  height: number;
}

export function layout(
  ids: string[],
  links: { from: string; to: string }[],
  sizes: Map<string, Size> = new Map(),
): { positions: Map<string, { x: number; y: number }>; width: number; height: number } {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 48, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  const size = (id: string) => sizes.get(id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
  for (const id of ids) graph.setNode(id, { ...size(id) });
  for (const link of links) {
    if (graph.hasNode(link.from) && graph.hasNode(link.to)) graph.setEdge(link.from, link.to);
  }
  dagre.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const id of ids) {
    const node = graph.node(id);
    positions.set(id, { x: node.x - size(id).width / 2, y: node.y - size(id).height / 2 });
  }
  const { width = 0, height = 0 } = graph.graph();
  return { positions, width, height };
}
