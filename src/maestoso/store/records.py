"""The rows the store reads and writes, as frozen values.

Documents (definitions, metadata, snapshots) are plain JSON values here: the store neither
parses nor validates them, so the schema of a definition can evolve without a migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from maestoso.models.events import EventPayload, QueueId
from maestoso.store.run_records import RunRecord, StepRecord

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowRow:
    """One workflow: its pointers to versions and its current properties snapshot."""

    workflow_id: str
    internal_id: int
    active_version_id: int
    """0 when no version is active."""
    latest_version_id: int
    activate_time: int | None
    activated_by: Any
    properties_snapshot: JsonDict
    latest_instance_id: int
    modify_time: int

    @property
    def stamp(self) -> tuple[int, int, int, int]:
        """What changes whenever what a start reads of the workflow changes: its incarnation,
        its versions and the time of its last change (a new version, an activation, a change
        of properties; not the instance counter)."""
        return (self.internal_id, self.active_version_id, self.latest_version_id, self.modify_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionRow:
    """One immutable version of a workflow definition."""

    workflow_id: str
    version_id: int
    metadata: JsonDict
    definition: JsonDict
    """The ``workflow`` object of the create request, in Maestro's JSON shape."""
    trigger_uuids: JsonDict | None
    create_time: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PropertiesChange:
    """One change of a workflow's properties, kept as history."""

    workflow_id: str
    create_time: int
    author: Any
    properties_changes: JsonDict
    previous_snapshot: JsonDict | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    """One event of a workflow's timeline (``{author, log, timestamp}`` plus extras)."""

    workflow_id: str
    create_time: int
    event: JsonDict


@dataclass(frozen=True, slots=True, kw_only=True)
class NewVersion:
    """Everything that creating a version writes, in one transaction."""

    workflow_id: str
    version_id: int
    """Must be the workflow's latest version id + 1 (1 for a new workflow)."""
    metadata: JsonDict
    definition: JsonDict
    trigger_uuids: JsonDict | None
    create_time: int
    activate: bool
    activated_by: Any
    properties_snapshot: JsonDict
    """The merged snapshot in force after this version."""
    properties_change: PropertiesChange | None
    """Set when the request changed the properties."""
    timeline: list[TimelineEntry] = field(default_factory=list)
    events: list[JobEvent] = field(default_factory=list)
    """Enqueued with the version, in its transaction."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A slice of rows ordered by id, with the total count."""

    rows: list[Any]
    total_count: int


# -- instances, steps, the queue and flow groups ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class InstanceRow:
    """One run of a workflow instance (``maestro_workflow_instance``).

    Queried fields are columns; the rest of Maestro's ``WorkflowInstance`` JSON lives in
    ``document`` (``correlation_id``, ``internal_id``, ``run_config``, ``run_params``,
    ``step_run_params``, ``run_properties``, ``runtime_workflow``, ``runtime_dag``,
    ``timeout_in_millis``, ``params``, ``aggregated_info`` …), written once at creation and
    rarely after.
    """

    workflow_id: str
    instance_id: int
    run_id: int
    uuid: str
    version_id: int
    status: str
    """A ``WorkflowInstance.Status`` name; ``FAILED_1``/``FAILED_2`` as Maestro stores them."""
    group_id: int
    """The flow group that runs it (a hash of its reference over the number of groups)."""
    initiator: JsonDict
    depth: int
    """Nesting depth: 0 for a root instance, else the length of its initiator's ancestors."""
    document: JsonDict
    runtime_overview: JsonDict | None
    artifacts: JsonDict | None
    timeline: list[JsonDict]
    execution_id: str | None
    request_time: int
    create_time: int
    start_time: int | None
    end_time: int | None
    modify_time: int

    @cached_property
    def record(self) -> RunRecord:
        """``document``, typed: decoded on first use, once per row."""
        return RunRecord.from_json(self.document)


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceUpdate:
    """A change of one run: fields left None stay as they are; ``timeline`` entries append."""

    workflow_id: str
    instance_id: int
    run_id: int
    status: str | None = None
    expected_statuses: tuple[str, ...] | None = None
    """When set, the update applies only if the current status is one of these; otherwise
    ``ConflictError`` and nothing (of the whole transaction) is written."""
    execution_id: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    runtime_overview: JsonDict | None = None
    artifacts: JsonDict | None = None
    document_changes: JsonDict | None = None
    """Top-level keys of ``document`` to replace."""
    timeline: list[JsonDict] = field(default_factory=list)
    modify_time: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RunLimit:
    """What a workflow's run strategy lets start: at most ``concurrency`` runs active
    (IN_PROGRESS or PAUSED) at once, first come first served, and with
    ``blocked_by_failure`` (STRICT_SEQUENTIAL) none while a run is FAILED."""

    concurrency: int
    blocked_by_failure: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class IfQueued:
    """An event enqueued only if ``workflow_id`` has a queued (CREATED) run when the write
    that carries it commits: an ended run's call to admit the next one."""

    workflow_id: str
    event: JobEvent


@dataclass(frozen=True, kw_only=True)
class StepAttemptRow:
    """One attempt of one step in one run (``maestro_step_instance``).

    ``document`` holds the rest of Maestro's ``StepInstance`` JSON (``step_instance_id``,
    ``definition``, ``params``, ``transition``, ``step_retry``, ``timeout_in_millis``,
    ``signal_dependencies``, ``signal_outputs``, ``step_run_params``, ``restart_config`` …).
    """

    workflow_id: str
    instance_id: int
    run_id: int
    step_id: str
    attempt_id: int
    step_uuid: str
    status: str
    """A ``StepInstance.Status`` name."""
    runtime_state: JsonDict
    """``{status, create_time, initialize_time, …, end_time, modify_time}`` as Maestro has it."""
    document: JsonDict
    artifacts: JsonDict | None
    timeline: list[JsonDict]
    create_time: int
    modify_time: int

    @cached_property
    def record(self) -> StepRecord:
        """``document``, typed: decoded on first use, once per row."""
        return StepRecord.from_json(self.document)


@dataclass(frozen=True, slots=True, kw_only=True)
class JobEvent:
    """A message of the durable queue, written in the transaction of the change that causes it."""

    type: str
    """An ``EventKind``."""
    payload: JsonDict
    queue_id: int = QueueId.START
    available_at: int = 0
    """Epoch ms before which no worker may claim it (0: at once)."""

    @classmethod
    def of(
        cls, payload: EventPayload, *, available_at: int = 0, group: int | None = None
    ) -> JobEvent:
        """The event of ``payload``; with ``group``, for the node owning that flow group only
        (an action on a run reaches the node running it)."""
        return cls(
            type=payload.kind,
            payload=payload.to_json(),
            queue_id=payload.queue if group is None else flow_queue(group),
            available_at=available_at,
        )


FLOW_QUEUES = 1000
"""Queue ids from here on are flow groups' own: ``FLOW_QUEUES + group_id``."""


def flow_queue(group_id: int) -> int:
    """The queue of the events only the owner of flow group ``group_id`` may claim."""
    return FLOW_QUEUES + group_id


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedEvent:
    """A claimed job event."""

    msg_id: int
    queue_id: int
    type: str
    payload: JsonDict
    attempts: int
    """How many times it was claimed before, this claim excluded."""
    owned_until: int
    create_time: int


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueBacklog:
    """What waits in the queue: for the node's metrics."""

    ready: int
    """Events due now, not parked and not claimed."""
    oldest_create_time: int | None
    """When the oldest of them was enqueued (epoch ms); None if none is due."""
    parked: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Fence:
    """Proof of ownership of a flow group: writes carrying it succeed only while the group's
    generation in the database is still ``generation`` (else ``FencedError``)."""

    group_id: int
    generation: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRow:
    group_id: int
    generation: int
    owner: str | None
    heartbeat_time: int
    owned_until: int


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeRow:
    """A member of the cluster (``maestoso_node``): alive while ``alive_until`` is ahead."""

    node_id: str
    start_time: int
    heartbeat_time: int
    alive_until: int
    info: JsonDict
    """What the node says of itself (its address, version), shown by the API."""
