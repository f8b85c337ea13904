"""The error every params failure raises: which param, and what is wrong with it."""

from __future__ import annotations

from maestoso.errors import ValidationError


class ParamError(ValidationError):
    """A param that cannot be merged, evaluated, converted or validated.

    The message always names the param (``Param [foo] ...``), as Maestro's messages do, so
    that a failed run tells the user which definition to fix.
    """
