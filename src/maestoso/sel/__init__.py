"""SEL, Maestro's safe expression language: a sandboxed subset of Java.

>>> evaluate("1 + 2;").value
3
"""

from __future__ import annotations

# Importing these modules registers the built-in classes and their methods.
from maestoso.sel import collections as _collections
from maestoso.sel import joda_types as _joda_types
from maestoso.sel import misc as _misc
from maestoso.sel import numbers as _numbers
from maestoso.sel import strings as _strings
from maestoso.sel import util as _util
from maestoso.sel.api import Result, evaluate, parse
from maestoso.sel.errors import SelError
from maestoso.sel.expression import Expression, ParamsCall
from maestoso.sel.limits import DEFAULT_LIMITS, Limits
from maestoso.sel.params import MappingParamsResolver
from maestoso.sel.resolver import ParamsResolver

del _collections, _joda_types, _misc, _numbers, _strings, _util

__all__ = [
    "DEFAULT_LIMITS",
    "Expression",
    "Limits",
    "MappingParamsResolver",
    "ParamsCall",
    "ParamsResolver",
    "Result",
    "SelError",
    "evaluate",
    "parse",
]
