"""The cluster's nodes and flow groups (``/api/v3/groups``), read-only.

Maestro's ``/api/v3/groups`` paths are its nodes' internal calls to each other; here nodes
talk through the database, so the path serves what an operator wants to see instead: which
nodes are alive and which flow groups each one runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from maestoso.api.services import engine_node
from maestoso.engine.node import EngineNode

router = APIRouter(tags=["cluster"])
Node = Annotated[EngineNode, Depends(engine_node)]
JSON = dict[str, Any]


@router.get("/api/v3/groups", summary="The nodes of the cluster and the flow groups each holds")
async def cluster(node: Node) -> JSON:
    return await node.cluster.overview()


@router.get("/api/v3/groups/{group_id}", summary="One flow group: its owner and generation")
async def group(node: Node, group_id: Annotated[int, Path(ge=0)]) -> JSON:
    return await node.cluster.group(group_id)
