"""Settings, from the environment (``MAESTOSO_*``) and the command line."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    home: Path = Path(".maestoso")
    """The data directory: the embedded database, logs and other files."""
    database_url: str | None = None
    """None for the embedded SQLite file under ``home``; else a SQLite or PostgreSQL URL."""
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    pagerduty_services: frozenset[str] = field(default_factory=frozenset)
    """PagerDuty services that alerting may name."""
    node_id: str | None = None
    """This node's name in flow-group leases (default ``host:port``). A node restarted under
    the same name takes its groups back at once instead of waiting for their leases to end."""

    @property
    def node_name(self) -> str:
        return self.node_id or f"{socket.gethostname()}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        services = env.get("MAESTOSO_PAGERDUTY_SERVICES", "")
        return cls(
            home=Path(env.get("MAESTOSO_HOME", ".maestoso")),
            database_url=env.get("MAESTOSO_DATABASE_URL") or None,
            host=env.get("MAESTOSO_HOST", DEFAULT_HOST),
            port=int(env.get("MAESTOSO_PORT", str(DEFAULT_PORT))),
            pagerduty_services=frozenset(s.strip() for s in services.split(",") if s.strip()),
            node_id=env.get("MAESTOSO_NODE_ID") or None,
        )
