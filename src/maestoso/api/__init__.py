"""The REST API: Maestro's ``/api/v3``. The only layer that knows HTTP."""

from __future__ import annotations

from maestoso.api.app import Services, create_app

__all__ = ["Services", "create_app"]
