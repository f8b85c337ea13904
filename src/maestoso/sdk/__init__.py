"""Workflows built in Python, with the names of Maestro's Python SDK.

```python
from maestoso.sdk import Workflow

wf = Workflow("etl", owner="alice")
extract = wf.shell("extract", "echo hi")
wf.shell("load", "echo loaded", after=extract)
print(wf.to_yaml())
```

``Workflow``, ``Job``, ``Foreach``, ``While`` and ``Subworkflow`` build Maestro's YAML DSL
(``to_dict()``, ``to_yaml()``); ``to_request()`` gives the JSON create request, and
``maestoso.client.Client.push`` takes a ``Workflow`` as it is. It imports only
``maestoso.dsl`` and ``maestoso.models`` from this project.
"""

from __future__ import annotations

from maestoso.sdk.jobs import Job, JobBase, Subworkflow
from maestoso.sdk.loops import Foreach, While
from maestoso.sdk.params import Expr
from maestoso.sdk.workflow import Workflow

__all__ = ["Expr", "Foreach", "Job", "JobBase", "Subworkflow", "While", "Workflow"]
