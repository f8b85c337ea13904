"""Maestoso's exception hierarchy.

* MaestosoError
  + UserError                  the caller must act; the API answers 4xx
    - ValidationError          400, with every problem found (``errors``)
    - InvalidStatusError       400, an action the current status forbids
    - NotFoundError            404
    - ConflictError            409
    - UnprocessableError       422
    - PreconditionFailedError  412
  + PlatformError              the platform failed; retryable, 500

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


class UnprocessableError(UserError):
    """A well-formed request that cannot be processed (e.g. a disabled trigger type)."""


class PreconditionFailedError(UserError):
    """A request whose precondition does not hold."""


class PlatformError(MaestosoError):
    """A failure of the platform itself (database, network); worth retrying."""

    retryable = True


class FencedError(ConflictError):
    """A write by a node that no longer owns the flow group it writes for."""
