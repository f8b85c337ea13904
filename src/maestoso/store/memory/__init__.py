"""``MemoryStore``: the store port in dicts, for tests.

It answers every method of ``maestoso.store.port.Store`` as the SQL store does (one contract
suite runs against both): compare-and-set, dedup, fencing, the queue's leases and order. It
has no durability and no second process: two handles share rows only when one is made with
``shared_with``. Values go in and come out as copies, so a caller never edits stored rows.
"""

from __future__ import annotations

from maestoso.store.memory.children import ChildMethods
from maestoso.store.memory.controls import ControlMethods
from maestoso.store.memory.definitions import DefinitionMethods
from maestoso.store.memory.deliveries import DeliveryMethods
from maestoso.store.memory.instances import InstanceMethods
from maestoso.store.memory.iterations import IterationMethods
from maestoso.store.memory.nodes import NodeMethods
from maestoso.store.memory.queue import GroupMethods, QueueMethods
from maestoso.store.memory.security import AuditMethods, TokenMethods
from maestoso.store.memory.signals import TriggerMethods
from maestoso.store.memory.templates import TemplateMethods

__all__ = ["MemoryStore"]


class MemoryStore(
    DefinitionMethods,
    InstanceMethods,
    ChildMethods,
    QueueMethods,
    GroupMethods,
    NodeMethods,
    TriggerMethods,
    ControlMethods,
    TokenMethods,
    AuditMethods,
    TemplateMethods,
    IterationMethods,
    DeliveryMethods,
):
    """The whole store in memory: ``MemoryStore(clock)``, or ``MemoryStore(clock,
    shared_with=other)`` for a second node on the same rows."""
