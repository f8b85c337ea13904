"""What answers Maestro's ``params.*`` helpers: the host's side of SEL's params."""

from __future__ import annotations

from typing import Protocol


class ParamsResolver(Protocol):
    """Answers Maestro's ``params.*`` helpers; every argument arrives as a string.

    Return plain Python values (str, int, float, bool, lists, dicts); raise
    :class:`~maestoso.sel.SelError` (or any exception) when the value cannot be found.
    """

    def get_from_step(self, step_id: str, param: str) -> object: ...

    def get_step_field(self, field: str) -> object: ...

    def get_from_instance(self, field: str) -> object: ...

    def get_from_signal(self, signal: str | None, param: str) -> object: ...

    def get_from_signal_dependency(self, index: str, param: str) -> object: ...

    def get_from_foreach(self, foreach_step_id: str, step_id: str, param: str) -> object: ...

    def get_from_subworkflow(
        self, subworkflow_step_id: str, step_id: str, param: str
    ) -> object: ...

    def next_unique_id(self) -> int: ...

    def get_execution_environment(self) -> str: ...
