"""Settings, from the environment (``MAESTOSO_*``) and the command line."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_MAX_BODY_BYTES = 256 * 1024
DEFAULT_HTTP_ALLOWED_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_ALLOWED_HOSTS = DEFAULT_HTTP_ALLOWED_HOSTS
"""Host headers the API answers (``MAESTOSO_ALLOWED_HOSTS``; ``*`` for any)."""
"""Http steps may call this machine only, unless told otherwise: an embedded server has no
operator to ask, and its own API is what Maestro's samples call."""


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
    flow_groups: int = 64
    """How many flow groups new runs are spread over (``MAESTOSO_FLOW_GROUPS``); the nodes of a
    cluster share them out. Changing it is safe: runs keep the group they were stored under."""
    group_lease_seconds: float = 12.0
    """How long a node's claim on a flow group (and its membership) lasts unless renewed
    (``MAESTOSO_GROUP_LEASE``): after a node dies, its runs wait that long for another node."""
    group_heartbeat_seconds: float = 3.0
    """How often a node renews its flow-group leases (``MAESTOSO_GROUP_HEARTBEAT``)."""

    http_allowed_hosts: frozenset[str] = DEFAULT_HTTP_ALLOWED_HOSTS
    """Hosts Http steps may call (``MAESTOSO_HTTP_ALLOWED_HOSTS``, comma-separated; an empty
    value allows none, as Maestro's empty allow-list does)."""
    http_connect_timeout_seconds: float = 30.0
    http_send_timeout_seconds: float = 30.0
    """The whole exchange of an Http step, response body included."""
    http_max_response_bytes: int = 1024 * 1024
    allowed_hosts: frozenset[str] = DEFAULT_ALLOWED_HOSTS
    """Names a request's ``Host`` header may give (``*`` any, ``*.example.com`` a domain)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Largest request body (``MAESTOSO_MAX_BODY_BYTES``); larger is 413."""
    max_json_depth: int = 100
    """Deepest nesting of a JSON body (``MAESTOSO_MAX_JSON_DEPTH``); deeper is 400."""
    max_log_streams: int = 64
    """Concurrent ``follow=true`` log streams (``MAESTOSO_MAX_LOG_STREAMS``); more is 429."""
    read_timeout_seconds: float = 10.0
    """Time a connection has to send its request headers (``MAESTOSO_READ_TIMEOUT``)."""
    max_connections: int = 2000
    """Open connections; past it the oldest one still sending headers is closed
    (``MAESTOSO_MAX_CONNECTIONS``)."""
    access_log: bool = True
    """One line per request on stderr (``MAESTOSO_ACCESS_LOG=false`` turns it off)."""
    log_format: str = "text"
    """``text`` or ``json`` (one object per line): ``MAESTOSO_LOG_FORMAT``, ``--log-format``."""
    sel_time_limit_seconds: float = 5.0
    """Wall-clock limit of the SEL a start, a restart or a step evaluates, in total
    (``MAESTOSO_SEL_TIME_LIMIT``); the expression fails with a SEL error past it."""
    kubernetes_namespace: str = "default"
    kubernetes_config: str | None = None
    """A kubeconfig file for Kubernetes steps (default: in-cluster, else ``~/.kube/config``)."""
    kubernetes_context: str | None = None
    auth: str = "none"
    """``none`` (the ``user`` header names the caller; loopback only) or ``token`` (a bearer
    token on every call): ``MAESTOSO_AUTH``. See docs/security.md."""
    insecure_no_auth: bool = False
    """Serve without authentication on a non-loopback address (``MAESTOSO_INSECURE_NO_AUTH``)."""
    cors_origins: frozenset[str] = field(default_factory=frozenset)
    """Origins allowed to call the API from a browser (``MAESTOSO_CORS_ORIGINS``); none."""
    secrets_env_prefix: str = "MAESTOSO_SECRET_"
    """``${secret:NAME}`` reads the variable ``<prefix>NAME`` (``MAESTOSO_SECRETS_ENV_PREFIX``)."""
    secrets_dir: Path | None = None
    """``${secret:NAME}`` reads the file ``<dir>/NAME`` (``MAESTOSO_SECRETS_DIR``)."""
    command_step_role: str = "operator"
    """The least role that may push Shell, Kubernetes or Notebook steps in token mode
    (``MAESTOSO_COMMAND_STEP_ROLE``: ``operator`` or ``admin``)."""
    command_step_users: frozenset[str] = field(default_factory=frozenset)
    """Users who may push them whatever their role (``MAESTOSO_COMMAND_STEP_USERS``)."""

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
            pagerduty_services=frozenset(
                # ``service=routing_key``: the routing key is alerting's, not validation's.
                s.partition("=")[0].strip()
                for s in services.split(",")
                if s.partition("=")[0].strip()
            ),
            node_id=env.get("MAESTOSO_NODE_ID") or None,
            flow_groups=int(env.get("MAESTOSO_FLOW_GROUPS", "64")),
            group_lease_seconds=float(env.get("MAESTOSO_GROUP_LEASE", "12")),
            group_heartbeat_seconds=float(env.get("MAESTOSO_GROUP_HEARTBEAT", "3")),
            http_allowed_hosts=_hosts(env.get("MAESTOSO_HTTP_ALLOWED_HOSTS")),
            http_connect_timeout_seconds=float(env.get("MAESTOSO_HTTP_CONNECT_TIMEOUT", "30")),
            http_send_timeout_seconds=float(env.get("MAESTOSO_HTTP_SEND_TIMEOUT", "30")),
            http_max_response_bytes=int(env.get("MAESTOSO_HTTP_MAX_RESPONSE_BYTES", "1048576")),
            allowed_hosts=_hosts(env.get("MAESTOSO_ALLOWED_HOSTS"), DEFAULT_ALLOWED_HOSTS),
            max_json_depth=int(env.get("MAESTOSO_MAX_JSON_DEPTH", "100")),
            max_log_streams=int(env.get("MAESTOSO_MAX_LOG_STREAMS", "64")),
            read_timeout_seconds=float(env.get("MAESTOSO_READ_TIMEOUT", "10")),
            max_connections=int(env.get("MAESTOSO_MAX_CONNECTIONS", "2000")),
            access_log=env.get("MAESTOSO_ACCESS_LOG", "true").lower() not in ("0", "false", "no"),
            log_format=(env.get("MAESTOSO_LOG_FORMAT") or "text").strip().lower(),
            sel_time_limit_seconds=float(env.get("MAESTOSO_SEL_TIME_LIMIT", "5")),
            kubernetes_namespace=env.get("MAESTOSO_KUBERNETES_NAMESPACE") or "default",
            kubernetes_config=env.get("MAESTOSO_KUBERNETES_CONFIG") or None,
            kubernetes_context=env.get("MAESTOSO_KUBERNETES_CONTEXT") or None,
            max_body_bytes=int(env.get("MAESTOSO_MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES))),
            auth=(env.get("MAESTOSO_AUTH") or "none").strip().lower(),
            insecure_no_auth=_flag(env.get("MAESTOSO_INSECURE_NO_AUTH")),
            cors_origins=_names(env.get("MAESTOSO_CORS_ORIGINS")),
            secrets_env_prefix=env.get("MAESTOSO_SECRETS_ENV_PREFIX") or "MAESTOSO_SECRET_",
            secrets_dir=Path(env["MAESTOSO_SECRETS_DIR"])
            if env.get("MAESTOSO_SECRETS_DIR")
            else None,
            command_step_role=(env.get("MAESTOSO_COMMAND_STEP_ROLE") or "operator").strip().lower(),
            command_step_users=_names(env.get("MAESTOSO_COMMAND_STEP_USERS")),
        )


def _hosts(
    value: str | None, default: frozenset[str] = DEFAULT_HTTP_ALLOWED_HOSTS
) -> frozenset[str]:
    if value is None:
        return default
    return frozenset(host.strip().lower() for host in value.split(",") if host.strip())


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


def _names(value: str | None) -> frozenset[str]:
    return frozenset(name.strip() for name in (value or "").split(",") if name.strip())
