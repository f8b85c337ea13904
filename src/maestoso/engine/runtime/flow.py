"""One run of a workflow instance (Maestro's flow actor).

The actor alone changes its run's state, so it needs no locks: steps report to its mailbox,
and actions (stop, kill) arrive there too. It starts a step when all its predecessors are
final and one of its incoming edges holds; a step none of whose edges holds is UNSATISFIED.
When nothing runs and nothing can start, the run is over and its status is derived from its
steps. Every write carries the fence of the run's flow group, and they are committed in the
order they were made (see ``run_writes``: a plain NoOp may start before they are).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace

from maestoso.dsl.dag import Dag
from maestoso.engine.runtime import telemetry
from maestoso.engine.runtime.children import ChildrenHub
from maestoso.engine.runtime.compiled import CompiledWorkflow
from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.edges import any_edge_holds, incoming_edges
from maestoso.engine.runtime.messages import (
    ActOnStep,
    Message,
    StepCrashed,
    StepFinished,
    Terminate,
    WriteFailed,
)
from maestoso.engine.runtime.overview import runtime_overview, status_event
from maestoso.engine.runtime.run_writes import RunWrites, may_run_ahead
from maestoso.engine.runtime.step_document import unsatisfied_row
from maestoso.engine.runtime.task import StepRun
from maestoso.engine.runtime.timeouts import workflow_timeout_seconds
from maestoso.engine.runtime.writer import Write
from maestoso.errors import FencedError, MaestosoError, PlatformError
from maestoso.models import FailureMode
from maestoso.models.events import StartWorkflow
from maestoso.models.naming import is_inline
from maestoso.models.statuses import (
    StepAction,
    StepStatus,
    WorkflowStatus,
    workflow_status_from_steps,
)
from maestoso.models.workflow import DEFAULT_WORKFLOW_TIMEOUT_SECS
from maestoso.params import ParamError, off_loop
from maestoso.store.records import (
    Fence,
    IfQueued,
    InstanceRow,
    InstanceUpdate,
    JobEvent,
    StepAttemptRow,
)

logger = logging.getLogger(__name__)

_ACTION_STATUS = {
    StepAction.STOP: StepStatus.STOPPED,
    StepAction.KILL: StepStatus.FATALLY_FAILED,
    StepAction.SKIP: StepStatus.SKIPPED,
}


class FlowActor:
    def __init__(
        self,
        engine: EngineContext,
        children: ChildrenHub,
        instance: InstanceRow,
        fence: Fence,
        on_exit: Callable[[FlowActor], None],
    ) -> None:
        self.engine = engine
        self.children = children
        self.instance = instance
        self.fence = fence
        self._on_exit = on_exit
        self._mailbox: asyncio.Queue[Message] = asyncio.Queue()
        self._compiled: CompiledWorkflow = engine.workflows.get(
            (instance.workflow_id, instance.record.internal_id, instance.version_id),
            instance.record.runtime_workflow,
        )
        steps = self._compiled.workflow.top_steps()
        in_run = instance.record.runtime_dag or {step.id: {} for step in steps}
        # A restarted run holds only the steps it runs again; the others keep their results
        # from earlier runs (``_carried``) and count as final predecessors.
        self._steps = {step.id: step for step in steps if step.id in in_run}
        # The overview numbers a run's steps by their place in the run's own DAG.
        ordinals = {step_id: n for n, step_id in enumerate(self._steps, start=1)}
        self._in_run = replace(self._compiled, ordinals=ordinals)
        self._dag = Dag.build({step.id: list(step.successors) for step in steps})
        self._carried: dict[str, StepAttemptRow] = {}
        self._step_actions: list[ActOnStep] = []
        self._final: dict[str, StepAttemptRow] = {}
        # Final rows not written yet: submitted before anything they make ready starts, or
        # written with the run's end when they were its last (one transaction, not two).
        self._unwritten: list[StepAttemptRow] = []
        # Steps whose readiness may have changed: all at first, then the successors of each
        # step that became final, and those the concurrency limit held back (a long chain
        # would otherwise ask every waiting step again at every step's end).
        self._to_check: dict[str, None] = dict.fromkeys(self._steps)
        self._running: dict[str, tuple[StepRun, asyncio.Task[None]]] = {}
        self._terminating: Terminate | None = None
        self._failing_fast = False
        self._limit = (
            self._compiled.workflow.instance_step_concurrency or engine.instance_step_concurrency
        )
        self.task: asyncio.Task[None] | None = None
        self.crashed = False
        self._writes = RunWrites(engine.writer, fence, lambda error: self.post(WriteFailed(error)))

    @property
    def key(self) -> tuple[str, int, int]:
        return self.instance.workflow_id, self.instance.instance_id, self.instance.run_id

    def start(self) -> None:
        main = telemetry.run_span(self._main(), self.instance)
        self.task = asyncio.create_task(main, name=f"flow {self.key}")

    def post(self, message: Message) -> None:
        self._mailbox.put_nowait(message)

    async def _main(self) -> None:
        timer = asyncio.create_task(self._timeout())
        try:
            await self._resume()
            while not await self._advance():
                self._handle(await self._mailbox.get())
                while not self._mailbox.empty():  # steps that finished together: one write
                    self._handle(self._mailbox.get_nowait())
            await self._conclude()
        except FencedError:
            logger.warning(
                "flow %s: its group was taken over; leaving it to the new owner", self.key
            )
        except asyncio.CancelledError:
            raise
        except PlatformError as exc:  # the database did not answer (an outage…)
            logger.warning("flow %s: %s; it resumes from the database", self.key, exc.message)
            self.crashed = True
        except Exception:
            # The database is the truth: the flow is launched again from it shortly.
            logger.exception("flow %s failed; it resumes from the database", self.key)
            self.crashed = True
        finally:
            timer.cancel()
            for _, task in self._running.values():
                task.cancel()
            self._writes.abandon()
            self._on_exit(self)

    async def _timeout(self) -> None:
        """Time the run out when its workflow timeout (default 10 days) has passed."""
        params = self.instance.record.results
        try:
            seconds = workflow_timeout_seconds(self._compiled.workflow.timeout, params)
        except MaestosoError as exc:
            logger.warning("flow %s: %s; using the default timeout", self.key, exc.message)
            seconds = DEFAULT_WORKFLOW_TIMEOUT_SECS
        started = self.instance.start_time or self.instance.create_time
        remaining = seconds - (self.engine.clock.now_ms() - started) / 1000
        await self.engine.clock.sleep(remaining)
        self.post(Terminate(WorkflowStatus.TIMED_OUT, f"the workflow timed out after {seconds}s"))

    async def _resume(self) -> None:
        if self.engine.fresh(self.key):  # created here a moment ago: nothing to resume
            return
        for run_id in range(1, self.instance.run_id):
            earlier = self.instance.workflow_id, self.instance.instance_id, run_id
            for row in await self.engine.store.get_step_attempts(*earlier):
                if row.step_id not in self._steps:
                    self._carried[row.step_id] = row
        rows = await self.engine.store.get_step_attempts(*self.key)
        for row in rows:
            status = StepStatus(row.status)
            if status.is_terminal and not status.is_retryable:
                self._final[row.step_id] = row
            elif row.step_id in self._steps:
                self._launch(row.step_id, resume_from=row)

    def _handle(self, message: Message) -> None:
        match message:
            case StepFinished():
                self._apply_step_finished(message)
            case StepCrashed():
                self._apply_step_crashed(message)
            case WriteFailed():
                raise message.error
            case ActOnStep():
                self._step_actions.append(message)
            case Terminate():
                self._terminating = self._terminating or message
            case _:
                raise TypeError(f"flow {self.key}: unknown message {message!r}")

    def _apply_step_finished(self, message: StepFinished) -> None:
        self._running.pop(message.step_id, None)
        self._finalise(message.row)
        self._unwritten.append(message.row)
        status = StepStatus(message.row.status)
        if status.is_failed and self._mode(message.step_id) is FailureMode.FAIL_IMMEDIATELY:
            self._failing_fast = True

    def _apply_step_crashed(self, message: StepCrashed) -> None:
        self._running.pop(message.step_id, None)
        raise message.error

    async def _advance(self) -> bool:
        """Start what can start, write what became final; True when the run is over (its
        last final rows are then written by ``_conclude``, with the run's end)."""
        if self._step_actions:  # acted on after the rows before them are committed
            self._submit_final()
            await self._writes.committed()
        while self._step_actions:
            await self._act(self._step_actions.pop(0))
        if self._terminating or self._failing_fast:
            await self._stop_all()
            return True
        ready: list[str] = []
        progressed = True
        while progressed:
            progressed = False
            for step_id in [s for s in self._steps if s in self._to_check]:
                if step_id in self._final or step_id in self._running:
                    del self._to_check[step_id]
                    continue
                if len(self._running) + len(ready) >= self._limit:
                    break
                del self._to_check[step_id]
                verdict = await self._readiness(step_id)
                if verdict is None:
                    continue
                if verdict:
                    ready.append(step_id)
                else:
                    row = self._unsatisfied_row(step_id)
                    self._finalise(row)
                    self._unwritten.append(row)
                    progressed = True
        if not ready and not self._running and self._mailbox.empty():
            return True
        self._submit_final()  # ahead of anything of the steps it made ready
        if not all(may_run_ahead(self._steps[step_id]) for step_id in ready):
            await self._writes.committed()
        for step_id in ready:
            self._launch(step_id)
        return False

    def _finalise(self, row: StepAttemptRow) -> None:
        self._final[row.step_id] = row
        self._to_check.update(dict.fromkeys(self._dag.successors.get(row.step_id, ())))

    def _submit_final(self) -> None:
        if self._unwritten:
            rows, self._unwritten = self._unwritten, []
            self._writes.submit(Write(attempts=rows))

    async def _readiness(self, step_id: str) -> bool | None:
        """True: start it; False: it can never run (UNSATISFIED); None: not yet."""
        predecessors = self._dag.predecessors[step_id]
        edges = incoming_edges(step_id, predecessors, self._step_row, self._compiled)
        if edges is None or isinstance(edges, bool):
            return edges
        if not edges:
            return False
        params = self.instance.record.results
        try:  # SEL runs on a worker thread, bounded in time
            return await off_loop(any_edge_holds, edges, params, self.engine.clock, self.key)
        except ParamError as exc:
            logger.warning("flow %s: conditions of the edges to %s: %s", self.key, step_id, exc)
            return False

    def _launch(
        self, step_id: str, resume_from: StepAttemptRow | None = None, new_attempt: bool = False
    ) -> None:
        run = self._step_run(step_id, resume_from)
        run.new_attempt = new_attempt
        self._running[step_id] = (run, asyncio.create_task(self._drive(run)))

    def _step_run(self, step_id: str, resume_from: StepAttemptRow | None) -> StepRun:
        return StepRun(
            engine=self.engine,
            instance=self.instance,
            compiled=self._compiled,
            step=self._steps[step_id],
            predecessors=self._dag.predecessors[step_id],
            writes=self._writes,
            resume_from=resume_from,
            workflow_params=self.instance.record.params,  # decoded once, at the first step
            step_rows=self._step_row,
            children=self.children,
        )

    def _step_row(self, step_id: str) -> StepAttemptRow | None:
        return self._final.get(step_id) or self._carried.get(step_id)

    async def _drive(self, run: StepRun) -> None:
        try:
            try:
                row = await run.run()
            except (asyncio.CancelledError, PlatformError, FencedError):
                raise
            except Exception as exc:  # a defect of the step's runtime fails only that step
                logger.exception("flow %s: step %s failed inside", self.key, run.step.id)
                run.log(f"internal error: {type(exc).__name__}: {exc}")
                row = await run.terminate(StepStatus.INTERNALLY_FAILED)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self.post(StepCrashed(run.step.id, exc))
            return
        self.post(StepFinished(run.step.id, row))

    async def _act(self, message: ActOnStep) -> None:
        step_id, action = message.step_id, message.action
        if step_id not in self._steps:
            return
        if action is StepAction.RESTART:
            previous = self._final.pop(step_id, None)
            if previous is not None and step_id not in self._running:
                self._launch(step_id, resume_from=previous, new_attempt=True)
                self._running[step_id][0].restart_params = message.params
            return
        status = _ACTION_STATUS[action]
        running = self._running.pop(step_id, None)
        if running is not None:
            run, task = running
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        elif step_id in self._final:
            return  # it finished first
        else:
            run = self._step_run(step_id, None)
        row = await run.terminate(status)
        self._finalise(row)
        await self._writes.write(Write(attempts=[row]))
        if status.is_failed and self._mode(step_id) is FailureMode.FAIL_IMMEDIATELY:
            self._failing_fast = True

    async def _stop_all(self) -> None:
        runs = list(self._running.values())
        self._running.clear()
        for _, task in runs:
            task.cancel()
        await asyncio.gather(*(task for _, task in runs), return_exceptions=True)
        stopped = self._terminating.status if self._terminating else WorkflowStatus.STOPPED
        step_status = (
            StepStatus.TIMED_OUT if stopped is WorkflowStatus.TIMED_OUT else StepStatus.STOPPED
        )
        rows = [await run.terminate(step_status) for run, _ in runs]
        for row in rows:
            self._final[row.step_id] = row
        self._unwritten += rows

    async def _conclude(self) -> None:
        statuses = [StepStatus(row.status) for row in self._final.values()]
        status = workflow_status_from_steps(statuses)
        terminating = self._terminating
        if terminating is not None:
            status = terminating.status
        now = self.engine.clock.now_ms()
        update = InstanceUpdate(
            workflow_id=self.instance.workflow_id,
            instance_id=self.instance.instance_id,
            run_id=self.instance.run_id,
            status=status.value,
            expected_statuses=(WorkflowStatus.IN_PROGRESS.value, WorkflowStatus.PAUSED.value),
            end_time=now,
            runtime_overview=runtime_overview(self._in_run, self._final, status),
            timeline=[status_event(status, now, terminating.reason if terminating else None)],
            modify_time=now,
        )
        workflow_id = self.instance.workflow_id
        admit_next = IfQueued(
            workflow_id=workflow_id, event=JobEvent.of(StartWorkflow(workflow_id=workflow_id))
        )
        # Only when a run waits for this one's place (the writer wakes the queue then); inline
        # instances (loop iterations) bypass run strategies: nothing to admit after them.
        if_queued = [] if is_inline(workflow_id) else [admit_next]
        rows, self._unwritten = self._unwritten, []
        await self._writes.write(
            Write(attempts=rows, instance_updates=[update], if_queued=if_queued)
        )
        telemetry.run_ended(status)
        self.children.concluded(self.instance)

    def _mode(self, step_id: str) -> FailureMode:
        return getattr(self._steps[step_id], "failure_mode", None) or FailureMode.FAIL_AFTER_RUNNING

    def _unsatisfied_row(self, step_id: str) -> StepAttemptRow:
        predecessors = self._dag.predecessors[step_id]
        return unsatisfied_row(
            self.instance, self._compiled, step_id, predecessors, self.engine.clock.now_ms()
        )
