"""The node's Prometheus metrics: defined here, once, so that every layer can record them.

Each metric is cheap to keep: counters and histograms move where something happens (a queue
event handled, a step attempt ended, a lease renewed, a query run, a request answered), and
the few gauges that need the database (the queue's backlog) are refreshed by a periodic
count, never by a scrape. Labels take values from small fixed sets (event kinds, step types,
statuses, route templates, SQL verbs), so the number of series stays bounded whatever the
workload: no workflow id, instance id or raw path is ever a label value.

``GET /metrics`` (``maestoso.api.metrics``) serves the default registry, which also holds
the client library's process and Python collectors.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

from prometheus_client import Counter, Gauge, Histogram, Info

import maestoso

# Seconds, from a millisecond NoOp step to a long batch job.
_STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
_FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

BUILD = Info("maestoso_build", "The version of this node's code.")
BUILD.info({"version": maestoso.__version__})

# -- the queue -------------------------------------------------------------------------------------

QUEUE_READY = Gauge(
    "maestoso_queue_ready_events",
    "Queue events due now and not parked (sampled periodically from the database).",
)
QUEUE_OLDEST_AGE = Gauge(
    "maestoso_queue_oldest_event_age_seconds",
    "How long the oldest due event has been waiting to be handled (0 when none waits).",
)
QUEUE_PARKED = Gauge(
    "maestoso_queue_parked_events", "Queue events set aside for a person to look at."
)
QUEUE_HANDLING = Histogram(
    "maestoso_queue_event_handling_seconds",
    "Time to handle one queue event, by event kind.",
    ["kind"],
    buckets=_FAST_BUCKETS,
)
QUEUE_FAILURES = Counter(
    "maestoso_queue_event_failures_total",
    "Queue events whose handler failed, by kind and outcome (retried or parked).",
    ["kind", "outcome"],
)

# -- runs and steps --------------------------------------------------------------------------------

FLOWS_RUNNING = Gauge(
    "maestoso_flows_running", "Runs this node's flow actors are driving.", ["node"]
)
FLOWS_FINISHED = Counter(
    "maestoso_flows_finished_total", "Runs this node concluded, by final status.", ["status"]
)
STEPS_ACTIVE = Gauge(
    "maestoso_steps_active",
    "Steps this node is driving (waiting, running or between attempts), by step type.",
    ["type"],
)
STEP_ATTEMPTS = Counter(
    "maestoso_step_attempts_total",
    "Step attempts that ended on this node, by step type and the attempt's status.",
    ["type", "status"],
)
STEP_SECONDS = Histogram(
    "maestoso_step_attempt_seconds",
    "Duration of a step attempt, from its creation to its end, by step type.",
    ["type"],
    buckets=_STEP_BUCKETS,
)
START_LATENCY = Histogram(
    "maestoso_start_latency_seconds",
    "From a run's acceptance (its creation) to the start of its first steps' runtimes.",
    buckets=_STEP_BUCKETS,
)

# -- flow groups -----------------------------------------------------------------------------------

GROUPS_OWNED = Gauge("maestoso_flow_groups_owned", "Flow groups this node holds.", ["node"])
GROUP_CLAIMS = Counter(
    "maestoso_flow_group_claims_total",
    "Flow groups this node claimed (at start-up, or taken over when another lease ended).",
    ["node"],
)
GROUP_RENEWALS = Counter(
    "maestoso_flow_group_renewals_total", "Flow-group leases this node renewed.", ["node"]
)
GROUPS_LOST = Counter(
    "maestoso_flow_groups_lost_total",
    "Flow groups this node stopped running: taken by another node, or a lease not renewed.",
    ["node", "reason"],
)

# -- the database ----------------------------------------------------------------------------------

DB_QUERY_SECONDS = Histogram(
    "maestoso_db_query_seconds",
    "Time of one SQL statement, by verb (select, insert, update, delete, other).",
    ["operation"],
    buckets=_FAST_BUCKETS,
)
DB_COMMITS = Counter("maestoso_db_commits_total", "Transactions committed.")
DB_CONNECTIONS_IN_USE = Gauge(
    "maestoso_db_connections_in_use", "Pooled database connections checked out now."
)

# -- the API ---------------------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "maestoso_http_requests_total",
    "Requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "maestoso_http_request_seconds",
    "Time to answer a request, by method and route template.",
    ["method", "route"],
    buckets=_FAST_BUCKETS,
)


def step_attempt_ended(step_type: str, status: str, seconds: float) -> None:
    STEP_ATTEMPTS.labels(step_type, status).inc()
    STEP_SECONDS.labels(step_type).observe(max(seconds, 0.0))


T = TypeVar("T")


def watch(gauge: Gauge, target: T, measure: Callable[[T], float]) -> None:
    """Let ``gauge`` read ``measure(target)`` at each scrape, without keeping ``target``
    alive (it reads 0 once ``target`` is gone)."""
    ref = weakref.ref(target)

    def read() -> float:
        alive = ref()
        return 0.0 if alive is None else measure(alive)

    gauge.set_function(read)
