"""Where a param's definition came from (Maestro's ``ParamSource``), kept in its meta."""

from __future__ import annotations

from maestoso.models import CaseInsensitiveEnum, ParamMode


class ParamSource(CaseInsensitiveEnum):
    SYSTEM = "SYSTEM"
    TEMPLATE_SCHEMA = "TEMPLATE_SCHEMA"
    SYSTEM_INJECTED = "SYSTEM_INJECTED"
    SYSTEM_DEFAULT = "SYSTEM_DEFAULT"
    DEFINITION = "DEFINITION"
    SIGNAL = "SIGNAL"
    TIME_TRIGGER = "TIME_TRIGGER"
    OUTPUT_PARAMETER = "OUTPUT_PARAMETER"
    LAUNCH = "LAUNCH"
    RESTART = "RESTART"
    SUBWORKFLOW = "SUBWORKFLOW"
    TEMPLATE = "TEMPLATE"
    FOREACH = "FOREACH"
    WHILE = "WHILE"
    WORKFLOW_PARAMETER = "WORKFLOW_PARAMETER"

    @property
    def is_system(self) -> bool:
        """Whether the system, not a user, sets params from this source."""
        return self in _SYSTEM


class InternalMode(CaseInsensitiveEnum):
    """How the system treats a default param (its ``internal_mode`` meta)."""

    OPTIONAL = "OPTIONAL"
    REQUIRED = "REQUIRED"
    PROVIDED = "PROVIDED"
    RESERVED = "RESERVED"


_SYSTEM = frozenset(
    {
        ParamSource.SYSTEM,
        ParamSource.TEMPLATE_SCHEMA,
        ParamSource.SYSTEM_INJECTED,
        ParamSource.SYSTEM_DEFAULT,
    }
)

SOURCE_KEY = "source"
INTERNAL_MODE_KEY = "internal_mode"

STRICTNESS = (
    ParamMode.MUTABLE,
    ParamMode.MUTABLE_ON_START_RESTART,
    ParamMode.MUTABLE_ON_START,
    ParamMode.IMMUTABLE,
    ParamMode.CONSTANT,
)
"""Modes from the least to the most strict."""

START_MODES = frozenset(
    {ParamMode.MUTABLE, ParamMode.MUTABLE_ON_START, ParamMode.MUTABLE_ON_START_RESTART}
)
RESTART_MODES = frozenset({ParamMode.MUTABLE, ParamMode.MUTABLE_ON_START_RESTART})

# The modes each user source may change; a source not listed may change START_MODES.
ALLOWED_MODES = {
    ParamSource.OUTPUT_PARAMETER: frozenset({ParamMode.MUTABLE}),
    ParamSource.RESTART: RESTART_MODES,
}

MODE_OF_INTERNAL = {
    InternalMode.OPTIONAL: ParamMode.MUTABLE,
    InternalMode.REQUIRED: ParamMode.MUTABLE,
    InternalMode.PROVIDED: ParamMode.MUTABLE,
    InternalMode.RESERVED: ParamMode.CONSTANT,
}


def strictness(mode: ParamMode) -> int:
    return STRICTNESS.index(mode)


def stricter(first: ParamMode | None, second: ParamMode | None) -> ParamMode | None:
    """The stricter of two modes (either may be None)."""
    if first is None or second is None:
        return first or second
    return first if strictness(first) >= strictness(second) else second
