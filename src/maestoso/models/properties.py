"""Workflow properties: owner, run strategy, concurrency, alerting and the trigger switches.

Properties are not part of a version: a create request carries a *delta* that is merged onto
the workflow's current snapshot, field by field, the non-null side winning.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel, OpenMaestroModel
from maestoso.models.naming import FIELD_SIZE_LIMIT
from maestoso.models.users import TagList, UserRef

STEP_CONCURRENCY_MAX = 1000
WORKFLOW_CONCURRENCY_MAX = 1000
DEFAULT_STEP_CONCURRENCY = 20
DEFAULT_PARALLELISM = 20


class RunStrategyRule(CaseInsensitiveEnum):
    SEQUENTIAL = "SEQUENTIAL"
    STRICT_SEQUENTIAL = "STRICT_SEQUENTIAL"
    FIRST_ONLY = "FIRST_ONLY"
    LAST_ONLY = "LAST_ONLY"
    PARALLEL = "PARALLEL"
    SERIAL_LATEST_ONLY = "SERIAL_LATEST_ONLY"


class RunStrategy(MaestroModel):
    """Accepts ``"sequential"``, a number (PARALLEL with that concurrency) or the object form;
    always written as the object form."""

    rule: RunStrategyRule
    workflow_concurrency: int = Field(default=0, ge=0, le=WORKFLOW_CONCURRENCY_MAX)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return {"rule": value}
        if isinstance(value, int):
            return {"rule": RunStrategyRule.PARALLEL, "workflow_concurrency": value}
        return value

    @model_validator(mode="after")
    def _concurrency(self) -> RunStrategy:
        if "workflow_concurrency" not in self.model_fields_set:
            parallel = self.rule is RunStrategyRule.PARALLEL
            self.workflow_concurrency = DEFAULT_PARALLELISM if parallel else 1
        if self.workflow_concurrency > 1 and self.rule is not RunStrategyRule.PARALLEL:
            raise ValueError("only the PARALLEL run strategy allows a workflow_concurrency above 1")
        return self


class SlackConfig(MaestroModel):
    users: list[str] | None = None
    channels: list[str] | None = None
    mention_users: list[str] | None = None


class BypassDigestConfig(MaestroModel):
    workflow: bool | None = None
    steps: list[str] | None = None


class Severity(CaseInsensitiveEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class PagerdutyConfig(MaestroModel):
    severity: Severity | None = None
    always_page: bool | None = None


class Tct(MaestroModel):
    """A completion-time target: by an hour of the day, after a duration, or by a timestamp."""

    completed_by_hour: int | None = Field(default=None, ge=0, le=23)
    duration_minutes: int | None = Field(default=None, ge=0)
    completed_by_ts: int | None = Field(default=None, ge=0)
    tz: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Tct:
        given = [self.completed_by_hour, self.duration_minutes, self.completed_by_ts]
        if sum(v is not None for v in given) != 1:
            raise ValueError(
                "exactly one of completed_by_hour, duration_minutes and completed_by_ts must be set"
            )
        return self


class AlertType(CaseInsensitiveEnum):
    STEP_FAILURE = "STEP_FAILURE"
    TCT_VIOLATION = "TCT_VIOLATION"
    LONG_RUNNING = "LONG_RUNNING"
    DEPENDENCY_LATE = "DEPENDENCY_LATE"
    BREAKPOINT_HIT = "BREAKPOINT_HIT"
    DEFINITION_CHANGE = "DEFINITION_CHANGE"
    RUN_SUCCESS = "RUN_SUCCESS"
    SUCCESS_WITHIN = "SUCCESS_WITHIN"


class AlertAction(CaseInsensitiveEnum):
    EMAIL = "EMAIL"
    PAGE = "PAGE"
    SLACK = "SLACK"
    WORKFLOW = "WORKFLOW"
    STEP = "STEP"
    ALL = "ALL"


class AlertingTypeConfig(MaestroModel):
    emails: list[str] | None = None
    pagerduties: list[str] | None = None
    slack: SlackConfig | None = None
    actions: list[AlertAction] | None = None
    disabled: bool | None = None
    granularity: str | None = None
    duration_minutes: int | None = None


class Alerting(MaestroModel):
    emails: list[str] | None = None
    pagerduties: list[str] | None = None
    slack: SlackConfig | None = None
    bypass_digest_config: BypassDigestConfig | None = None
    type_configs: dict[AlertType, AlertingTypeConfig] | None = None
    pagerduty_config: PagerdutyConfig | None = None
    tct: Tct | None = None


class Properties(MaestroModel):
    """A change of properties, as a create request or the properties endpoint sends it."""

    owner: UserRef | None = None
    access_control: dict[str, Any] | None = None
    run_strategy: RunStrategy | None = None
    step_concurrency: int | None = Field(default=None, ge=1, le=STEP_CONCURRENCY_MAX)
    alerting: Alerting | None = None
    alerting_disabled: bool | None = None
    signal_trigger_disabled: bool | None = None
    time_trigger_disabled: bool | None = None
    description: str | None = Field(default=None, max_length=FIELD_SIZE_LIMIT)
    tags: TagList | None = None


class PropertiesUpdate(Properties):
    """The body of the properties endpoint: a change plus resets of some fields."""

    reset_run_strategy_rule: bool | None = None
    reset_workflow_concurrency: bool | None = None
    reset_step_concurrency: bool | None = None


class PropertiesSnapshot(OpenMaestroModel):
    """The merged properties in force from ``create_time`` on."""

    workflow_id: str
    create_time: int
    author: UserRef | None = None
    owner: UserRef | None = None
    access_control: dict[str, Any] | None = None
    run_strategy: RunStrategy | None = None
    step_concurrency: int | None = None
    alerting: Alerting | None = None
    alerting_disabled: bool | None = None
    signal_trigger_disabled: bool | None = None
    time_trigger_disabled: bool | None = None
    description: str | None = None
    tags: TagList | None = None


PROPERTY_FIELDS = tuple(Properties.model_fields)
