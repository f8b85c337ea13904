"""The public plugin API: all a plugin package imports from Maestoso, and nothing else is
promised. See docs/plugins.md.

A plugin is an installed distribution that names its parts under three entry-point groups:

- ``maestoso.step_types``: a step type's name → a ``StepTypeFactory``, called once with the
  server's settings, returning the ``StepRuntime`` that runs every step of that type;
- ``maestoso.signal_sources``: a source's name → a ``SignalSourceFactory``, returning the
  ``SignalSource`` the server runs for as long as it runs;
- ``maestoso.notifiers``: a notifier's name → a ``NotifierFactory``, returning the
  ``Notifier`` that receives every workflow, run and step status change as a ``Message``,
  through the same durable deliveries as the built-in channels (docs/alerting.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from maestoso.alerting.notifier import Message, Notifier, PermanentError
from maestoso.config import Settings
from maestoso.runtimes.base import CONTINUE, DONE, State, StepContext, StepResult, StepRuntime
from maestoso.runtimes.python import typed_outputs
from maestoso.triggers.sources import SignalContext, SignalSource

__all__ = [
    "CONTINUE",
    "DONE",
    "Message",
    "NonRetryableError",
    "Notifier",
    "NotifierFactory",
    "PermanentError",
    "Settings",
    "SignalContext",
    "SignalSource",
    "SignalSourceFactory",
    "State",
    "StepContext",
    "StepResult",
    "StepRuntime",
    "StepTypeFactory",
    "output_params",
]

StepTypeFactory = Callable[[Settings], StepRuntime]
"""What a ``maestoso.step_types`` entry point names (a class taking the settings will do)."""
SignalSourceFactory = Callable[[Settings], SignalSource]
"""What a ``maestoso.signal_sources`` entry point names."""
NotifierFactory = Callable[[Settings], Notifier]
"""What a ``maestoso.notifiers`` entry point names: its ``send`` raises to be tried again
later (``PermanentError`` when no retry can help)."""


class NonRetryableError(Exception):
    """Raised by the function of a Python step, fails its attempt for good: no retry, as
    Maestro's ``maestro_retry`` output with ``retryable: false`` does.

    The step's child process knows it by name, so an interpreter without Maestoso installed
    may raise its own ``class NonRetryableError(Exception)`` to the same effect.
    """


def output_params(context: StepContext, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``StepResult.output_params`` from plain values: each typed as the step declares it,
    else as the YAML DSL infers a literal's type (``42`` a LONG, ``{"a": "b"}`` a STRING_MAP).

    Raises ``ValueError`` for a value no param can hold (None, a list of lists...).
    """
    outputs = typed_outputs(dict(values), context.step_params, context.now_ms())
    if outputs.error is not None:
        raise ValueError(outputs.error)
    return outputs.params
