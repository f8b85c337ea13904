import { Background, Controls, Handle, Position, ReactFlow } from "@xyflow/react";
import type { Edge as FlowEdge, Node as FlowNode, NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useMemo, useState } from "react";
import { useLocation } from "wouter";
import { layout, NODE_HEIGHT, NODE_WIDTH } from "../lib/layout";
import type { Size } from "../lib/layout";
import { label, tone } from "../lib/status";
import type { StepDef } from "../lib/workflow";
import { edges } from "../lib/workflow";

/** What a node shows beside its id and type. */
export interface NodeInfo {
  status?: string;
  /** Greyed: planned, not created in this run yet. */
  planned?: boolean;
  change?: "added" | "removed" | "changed";
  /** A loop's progress: counts by status of its iterations (foreach) or inner steps (while),
   * and how many iterations a while has run. */
  loop?: { counts: Record<string, number>; unit: "iterations" | "steps"; iterations?: number };
  href?: string;
}

interface StepData extends Record<string, unknown> {
  step: StepDef;
  /** Where the step sits: "" at the top, "loop/" inside the loop step "loop". */
  path: string;
  info: NodeInfo;
  expandable: boolean;
  expanded: boolean;
  toggle: (id: string) => void;
}

const PAD = 16;
const HEADER = 44;

function StepNode({ data }: NodeProps<FlowNode<StepData>>) {
  const { step, info, expandable, expanded, toggle } = data;
  const classes = ["node", `tone-${info.status ? tone(info.status) : "none"}`];
  if (info.planned) classes.push("planned");
  if (info.change) classes.push(`change-${info.change}`);
  if (expanded) classes.push("expanded");
  if (info.href) classes.push("linked");
  return (
    <div className={classes.join(" ")} data-step-id={step.id}>
      <Handle type="target" position={Position.Top} />
      <div className="node-title">
        <span className="node-id">{step.id}</span>
        {expandable && (
          <button
            type="button"
            className="node-toggle"
            aria-expanded={expanded}
            aria-label={`${expanded ? "collapse" : "expand"} ${step.id}`}
            onClick={(event) => {
              event.stopPropagation();
              toggle(step.id);
            }}
          >
            {expanded ? "−" : "+"}
          </button>
        )}
      </div>
      <div className="node-meta">
        <span className="node-type">{step.type}</span>
        {info.change && <span className={`word change-word-${info.change}`}>{info.change}</span>}
        {info.status && <span className={`badge tone-${tone(info.status)}`}>{label(info.status)}</span>}
        {info.planned && <span className="word">planned</span>}
      </div>
      {info.loop && (
        <div className="node-counts">
          {info.loop.iterations !== undefined && (
            <span className="count">{info.loop.iterations} iterations</span>
          )}
          {Object.entries(info.loop.counts).map(([status, count]) => (
            <span key={status} className={`count tone-${tone(status)}`}>
              {count} {info.loop!.unit === "steps" ? "steps " : ""}
              {label(status).toLowerCase()}
            </span>
          ))}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

const nodeTypes = { step: memo(StepNode) };

interface Built {
  nodes: FlowNode<StepData>[];
  links: FlowEdge[];
  size: Size;
}

/** Nodes and edges of ``list`` (with expanded loops' children nested inside them), laid out;
 * their ``info`` is filled in later, so that a status change never lays the graph out again. */
function build(
  list: StepDef[],
  expanded: Set<string>,
  toggle: (id: string) => void,
  path: string,
  parent?: string,
): Built {
  const inner = new Map<string, Built>();
  const sizes = new Map<string, Size>();
  for (const step of list) {
    const key = path + step.id;
    if (step.children.length > 0 && expanded.has(key)) {
      const built = build(step.children, expanded, toggle, key + "/", key);
      inner.set(step.id, built);
      sizes.set(step.id, {
        width: Math.max(NODE_WIDTH, built.size.width + 2 * PAD),
        height: built.size.height + HEADER + 2 * PAD,
      });
    }
  }
  const links = edges(list);
  const placed = layout(
    list.map((step) => step.id),
    links,
    sizes,
  );
  const nodes: FlowNode<StepData>[] = [];
  const flowEdges: FlowEdge[] = [];
  for (const step of list) {
    const key = path + step.id;
    const size = sizes.get(step.id);
    nodes.push({
      id: key,
      type: "step",
      position: placed.positions.get(step.id)!,
      parentId: parent,
      extent: parent ? "parent" : undefined,
      draggable: false,
      style: size
        ? { width: size.width, height: size.height }
        : { width: NODE_WIDTH, minHeight: NODE_HEIGHT },
      data: {
        step,
        path,
        info: {},
        expandable: step.children.length > 0,
        expanded: expanded.has(key),
        toggle,
      },
    });
    const child = inner.get(step.id);
    if (child) {
      for (const node of child.nodes) {
        if (node.parentId === key)
          node.position = { x: node.position.x + PAD, y: node.position.y + HEADER + PAD };
      }
      nodes.push(...child.nodes);
      flowEdges.push(...child.links);
    }
  }
  for (const link of links) {
    flowEdges.push({
      id: `${path}${link.from}->${link.to}`,
      source: path + link.from,
      target: path + link.to,
      label: link.condition === "true" ? undefined : link.condition,
      className: "edge",
    });
  }
  return { nodes, links: flowEdges, size: { width: placed.width, height: placed.height } };
}

export interface GraphProps {
  steps: StepDef[];
  info?: (step: StepDef, path: string) => NodeInfo;
  height?: number;
  label: string;
  /** The graph fits itself to the view again whenever this changes (its box was resized). */
  fitKey?: string;
}

/** The DAG of a definition: steps as nodes, successors as edges labelled by their condition
 * (when not simply true); foreach and while expand in place to show their steps. */
export function Graph({ steps, info = () => ({}), height = 420, label: name, fitKey = "" }: GraphProps) {
  const [, navigate] = useLocation();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = useMemo(
    () => (id: string) =>
      setExpanded((old) => {
        const next = new Set(old);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const laid = useMemo(() => build(steps, expanded, toggle, ""), [steps, expanded, toggle]);
  const nodes = useMemo(
    () =>
      laid.nodes.map((node) => ({
        ...node,
        data: { ...node.data, info: info(node.data.step, node.data.path) },
      })),
    [laid, info],
  );
  const open = (id: string | undefined) => {
    const href = nodes.find((node) => node.id === id)?.data.info.href;
    if (href) navigate(href);
  };
  return (
    <div
      className="graph"
      style={{ height }}
      aria-label={name}
      role="figure"
      onKeyDown={(event) => {
        // a focused node (React Flow makes each one focusable) opens with Enter, like a link
        const node = event.target as HTMLElement;
        if (event.key === "Enter" && node.classList.contains("react-flow__node")) open(node.dataset.id);
      }}
    >
      <ReactFlow
        // laid out anew, and fitted to the view, when a loop opens or closes
        key={[fitKey, ...expanded].join("\n")}
        onNodeClick={(_, node) => open(node.id)}
        nodes={nodes}
        edges={laid.links}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        minZoom={0.05}
        nodesConnectable={false}
        nodesDraggable={false}
        edgesFocusable={false}
        onlyRenderVisibleElements
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
