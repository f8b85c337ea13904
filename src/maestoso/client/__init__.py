"""A client of the REST API, blocking (``Client``) and asyncio (``AsyncClient``).

```python
from maestoso.client import Client

with Client("http://127.0.0.1:8080", user="alice") as client:
    client.push("etl.yaml")
    started = client.start("etl", params={"day": 20240101})
    print(client.wait("etl", started.workflow_instance_id, timeout=600).status)
```

It imports only ``maestoso.models`` and ``maestoso.dsl`` from this project, never server
code, so a script can use it against any server.
"""

from __future__ import annotations

from maestoso.client.asynchronous import AsyncClient
from maestoso.client.errors import ClientError, ErrorBody
from maestoso.client.models import (
    InstanceSummary,
    Page,
    StartResponse,
    StepAttempt,
    WorkflowDefinition,
    WorkflowInstance,
    WorkflowSummary,
)
from maestoso.client.sync import Client

__all__ = [
    "AsyncClient",
    "Client",
    "ClientError",
    "ErrorBody",
    "InstanceSummary",
    "Page",
    "StartResponse",
    "StepAttempt",
    "WorkflowDefinition",
    "WorkflowInstance",
    "WorkflowSummary",
]
