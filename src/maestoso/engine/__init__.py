"""The engine: workflow services, and the flow executor that runs instances."""

from __future__ import annotations
