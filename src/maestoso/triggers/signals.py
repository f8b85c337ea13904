"""Announcing and reading signals (Maestro's ``SignalController``), over the store.

A signal is stored and its ``SIGNAL_ANNOUNCED`` event enqueued in one transaction; matching
it against signal triggers happens in that event's handler (``maestoso.triggers.matching``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from maestoso.clock import Clock
from maestoso.errors import ConflictError, NotFoundError, ValidationError
from maestoso.models.events import SignalAnnounced
from maestoso.models.naming import canonical, name_uuid
from maestoso.store.records import JobEvent
from maestoso.store.triggering import SignalInstanceRow, SignalStore

_KNOWN = ("name", "params", "request_id", "request_time")
_LONG = 1 << 63


class SignalService:
    def __init__(
        self, store: SignalStore, clock: Clock, wake: Callable[[], None] = lambda: None
    ) -> None:
        self._store = store
        self._clock = clock
        self._wake = wake

    async def announce(self, body: Any) -> SignalInstanceRow:
        """Store a ``SignalCreateRequest``; ``ConflictError`` for a duplicate (409)."""
        signal = self.instance_of(body)
        event = JobEvent.of(SignalAnnounced(name=signal.name, seq_id=0))
        stored = await self._store.add_signal(signal, [event])
        if stored is None:
            raise ConflictError(
                f"Signal instance [{canonical(signal.to_json())}] already exists. If needed, "
                "please set a different request_id to announce it again",
                ["Duplicate signal instance"],
            )
        self._wake()
        return stored

    def instance_of(self, body: Any) -> SignalInstanceRow:
        """The signal a request body describes (not stored yet: ``seq_id`` 0)."""
        if not isinstance(body, dict):
            raise ValidationError("the body must be a JSON object", ["body: expected an object"])
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise ValidationError("signal name is required", ["name: must not be empty"])
        params = _params(body.get("params"))
        request_time = body.get("request_time")
        if request_time is not None and (
            isinstance(request_time, bool) or not isinstance(request_time, int)
        ):
            raise ValidationError("request_time must be a long", ["request_time: not a long"])
        request_id = body.get("request_id")
        if request_id is not None and not isinstance(request_id, str):
            raise ValidationError("request_id must be a string", ["request_id: not a string"])
        payload = {key: value for key, value in body.items() if key not in _KNOWN}
        now = self._clock.now_ms()
        return SignalInstanceRow(
            name=name,
            seq_id=0,
            instance_id=request_id or _default_id(name, params),
            params=params,
            payload=payload or None,
            request_time=now if request_time is None else request_time,
            create_time=now,
        )

    async def get(self, name: str, seq: str) -> SignalInstanceRow:
        """``seq`` is a sequence number or ``latest``."""
        if seq.lower() == "latest":
            found = await self._store.get_signal(name)
        else:
            try:
                seq_id = int(seq)
            except ValueError:
                raise ValidationError(
                    f"[{seq}] is neither a sequence id nor latest", [f"seq: [{seq}] is invalid"]
                ) from None
            found = await self._store.get_signal(name, seq_id)
        if found is None:
            raise NotFoundError(f"Cannot find signal instance [{name}][{seq}]")
        return found


def _params(raw: Any) -> dict[str, str | int]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError("params must be an object", ["params: expected an object"])
    bad = [
        key
        for key, value in raw.items()
        if isinstance(value, bool)
        or not isinstance(value, (str, int))
        or (isinstance(value, int) and not -_LONG <= value < _LONG)
    ]
    if bad:
        raise ValidationError(
            f"signal params must be strings or longs: {bad}",
            [f"params.{key}: must be a string or a long" for key in bad],
        )
    return dict(raw)


def _default_id(name: str, params: dict[str, str | int]) -> str:
    # As Maestro: the same name and params make the same signal, unless a request_id differs.
    return name_uuid(canonical({"name": name, "params": params, "request_time": 0}))
