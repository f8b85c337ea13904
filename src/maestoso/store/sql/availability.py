"""Telling "the database cannot be reached" from the other ways a statement fails.

An unreachable database is the operator's to fix and the client's to wait for (503,
retryable); a lock timeout or a refused statement is not. The driver's message of a
connection failure names the host and port, so it stays in the server's log.
"""

from __future__ import annotations

from sqlalchemy import exc

_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
"""admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections; class 08 is
every connection exception."""
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error")


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached or cannot answer now."""
    if isinstance(error, (OSError, exc.TimeoutError, exc.InterfaceError)):
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    cause = error.orig
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES
    if type(cause).__module__.startswith("psycopg"):
        # libpq's own failures (refused, reset, timed out) carry no SQLSTATE.
        return isinstance(error, exc.OperationalError)
    text = str(cause).lower()
    return any(marker in text for marker in _SQLITE_UNAVAILABLE)
