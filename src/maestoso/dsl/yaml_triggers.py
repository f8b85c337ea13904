"""Time and signal triggers in the YAML DSL: Maestoso's extension.

Maestro's DSL has no triggers, and every key of ``Workflow`` it does not know is a param,
so a trigger key inside ``Workflow`` could mean a param in some Maestro file. The extension
keys sit beside ``Workflow`` at the document's root instead, where Maestro's parser accepts
no other key: no Maestro DSL file can have them.

```yaml
Workflow:
  id: hourly-report
  jobs: ...
time_triggers:
  - "0 * * * *"                             # a cron (Unix or Quartz), in UTC
  - "@daily"                                # a predefined schedule
  - {cron: "0 9 * * 1", timezone: US/Pacific, fuzzy_max_delay: 5min}
  - {type: INTERVAL, interval: 3h, start: "03-26-2021 04:00:18.089PST"}
signal_triggers:
  - definitions:
      db/table_a: {match_params: {day: {value: 20240101, operator: ">="}}}
    condition: "true"
    params: {region: us}                    # DSL params (typed keys allowed)
```

Each becomes the workflow's ``time_triggers``/``signal_triggers`` in Maestro's JSON; they
are validated with the rest of the definition.
"""

from __future__ import annotations

from typing import Any

from maestoso.dsl.yaml_params import parse_params
from maestoso.dsl.yaml_problems import Loc, Problems, YamlList, YamlMap

TRIGGER_KEYS = ("time_triggers", "signal_triggers")


def plain(data: Any) -> Any:
    """YAML data (which remembers lines) as plain JSON data."""
    if isinstance(data, dict):
        return {str(key): plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(item) for item in data]
    return data


def time_triggers(raw: Any, loc: Loc, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(raw, YamlList):
        problems.add(loc, "must be a list of time triggers")
        return []
    result = []
    for index, item in enumerate(raw):
        at = loc.item(raw, index)
        if isinstance(item, str):
            kind = "PREDEFINED" if item.strip().startswith("@") else "CRON"
            field = "expression" if kind == "PREDEFINED" else "cron"
            result.append({"type": kind, field: item.strip()})
        elif isinstance(item, YamlMap):
            trigger = plain(item)
            if "type" not in trigger:
                trigger = {"type": "CRON" if "cron" in trigger else "PREDEFINED", **trigger}
            result.append(trigger)
        else:
            problems.add(at, "must be a cron text, a predefined schedule or a mapping")
    return result


def signal_triggers(raw: Any, loc: Loc, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(raw, YamlList):
        problems.add(loc, "must be a list of signal triggers")
        return []
    result = []
    for index, item in enumerate(raw):
        at = loc.item(raw, index)
        if not isinstance(item, YamlMap):
            problems.add(at, "must be a mapping with definitions")
            continue
        trigger = {key: plain(value) for key, value in item.items() if key != "params"}
        params = item.get("params")
        if isinstance(params, YamlMap):
            trigger["params"] = parse_params(params, at.key(item, "params"), problems)
        elif params is not None:
            problems.add(at.key(item, "params"), "must be a mapping of params")
        result.append(trigger)
    return result
