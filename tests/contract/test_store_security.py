"""API tokens and the audit log: stored, read back, revoked, paged and filtered."""

from __future__ import annotations

import pytest

from maestoso.errors import ConflictError, ValidationError
from maestoso.store import Store
from maestoso.store.security import AuditEntry, TokenRow

T0 = 1_700_000_000_000


def token(token_id: str, user: str, *, role: str = "operator", at: int = T0) -> TokenRow:
    return TokenRow(
        token_id=token_id,
        user=user,
        role=role,
        secret_hash="ab" * 32,
        create_time=at,
        expire_time=at + 1000,
        description="for tests",
    )


def entry(user: str | None, workflow_id: str | None, *, status: int = 200) -> AuditEntry:
    return AuditEntry(
        create_time=T0,
        user=user,
        role="operator",
        method="POST",
        path=f"/api/v3/workflows/{workflow_id}/versions/1/actions/start",
        action="POST /api/v3/workflows/{workflow_id}/versions/{version}/actions/start",
        status=status,
        outcome="OK" if status < 400 else "FORBIDDEN",
        request_id="req-1",
        workflow_id=workflow_id,
        instance_id=3,
        run_id=None,
        step_id="job.1",
        client="127.0.0.1",
    )


async def test_tokens_are_saved_read_and_listed(store: Store) -> None:
    await store.save_token(token("b" * 16, "bob", at=T0 + 1))
    await store.save_token(token("a" * 16, "alice", role="admin"))
    assert await store.get_token("a" * 16) == token("a" * 16, "alice", role="admin")
    assert await store.get_token("c" * 16) is None
    assert [row.user for row in await store.list_tokens()] == ["alice", "bob"]
    with pytest.raises(ConflictError):
        await store.save_token(token("a" * 16, "mallory"))


async def test_tokens_are_revoked_by_id_or_by_user(store: Store) -> None:
    for token_id, user in (("1" * 16, "alice"), ("2" * 16, "alice"), ("3" * 16, "bob")):
        await store.save_token(token(token_id, user))
    assert await store.revoke_tokens(now=T0 + 5, token_id="3" * 16) == 1
    assert await store.revoke_tokens(now=T0 + 6, token_id="3" * 16) == 0  # already revoked
    assert await store.revoke_tokens(now=T0 + 7, user="alice") == 2
    revoked = {row.token_id: row.revoke_time for row in await store.list_tokens()}
    assert revoked == {"1" * 16: T0 + 7, "2" * 16: T0 + 7, "3" * 16: T0 + 5}
    with pytest.raises(ValueError):
        await store.revoke_tokens(now=T0)


async def test_audit_entries_are_paged_newest_first(store: Store) -> None:
    await store.add_audit([entry("alice", "wf-a"), entry("bob", "wf-b")])
    await store.add_audit([entry("alice", "wf-b", status=403), entry(None, None, status=401)])
    page = await store.list_audit(before=None, limit=3)
    assert [(e.user, e.workflow_id, e.status) for e in page] == [
        (None, None, 401),
        ("alice", "wf-b", 403),
        ("bob", "wf-b", 200),
    ]
    assert page[0].audit_id > page[1].audit_id > page[2].audit_id
    rest = await store.list_audit(before=page[-1].audit_id, limit=3)
    assert [(e.user, e.workflow_id) for e in rest] == [("alice", "wf-a")]
    assert rest[0].step_id == "job.1" and rest[0].instance_id == 3 and rest[0].run_id is None


async def test_audit_entries_are_filtered_by_user_and_workflow(store: Store) -> None:
    await store.add_audit([entry("alice", "wf-a"), entry("bob", "wf-b"), entry("alice", "wf-b")])
    alice = await store.list_audit(before=None, limit=10, user="alice")
    assert [e.workflow_id for e in alice] == ["wf-b", "wf-a"]
    wf_b = await store.list_audit(before=None, limit=10, workflow_id="wf-b")
    assert [e.user for e in wf_b] == ["alice", "bob"]
    both = await store.list_audit(before=None, limit=10, user="bob", workflow_id="wf-b")
    assert len(both) == 1
    assert await store.list_audit(before=None, limit=10, user="carol") == []


async def test_audit_outlives_its_workflow(store: Store) -> None:
    await store.add_audit([entry("alice", "wf-a")])
    await store.delete_workflow("wf-a")
    assert len(await store.list_audit(before=None, limit=10, workflow_id="wf-a")) == 1


async def test_a_nul_in_a_token_user_is_refused_alike(store: Store, store_kind: str) -> None:
    if store_kind == "memory":
        pytest.skip("the memory store keeps any text")
    with pytest.raises(ValidationError):
        await store.save_token(token("d" * 16, "a\x00b"))
