"""Installed plugins: discovered by entry point, loaded once, listed with what failed."""

from __future__ import annotations

from maestoso.plugins.discovery import GROUPS, NOTIFIERS, SIGNAL_SOURCES, STEP_TYPES, Found
from maestoso.plugins.installed import InstalledPlugins, load_plugins, step_type_names

__all__ = [
    "GROUPS",
    "NOTIFIERS",
    "SIGNAL_SOURCES",
    "STEP_TYPES",
    "Found",
    "InstalledPlugins",
    "load_plugins",
    "step_type_names",
]
