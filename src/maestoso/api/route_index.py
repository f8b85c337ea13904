"""Skip the routers a request's path cannot reach before FastAPI tries their routes.

FastAPI keeps each included router whole and asks it, route by route, whether it matches a
request, and asks the chosen one again to handle it: a request for a path of the last router
tried every route of the sixteen before it (a third of a millisecond for ``/healthz`` on a
small machine). Here each included router at the top of the application answers "no match"
at once when its paths, joined in one regular expression, do not match the request's path;
otherwise FastAPI's own matching decides as before, method and all.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_Matches = Callable[[Scope], tuple[Match, Scope]]


def index_routes(app: FastAPI) -> int:
    """Put the path filter in front of each router included in ``app`` (call it once all
    routes are in). Returns how many routers got one; a router whose routes do not all have
    a path pattern (a host route, another FastAPI's inclusion) keeps FastAPI's matching."""
    indexed = 0
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            continue
        found = [getattr(context, "path_regex", None) for context in contexts()]
        patterns = [p for p in found if isinstance(p, re.Pattern)]
        if not patterns or len(patterns) != len(found):
            continue
        # Group names repeat across routes; only whether the path matches counts here.
        alternatives = (_NAMED_GROUP.sub("(?:", p.pattern) for p in patterns)
        joined = re.compile("|".join(f"(?:{a})" for a in alternatives))
        vars(route)["matches"] = _filtered(route.matches, joined)  # this object only
        indexed += 1
    return indexed


def _filtered(matches: _Matches, paths: re.Pattern[str]) -> _Matches:
    def filtered(scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] in ("http", "websocket") and paths.match(get_route_path(scope)) is None:
            return Match.NONE, {}
        return matches(scope)

    return filtered
