"""Who may do what: roles, the grants of ``access_control``, command steps, tokens."""

from __future__ import annotations

from typing import Any

import pytest

from maestoso.clock import FakeClock
from maestoso.dsl.requests import parse_model
from maestoso.engine.services.access import (
    AccessPolicy,
    AccessService,
    Grant,
    Principal,
    Role,
)
from maestoso.engine.services.tokens import TokenService, parse_expiry
from maestoso.engine.services.workflows import WorkflowService
from maestoso.errors import ForbiddenError, UnauthenticatedError, ValidationError
from maestoso.models import WorkflowCreateRequest
from maestoso.store.memory import MemoryStore

ALICE = Principal("alice", Role.OPERATOR)
BOB = Principal("bob", Role.OPERATOR)
CAROL = Principal("carol", Role.OPERATOR)
VIEWER = Principal("vera", Role.VIEWER)
ADMIN = Principal("root", Role.ADMIN)


def request(
    workflow_id: str = "wf", owner: str = "alice", step_type: str = "NoOp", **properties: Any
) -> WorkflowCreateRequest:
    return parse_model(
        WorkflowCreateRequest,
        {
            "properties": {"owner": owner, **properties},
            "workflow": {"id": workflow_id, "steps": [{"step": {"id": "s", "type": step_type}}]},
        },
    )


@pytest.fixture
async def access() -> AccessService:
    store = MemoryStore(FakeClock())
    workflows = WorkflowService(store, FakeClock())
    control = {"managers": ["bob"], "operators": [{"name": "carol"}]}
    await workflows.create(request(access_control=control), "alice")
    return AccessService(store, AccessPolicy(enforced=True))


async def test_grants_decide_on_a_workflow(access: AccessService) -> None:
    expected = {
        ALICE: {Grant.OPERATE, Grant.MANAGE, Grant.OWN},
        BOB: {Grant.OPERATE, Grant.MANAGE},
        CAROL: {Grant.OPERATE},
        Principal("dave", Role.OPERATOR): set(),
        ADMIN: {Grant.OPERATE, Grant.MANAGE, Grant.OWN},
        VIEWER: set(),
    }
    for principal, grants in expected.items():
        for grant in Grant:
            call = access.require_grant(principal, "wf", grant, "act")
            if grant in grants:
                await call
            else:
                with pytest.raises(ForbiddenError):
                    await call


async def test_an_unknown_workflow_is_left_to_the_call(access: AccessService) -> None:
    await access.require_grant(BOB, "nope", Grant.OWN, "delete")
    with pytest.raises(ForbiddenError):
        await access.require_grant(VIEWER, "nope", Grant.OPERATE, "start")
    with pytest.raises(ForbiddenError, match="only an admin"):
        await access.require_grant(BOB, "maestro_foreach_x", Grant.OPERATE, "stop", 1)


async def test_pushing_needs_the_manage_grant_or_a_new_workflow(access: AccessService) -> None:
    await access.check_create(BOB, request())
    with pytest.raises(ForbiddenError, match="owner, its managers"):
        await access.check_create(CAROL, request())
    with pytest.raises(ForbiddenError, match="viewer"):
        await access.check_create(VIEWER, request("new", owner="vera"))
    await access.check_create(CAROL, request("new", owner="carol"))
    with pytest.raises(ForbiddenError, match="only an admin may name another owner"):
        await access.check_create(CAROL, request("new", owner="alice"))
    await access.check_create(ADMIN, request("new", owner="alice"))


async def test_command_steps_need_their_role(access: AccessService) -> None:
    await access.check_create(CAROL, request("new", owner="carol", step_type="Shell"))
    strict = AccessService(
        access._store,
        AccessPolicy(
            enforced=True, command_step_role=Role.ADMIN, command_step_users=frozenset({"bob"})
        ),
    )
    with pytest.raises(ForbiddenError, match="Shell steps run commands"):
        await strict.check_create(CAROL, request("new", owner="carol", step_type="Shell"))
    await strict.check_create(CAROL, request("new", owner="carol", step_type="Http"))
    await strict.check_create(BOB, request("other", owner="bob", step_type="Kubernetes"))
    await strict.check_create(ADMIN, request("new", owner="carol", step_type="Notebook"))


async def test_access_control_must_be_lists_of_names(access: AccessService) -> None:
    with pytest.raises(ValidationError, match="managers"):
        await access.check_create(ALICE, request(access_control={"managers": "bob"}))
    access.check_properties({"access_control": {"operators": ["x", {"name": "y"}]}})


async def test_without_enforcement_everything_is_allowed() -> None:
    open_access = AccessService(MemoryStore(FakeClock()), AccessPolicy(enforced=False))
    open_access.require_role(None, Role.ADMIN, "anything")
    await open_access.require_grant(None, "wf", Grant.OWN, "delete")
    await open_access.check_create(None, request("x", owner="y", step_type="Shell"))


async def test_tokens_are_hashed_and_checked() -> None:
    store = MemoryStore(FakeClock())
    clock = FakeClock()
    tokens = TokenService(store, clock)
    made = await tokens.create("alice", Role.OPERATOR, expires="1h")
    assert made.token.startswith(f"mso_{made.row.token_id}_")
    stored = await store.get_token(made.row.token_id)
    assert stored is not None and made.token.split("_", 2)[2] not in repr(stored)
    assert await tokens.authenticate(made.token) == Principal(
        "alice", Role.OPERATOR, made.row.token_id
    )
    other_last = "B" if made.token.endswith("A") else "A"
    forged = made.token[:-1] + other_last
    for bad in ("", "nope", made.token + "x", forged, f"mso_{'0' * 16}_{'a' * 43}"):
        with pytest.raises(UnauthenticatedError, match="not valid"):
            await tokens.authenticate(bad)
    await clock.advance(3601)
    with pytest.raises(UnauthenticatedError, match="expired"):
        await tokens.authenticate(made.token)
    other = await tokens.create("bob", Role.VIEWER, expires="never")
    assert other.row.expire_time is None
    assert await tokens.revoke(user="bob") == 1
    with pytest.raises(UnauthenticatedError, match="revoked"):
        await tokens.authenticate(other.token)


def test_expiry_durations() -> None:
    assert parse_expiry("30d", 0) == 30 * 86_400_000
    assert parse_expiry("12h", 5) == 5 + 12 * 3_600_000
    assert parse_expiry("2w", 0) == 14 * 86_400_000
    assert parse_expiry(None, 0) == 90 * 86_400_000
    assert parse_expiry("never", 0) is None
    for bad in ("0d", "30", "d", "-1d", "1y"):
        with pytest.raises(ValidationError):
            parse_expiry(bad, 0)
