"""Time and signal triggers: they decide when a workflow should start and enqueue that start.

They never call the engine. A due time or a matched set of signals becomes a
``START_TRIGGERED`` job event, written in the transaction that records it as fired (a time
trigger's watermark, a signal trigger's checkpoints), so each fires exactly once; the engine's
handler of that event starts the run.
"""

from __future__ import annotations
