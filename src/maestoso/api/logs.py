"""``GET …/steps/{stepId}/attempts/{attempt}/logs``: an attempt's stdout or stderr as text.

``tail=N`` gives the last N lines, ``offset``/``limit`` a byte range, neither the whole log;
``follow=true`` keeps the response open (chunked) and sends what is appended until the
attempt ends. The ``X-Log-Next-Offset`` header says where a next range read would start.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from maestoso.api.services import step_logs
from maestoso.engine.reads.instances import MAX_ID
from maestoso.engine.reads.logs import StepLogs

router = APIRouter(prefix="/api/v3/workflows", tags=["steps"])

Logs = Annotated[StepLogs, Depends(step_logs)]
TEXT = "text/plain; charset=utf-8"


@router.get(
    "/{workflow_id}/instances/{instance_id}/runs/{run}/steps/{step_id}/attempts/{attempt}/logs",
    summary="The stdout or stderr of a step attempt",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/plain": {}}}},
)
async def get_step_logs(
    request: Request,
    workflow_id: str,
    instance_id: Annotated[int, Path(le=MAX_ID)],
    run: str,
    step_id: str,
    attempt: str,
    logs: Logs,
    stream: Literal["stdout", "stderr"] = "stdout",
    tail: Annotated[int | None, Query(ge=0)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int | None, Query(ge=0)] = None,
    follow: bool = False,
) -> StreamingResponse:
    log = await logs.locate(workflow_id, instance_id, run, step_id, attempt, stream)
    if tail is not None:
        offset = await logs.tail_offset(log, tail)
    size = log.size()
    if follow:
        streams = request.app.state.log_streams
        return StreamingResponse(streams.admit(logs.follow(log, offset)), media_type=TEXT)
    end = size if limit is None else min(size, offset + limit)
    headers = {"X-Log-Next-Offset": str(max(end, offset)), "X-Log-Size": str(size)}
    body = logs.read(log, offset, max(end - offset, 0))
    return StreamingResponse(body, media_type=TEXT, headers=headers)
