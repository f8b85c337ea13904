"""``Echo``: writes its ``message`` param to the step's log and passes its length on."""

from __future__ import annotations

from maestoso.plugin import DONE, Settings, State, StepContext, StepResult, output_params


class Echo:
    default_poll_seconds = 1.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def start(self, context: StepContext) -> StepResult:
        message = str(context.params.get("message", ""))
        context.log_dir.mkdir(parents=True, exist_ok=True)
        with (context.log_dir / "stdout.log").open("a") as log:
            log.write(message + "\n")
        outputs = output_params(context, {"length": len(message)})
        return StepResult(state=State.DONE, output_params=outputs)

    async def execute(self, context: StepContext) -> StepResult:
        return DONE

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)
