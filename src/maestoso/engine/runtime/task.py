"""One step of a run, from its first attempt to its final status (Maestro's task actor).

States that follow each other without waiting are not written one by one: a NoOp step is
one write (its final row, with every timestamp), a step that runs for a while two (RUNNING,
then final). After a crash, a RUNNING attempt resumes with ``execute`` and its artifacts; an
attempt never written simply runs again, since nothing of it was durable.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from maestoso.engine.runtime import telemetry
from maestoso.engine.runtime.gates import StepGates
from maestoso.engine.runtime.param_context import (
    SIGNAL_DEPENDENCIES_KEY,
    RunContext,
    all_params,
    nested_calls,
    read_nested,
)
from maestoso.engine.runtime.retries import (
    RetryTracker,
    final_status,
    next_attempt_id,
    not_retryable,
    settle,
)
from maestoso.engine.runtime.run_writes import RunWrites
from maestoso.engine.runtime.step_attempt import StepAttempt
from maestoso.engine.runtime.step_inputs import step_inputs
from maestoso.engine.runtime.step_signals import StepSignals
from maestoso.engine.runtime.timeouts import resolve_seconds
from maestoso.engine.runtime.writer import Write
from maestoso.errors import FencedError, MaestosoError, PlatformError
from maestoso.models import ParamDefinition
from maestoso.models.statuses import StepStatus
from maestoso.params import (
    Parameter,
    evaluate_params,
    evaluate_step_params,
    off_loop,
    only_step_defaults,
)
from maestoso.runtimes import State, StepResult, StepRuntime
from maestoso.runtimes.outputs import job_key
from maestoso.store.records import StepAttemptRow


@dataclass(slots=True, kw_only=True)
class StepRun(StepAttempt):
    writes: RunWrites
    """The run's writes, this step's among them, behind its flow group's fence."""
    resume_from: StepAttemptRow | None = None
    new_attempt: bool = False
    """A user's restart of a finished step: the next attempt, whatever the last one was."""
    restart_params: Mapping[str, Any] | None = None
    """The ``step_run_params`` of that restart, if it gave any."""
    nested: dict[tuple[str, ...], Any] = field(default_factory=dict)
    workflow_params: Mapping[str, Parameter] = field(default_factory=dict)
    step_rows: Callable[[str], StepAttemptRow | None] = lambda _: None
    matched_signals: list[dict[str, Any]] = field(default_factory=list)
    gates: StepGates = field(init=False)
    signals: StepSignals = field(init=False)

    def __post_init__(self) -> None:
        self.gates = StepGates(self.engine.controls, self.instance, self.step)
        self.signals = StepSignals(self.engine, self.instance, self.step)

    @property
    def runtime(self) -> StepRuntime | None:
        return self.engine.runtimes.get(self.step.kind)

    async def run(self) -> StepAttemptRow:
        """Drive the step to its final status; returns the final attempt row (written)."""
        telemetry.step_active(self.step).inc()
        try:
            return await self._run()
        finally:
            telemetry.step_active(self.step).dec()
            await self.gates.release(self.step_uuid)

    async def _run(self) -> StepAttemptRow:
        retries = self.retries = RetryTracker.of(self.step, self.resume_from)
        if self.resume_from is not None and self._resumable(self.resume_from):
            self._load(self.resume_from)
            self.gates.hold()
            poll = self._poll(await self._runtime_or_fail())
            result = await self._bounded(poll, resumed=True)
        else:
            self.attempt_id = next_attempt_id(self.resume_from)
            if self.new_attempt and self.resume_from is not None:
                self.attempt_id = self.resume_from.attempt_id + 1
            await self._wait_retry_time(self.resume_from)
            result = await self._bounded(self._attempt())
        while True:
            await self._merge_output_data()
            status = final_status(result.state)
            if status.is_retryable and not_retryable(self.artifacts):
                status = StepStatus.FATALLY_FAILED
            delay = retries.next_delay(status)
            if delay is None:
                return await self._finish(settle(status, self.step), result)
            self.note(retry_at=self.engine.clock.now_ms() + int(delay * 1000))
            await self._finish(status, result)
            await self.engine.clock.sleep(delay)
            self.attempt_id += 1
            self.runtime_state = {}  # the new attempt's timeout counts from its own creation
            result = await self._bounded(self._attempt())

    async def _bounded(
        self, attempt: Coroutine[Any, Any, StepResult], *, resumed: bool = False
    ) -> StepResult:
        """Run an attempt within the step's timeout, counted from the attempt's creation: now
        for a new attempt (a retry gets the whole timeout again), the recorded time for one
        resumed after a restart."""
        work = telemetry.attempt_span(attempt, self.instance, self.step, self.attempt_id)
        seconds = self._timeout_seconds()
        if seconds is None:
            return await work
        now = self.engine.clock.now_ms()
        created = (self.runtime_state.get("create_time") if resumed else None) or now
        remaining = seconds - (now - created) / 1000
        try:
            async with self.engine.clock.timeout(max(remaining, 0)):
                return await work
        except TimeoutError:
            runtime = self.runtime
            if runtime is not None and self.context is not None:
                try:
                    self._absorb(await runtime.terminate(self.context))
                except Exception as exc:  # the timeout stands even if the work resists
                    self._log(f"terminate failed: {type(exc).__name__}: {exc}")
            self._log(f"the step timed out after {seconds} seconds")
            if not self.runtime_state:
                self._begin(self.engine.clock.now_ms())
            return StepResult(state=State.TIMED_OUT)

    def _timeout_seconds(self) -> int | None:
        value = getattr(self.step, "timeout", None)
        try:
            seconds = resolve_seconds(value, self.instance.record.results)
        except MaestosoError as exc:
            self._log(exc.message)
            return None
        self.timeout_ms = seconds * 1000 if seconds is not None else None
        return seconds

    async def _wait_retry_time(self, previous: StepAttemptRow | None) -> None:
        """After a restart, a retry still waits out what was left of its backoff."""
        retry_at = (previous.record.retry_at if previous else None) or 0
        delay = (int(retry_at) - self.engine.clock.now_ms()) / 1000
        if delay > 0:
            await self.engine.clock.sleep(delay)

    def _begin(self, now: int) -> None:
        self.step_uuid = str(uuid.uuid4())
        self.artifacts, self.timeline = {}, []
        self.runtime_state = {"create_time": now, "initialize_time": now}
        self.document = self._document()

    async def _attempt(self) -> StepResult:
        now = self.engine.clock.now_ms()
        self._begin(now)
        self.runtime_state["wait_signal_time"] = self.runtime_state["evaluate_param_time"] = now
        await self._pause_at_breakpoint()
        if not await self._await_signals():
            return StepResult(state=State.FATAL_ERROR)
        await self._read_nested()
        try:
            inputs = await step_inputs(
                self.engine, self.step, self.instance, self.workflow_params, self.restart_params
            )
            evaluate = partial(
                evaluate_step_params,
                self.step,
                self.workflow_params,
                context=self._param_context(),
                clock=self.engine.clock,
                injected=inputs.injected,
                restart_params=inputs.restart_params,
            )
            trusted = only_step_defaults(
                self.step, injected=inputs.injected, restart_params=inputs.restart_params
            )
            # A user's SEL runs on a worker thread, bounded in time; the defaults alone are
            # a few dozen microseconds of our own expressions, cheaper than the hop.
            evaluated = evaluate() if trusted else await off_loop(evaluate)
        except MaestosoError as exc:
            self._log(exc.message)
            return StepResult(state=State.FATAL_ERROR)
        params = {name: param.to_json() for name, param in evaluated.items()}
        self.note(params_json=params, **inputs.recorded(self.document))
        runtime = await self._runtime_or_fail()
        if runtime is None:
            return StepResult(state=State.FATAL_ERROR)
        await self._acquire_permits()
        self.runtime_state["start_time"] = started = self.engine.clock.now_ms()
        if self.attempt_id == 1 and not self.predecessors:  # the run's first steps
            telemetry.run_began(self.instance, started)
        self.context = self._make_context(params)
        result = await runtime.start(self.context)
        self._absorb(result)
        if result.state is not State.CONTINUE:
            return result
        self.status = StepStatus.RUNNING
        self.runtime_state["execute_time"] = self.engine.clock.now_ms()
        await self._write(self._row(self.status))
        return await self._poll(runtime, result.next_poll_seconds)

    async def _poll(self, runtime: StepRuntime | None, first: float | None = None) -> StepResult:
        if runtime is None:
            return StepResult(state=State.FATAL_ERROR)
        assert self.context is not None
        delay = first if first is not None else 0.0
        while True:
            await self.engine.clock.sleep(delay)
            result = await runtime.execute(self.context)
            self._absorb(result)
            if result.state is not State.CONTINUE:
                return result
            delay = (
                result.next_poll_seconds
                if result.next_poll_seconds is not None
                else runtime.default_poll_seconds
            )

    async def terminate(self, status: StepStatus = StepStatus.STOPPED) -> StepAttemptRow:
        """The attempt's row after a stop (or a workflow timeout): the runtime is told."""
        runtime = self.runtime
        if runtime is not None and self.context is not None and self.status is StepStatus.RUNNING:
            try:
                self._absorb(await runtime.terminate(self.context))
            except Exception as exc:  # a failing terminate must not keep the stop from landing
                self._log(f"terminate failed: {type(exc).__name__}: {exc}")
        if not self.runtime_state:
            now = self.engine.clock.now_ms()
            self.runtime_state = {"create_time": now}
            self.document = self._document()
            self.step_uuid = self.step_uuid or str(uuid.uuid4())
        self.runtime_state["end_time"] = self.engine.clock.now_ms()
        telemetry.attempt_ended(self.step, status, self.runtime_state)
        return self._row(status)

    async def _merge_output_data(self) -> None:
        """Join what the step's external job published (``PUT /api/v3/output-data``)."""
        key = job_key(self.step.kind, self.step_uuid, self.artifacts)
        if key is None:
            return
        published = await self.engine.store.get_output_data(*key)
        if published:
            self._absorb(
                StepResult(
                    state=State.CONTINUE,
                    artifacts=dict(published.get("artifacts") or {}),
                    output_params=dict(published.get("params") or {}),
                )
            )

    async def _pause_at_breakpoint(self) -> None:
        async def paused() -> None:
            self.runtime_state["pause_time"] = self.engine.clock.now_ms()
            await self._write(self._row(StepStatus.PAUSED))

        settled = self.writes.committed
        if await self.gates.pause_at_breakpoint(self.attempt_id, settled=settled, paused=paused):
            self._log("resumed from a breakpoint")

    async def _acquire_permits(self) -> None:
        async def waiting(full: list[str]) -> None:
            self._log(f"waiting for {', '.join(full)}")
            await self._write(self._row(StepStatus.WAITING_FOR_PERMITS))

        self.runtime_state["wait_permit_time"] = self.engine.clock.now_ms()
        await self.gates.acquire(self.step_uuid, waiting)

    async def _runtime_or_fail(self) -> StepRuntime | None:
        runtime = self.runtime
        if runtime is None:
            self._log(f"step type [{self.step.kind}] cannot run on this server yet")
        return runtime

    async def _finish(self, status: StepStatus, result: StepResult) -> StepAttemptRow:
        now = self.engine.clock.now_ms()
        self.runtime_state.setdefault("finish_time", now)
        if status is StepStatus.SUCCEEDED and not await self._announce_signals():
            status = StepStatus.FATALLY_FAILED
        self.runtime_state["end_time"] = now
        telemetry.attempt_ended(self.step, status, self.runtime_state)
        row = self._row(status)
        if not status.is_retryable:
            return row  # the flow writes final rows, together with what they cause
        await self._write(row)
        return row

    async def _write(self, row: StepAttemptRow) -> None:
        await self.writes.write(Write(attempts=[row]))

    def _param_context(self) -> RunContext:
        current = {
            "step_id": self.step.id,
            "step_instance_id": self.compiled.ordinals[self.step.id],
            "step_instance_uuid": self.step_uuid,
            "step_attempt_id": self.attempt_id,
            "step_type_info": str(self.step.kind),
            "MAESTRO_STEP_ERROR_RETRIES": self.retries.used["error"] if self.retries else 0,
        }
        current[SIGNAL_DEPENDENCIES_KEY] = self.matched_signals
        return RunContext(self.instance, self.step_rows, current, self.nested, self.engine.signals)

    async def _read_nested(self) -> None:
        """Read ahead what ``getFromForeach``/``getFromSubworkflow`` calls will ask for."""
        texts = [p.expression for p in all_params(self.step.params) if p.expression]
        calls = nested_calls(texts)
        if calls:
            self.nested = await read_nested(self.engine.store, calls, self.step_rows)

    # -- signals ---------------------------------------------------------------------------

    async def _await_signals(self) -> bool:
        """WAITING_FOR_SIGNALS until the step's signal dependencies match or are bypassed;
        False if they cannot be evaluated."""
        if not getattr(self.step, "signal_dependencies", None):
            return True

        async def publish(view: dict[str, Any]) -> None:
            self.note(signal_dependencies=copy.deepcopy(view))
            await self._write(self._row(StepStatus.WAITING_FOR_SIGNALS))

        try:
            self.matched_signals = await self.signals.await_dependencies(
                self._evaluate_extra, publish
            )
        except (PlatformError, FencedError):  # the flow resumes the step from the database
            raise
        except MaestosoError as exc:
            self._log(f"signal dependencies cannot be evaluated: {exc.message}")
            return False
        self.runtime_state["evaluate_param_time"] = self.engine.clock.now_ms()
        return True

    async def _announce_signals(self) -> bool:
        """At FINISHING: announce the step's ``signal_outputs``; False if they cannot be."""
        try:
            outputs = await self.signals.announce(self.attempt_id, self._evaluate_extra)
        except (PlatformError, FencedError):  # the flow resumes the step from the database
            raise
        except MaestosoError as exc:
            self._log(f"signal outputs cannot be announced: {exc.message}")
            return False
        if outputs is not None:
            self.note(signal_outputs=outputs)
        return True

    async def _evaluate_extra(self, definitions: dict[str, ParamDefinition]) -> dict[str, Any]:
        """Evaluate definitions beside the step's params (signal names, match params…), on a
        worker thread and bounded in time as the step's own params are."""
        own = self.document.params if self.document else {}
        params = {**self.workflow_params, **own}
        evaluated = await off_loop(
            evaluate_params,
            definitions,
            clock=self.engine.clock,
            context=self._param_context(),
            step_id=self.step.id,
            workflow_params=params,
        )
        return {name: param.evaluated_result for name, param in evaluated.items()}
