"""Who may do what: roles, per-workflow grants and the gate on command steps.

The API authenticates a caller into a ``Principal`` (a name and a role) and asks this service
before it acts. The rules (docs/security.md):

* ``viewer`` reads everything; ``operator`` also creates workflows (becoming their owner) and
  acts on the workflows it owns or is granted; ``admin`` does anything.
* A workflow's ``properties.access_control`` grants others: ``managers`` may push versions and
  change properties (``owner`` and ``access_control`` included), ``operators`` may start,
  stop, restart and act on steps and signals of its runs.
* Shell, Kubernetes and Notebook steps run commands on the server or a cluster: pushing a
  definition that holds one needs ``command_step_role`` (or being named in
  ``command_step_users``).

Without enforcement (``--auth none``, loopback only) every caller may do everything, as
before authentication existed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from maestoso.errors import ForbiddenError, ValidationError
from maestoso.models import WorkflowCreateRequest, user_name
from maestoso.models.steps import StepType
from maestoso.store.port import DefinitionStore, InstanceStore

COMMAND_STEPS = frozenset(
    {StepType.SHELL, StepType.PYTHON, StepType.KUBERNETES, StepType.NOTEBOOK, StepType.TEMPLATE}
)
"""Built-in step types that run commands (a template step may stand for any of them). A
plugin's step type counts as one too: what it runs is the plugin's to say."""
INLINE_PREFIX = "maestro_"
"""Foreach and while iterations run as inline workflows of generated ids; they answer to the
workflow at the root of their ancestors."""


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(role.value for role in cls)
            raise ValidationError(
                f"unknown role [{text}]", [f"role: must be one of {names}"]
            ) from None


_RANKS = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


class Grant(StrEnum):
    """What a call needs on one workflow."""

    OPERATE = "operate"
    """Start, stop, restart, act on steps and signals: owner, managers, operators."""
    MANAGE = "manage"
    """Push versions, change properties, activate: owner and managers."""
    OWN = "own"
    """Delete: the owner."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a name, a role, and the token that proved it (if any)."""

    name: str
    role: Role
    token_id: str | None = None


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    enforced: bool = False
    """Token mode: the rules apply. Otherwise every caller may do everything."""
    command_step_role: Role = Role.OPERATOR
    command_step_users: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Grants:
    """The owner and the grants of one workflow, from its properties snapshot."""

    owner: str | None
    managers: frozenset[str]
    operators: frozenset[str]

    @classmethod
    def of(cls, snapshot: dict[str, Any]) -> Grants:
        control = snapshot.get("access_control") or {}
        return cls(
            owner=_name(snapshot.get("owner")),
            managers=_names(control.get("managers") if isinstance(control, dict) else None),
            operators=_names(control.get("operators") if isinstance(control, dict) else None),
        )

    def allows(self, name: str, grant: Grant) -> bool:
        if name == self.owner:
            return True
        if grant is Grant.OWN:
            return False
        if name in self.managers:
            return True
        return grant is Grant.OPERATE and name in self.operators


def _name(user: Any) -> str | None:
    if isinstance(user, dict):
        user = user.get("name")
    return user if isinstance(user, str) else None


def _names(users: Any) -> frozenset[str]:
    if not isinstance(users, list):
        return frozenset()
    return frozenset(n for n in (_name(user) for user in users) if n)


class AccessStore(DefinitionStore, InstanceStore, Protocol):
    """What the rules read."""


class AccessService:
    def __init__(self, store: AccessStore, policy: AccessPolicy) -> None:
        self._store = store
        self.policy = policy

    @property
    def enforced(self) -> bool:
        return self.policy.enforced

    def require_role(self, principal: Principal | None, role: Role, what: str) -> None:
        """``ForbiddenError`` unless the caller has ``role`` or a higher one."""
        if not self.enforced:
            return
        if principal is None or not principal.role.at_least(role):
            held = principal.role.value if principal else "no role"
            raise _forbidden(
                f"[{_who(principal)}] may not {what}: it needs the {role.value} role "
                f"(the caller has {held})"
            )

    async def require_grant(
        self,
        principal: Principal | None,
        workflow_id: str,
        grant: Grant,
        what: str,
        instance_id: int | None = None,
    ) -> None:
        """``ForbiddenError`` unless the caller is an admin, or an operator holding ``grant``
        on the workflow. A workflow that does not exist is left to the call to report (404),
        an inline one answers to its root workflow."""
        if not self.enforced:
            return
        self.require_role(principal, Role.OPERATOR, what)
        assert principal is not None
        if principal.role is Role.ADMIN:
            return
        row = await self._store.get_workflow(workflow_id)
        if row is None and workflow_id.startswith(INLINE_PREFIX):
            root = await self._root_of(workflow_id, instance_id)
            row = None if root is None else await self._store.get_workflow(root)
            if row is None:
                raise _forbidden(f"[{principal.name}] may not {what}: only an admin may")
        if row is None:
            return
        if not Grants.of(row.properties_snapshot).allows(principal.name, grant):
            raise _forbidden(
                f"[{principal.name}] may not {what} of workflow [{row.workflow_id}]: "
                f"{_needs(grant)}"
            )

    async def may_read_audit_of(self, principal: Principal | None, workflow_id: str) -> None:
        """A workflow's audit: admins, and its owner, managers and operators."""
        await self.require_grant(principal, workflow_id, Grant.OPERATE, "read the audit log")

    async def check_create(
        self, principal: Principal | None, request: WorkflowCreateRequest
    ) -> None:
        """A new version: a new workflow needs an operator, who becomes its owner; an
        existing one needs its owner, a manager or an admin. Command steps need their role."""
        if not self.enforced:
            return
        check_access_control(request.properties.access_control if request.properties else None)
        workflow_id = request.workflow.id
        self.require_role(principal, Role.OPERATOR, f"push workflow [{workflow_id}]")
        assert principal is not None
        self._check_command_steps(principal, request)
        if principal.role is Role.ADMIN:
            return
        row = await self._store.get_workflow(workflow_id)
        if row is not None:
            await self.require_grant(principal, workflow_id, Grant.MANAGE, "push versions")
            return
        owner = _name(_json(request.properties.owner)) if request.properties else None
        if owner is not None and owner != principal.name:
            raise _forbidden(
                f"[{principal.name}] may not create workflow [{workflow_id}] owned by "
                f"[{owner}]: an operator creates workflows it owns (properties.owner: "
                f"[{principal.name}]); only an admin may name another owner"
            )

    def check_properties(self, change: dict[str, Any]) -> None:
        """The shape of ``access_control`` in a change of properties."""
        if self.enforced:
            check_access_control(change.get("access_control"))

    def _check_command_steps(self, principal: Principal, request: WorkflowCreateRequest) -> None:
        kinds = sorted(
            {str(s.kind) for s in request.workflow.all_steps() if _runs_commands(s.kind)}
        )
        if not kinds:
            return
        policy = self.policy
        if principal.role.at_least(policy.command_step_role):
            return
        if principal.name in policy.command_step_users:
            return
        raise _forbidden(
            f"[{principal.name}] may not push workflow [{request.workflow.id}]: its "
            f"{', '.join(kinds)} steps run commands, which needs the "
            f"{policy.command_step_role.value} role or a grant (MAESTOSO_COMMAND_STEP_USERS)"
        )

    async def _root_of(self, workflow_id: str, instance_id: int | None) -> str | None:
        if instance_id is None:
            return None
        row = await self._store.get_instance(workflow_id, instance_id)
        ancestors = (row.initiator.get("ancestors") or []) if row is not None else []
        root = ancestors[0].get("workflow_id") if ancestors else None
        return root if isinstance(root, str) else None


def _runs_commands(kind: StepType | str) -> bool:
    return kind in COMMAND_STEPS or not isinstance(kind, StepType)


def check_access_control(control: Any) -> None:
    """``managers`` and ``operators``, when given, are lists of user names."""
    if control is None:
        return
    if not isinstance(control, dict):
        raise ValidationError(
            "access_control must be an object", ["access_control: an object is required"]
        )
    problems = [
        f"access_control.{key}: must be a list of user names"
        for key in ("managers", "operators")
        if key in control
        and not (
            isinstance(control[key], list)
            and all(isinstance(_name(user), str) for user in control[key])
        )
    ]
    if problems:
        raise ValidationError(f"Invalid access_control: {problems[0]}", problems)


def _json(user: Any) -> Any:
    return user if user is None or isinstance(user, str) else user_name(user)


def _who(principal: Principal | None) -> str:
    return principal.name if principal else "anonymous"


def _needs(grant: Grant) -> str:
    if grant is Grant.OWN:
        return "only its owner or an admin may"
    if grant is Grant.MANAGE:
        return "only its owner, its managers (access_control.managers) or an admin may"
    return "only its owner, its managers, its operators (access_control.operators) or an admin may"


def _forbidden(message: str) -> ForbiddenError:
    return ForbiddenError(message, [message])
