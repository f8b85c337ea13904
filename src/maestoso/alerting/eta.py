"""Predicted completion: a running run's end estimated from its workflow's past runs.

Per step, the past successful runs give medians of when the step started and ended
(relative to its run's start) and of how long it ran; the run's duration gives the median
and its spread (1.4826 x the median absolute deviation, which outliers barely move). A run
that is late anywhere is late by its latest step: a step ended, or still running, past its
usual end, or not started past its usual start. The estimate is the usual duration plus
that lateness; the steps that are late are named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

MIN_HISTORY = 3
"""Fewer successful past runs give no estimate."""


@dataclass(frozen=True, slots=True)
class StepTimes:
    start: float
    """Median start, in ms after the run's start."""
    end: float
    """Median end, in ms after the run's start."""


@dataclass(frozen=True, slots=True)
class History:
    runs: int
    duration: float
    """The median run duration, ms."""
    spread: float
    """1.4826 x the median absolute deviation of run durations, ms."""
    steps: Mapping[str, StepTimes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Eta:
    end_time: int
    earliest: int
    latest: int
    confidence: float
    history_runs: int
    behind: tuple[tuple[str, int], ...] = ()
    """Steps later than usual and by how many ms, latest first."""

    def to_json(self) -> dict[str, Any]:
        return {
            "end_time": self.end_time,
            "earliest_end_time": self.earliest,
            "latest_end_time": self.latest,
            "confidence": self.confidence,
            "history_runs": self.history_runs,
            "behind_steps": [{"step_id": s, "late_ms": ms} for s, ms in self.behind],
        }


@dataclass(frozen=True, slots=True)
class PastRun:
    """A finished run: its start and end, and each step's (start, end), in epoch ms."""

    start: int
    end: int
    steps: Mapping[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class StepNow:
    start: int | None
    end: int | None


def learn(runs: Sequence[PastRun]) -> History | None:
    if len(runs) < MIN_HISTORY:
        return None
    durations = [run.end - run.start for run in runs]
    middle = median(durations)
    spread = 1.4826 * median(abs(d - middle) for d in durations)
    offsets: dict[str, list[tuple[int, int]]] = {}
    for run in runs:
        for step_id, (start, end) in run.steps.items():
            offsets.setdefault(step_id, []).append((start - run.start, end - run.start))
    steps = {
        step_id: StepTimes(median(s for s, _ in seen), median(e for _, e in seen))
        for step_id, seen in offsets.items()
        if len(seen) >= MIN_HISTORY
    }
    return History(len(runs), middle, spread, steps)


def estimate(history: History, run_start: int, now: int, steps: Mapping[str, StepNow]) -> Eta:
    elapsed = now - run_start
    late: dict[str, int] = {}
    for step_id, usual in history.steps.items():
        current = steps.get(step_id)
        if current is None or current.start is None:
            lateness = elapsed - usual.start
        elif current.end is None:
            lateness = elapsed - usual.end
        else:
            lateness = current.end - run_start - usual.end
        if lateness > 0:
            late[step_id] = int(lateness)
    delay = max(late.values(), default=0)
    end = max(now, int(run_start + history.duration + delay))
    spread = int(history.spread)
    confidence = history.runs / (history.runs + 2) * max(0.0, 1 - spread / max(history.duration, 1))
    behind = tuple(sorted(late.items(), key=lambda item: -item[1]))
    return Eta(
        end_time=end,
        earliest=max(now, end - spread),
        latest=end + spread,
        confidence=round(confidence, 3),
        history_runs=history.runs,
        behind=behind,
    )
