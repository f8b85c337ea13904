"""Maestoso's exception hierarchy.

* MaestosoError
  + UserError                  the caller must act; the API answers 4xx
    - ValidationError          400, with every problem found (``errors``)
    - InvalidStatusError       400, an action the current status forbids
    - NotFoundError            404
    - ConflictError            409
    - UnprocessableError       422
    - PreconditionFailedError  412
    - TooManyRequestsError     429, retryable: a later try may find room
    - UnauthenticatedError     401: no identity, or a token that is bad, expired or revoked
    - ForbiddenError           403: an identity whose role or grants do not allow the call
  + PlatformError              the platform failed; retryable, 500
    - DatabaseUnavailableError 503: the database cannot be reached (says no more)

Only ``maestoso.api.errors`` turns these into HTTP responses.
"""

from __future__ import annotations

from collections.abc import Iterable


class MaestosoError(Exception):
    """The root of every error Maestoso raises on purpose."""

    retryable: bool = False

    def __init__(self, message: str, errors: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors: list[str] = list(errors)


class UserError(MaestosoError):
    """A request that cannot be served as given."""


class ValidationError(UserError):
    """A definition or request with one or more invalid fields."""


class InvalidStatusError(UserError):
    """An action that the entity's current status does not allow."""


class NotFoundError(UserError):
    """A workflow, version, instance or other entity that does not exist."""


class ConflictError(UserError):
    """A request that conflicts with the stored state (a duplicate, a deletion in progress)."""


class WorkflowChangedError(ConflictError):
    """A workflow changed (a version, an activation, its properties) since the caller read it."""

    @classmethod
    def of(cls, workflow_id: str) -> WorkflowChangedError:
        return cls(f"workflow [{workflow_id}] changed since it was read")


class UnprocessableError(UserError):
    """A well-formed request that cannot be processed (e.g. a disabled trigger type)."""


class PreconditionFailedError(UserError):
    """A request whose precondition does not hold."""


class TooManyRequestsError(UserError):
    """A request over a concurrency cap (e.g. of log streams); it may succeed later."""

    retryable = True


class UnauthenticatedError(UserError):
    """A call without a valid identity (no token, or a bad, expired or revoked one)."""


class ForbiddenError(UserError):
    """A caller whose role or grants do not allow the call."""


class PlatformError(MaestosoError):
    """A failure of the platform itself (database, network); worth retrying."""

    retryable = True


class DatabaseUnavailableError(PlatformError):
    """The database cannot be reached or answer now; a retry later may succeed.

    Its message never names the database's host, port or URL: the cause (chained) is for
    the server's log only.
    """

    def __init__(self, message: str = "the database is unavailable; retry later") -> None:
        super().__init__(message)


class FencedError(ConflictError):
    """A write by a node that no longer owns the flow group it writes for."""
