"""Alerting: status changes of workflows, runs and steps turned into messages that really
send (email, Slack, PagerDuty, a signed CloudEvents webhook), through durable deliveries.

The engine writes a ``STATUS_CHANGED`` fact in the transaction of each change it makes
(``facts``); alerting's own queue worker decides what the fact means for the run's
``alerting`` block (``rules``), stores one delivery per message with its ``DELIVER`` event
(``decide``), and sends each through its notifier with retries (``dispatch``). Time-based
alerts, predicted deadline misses among them (``eta``), are found by ``watch``.
"""

from __future__ import annotations

from maestoso.alerting.facts import StatusFacts
from maestoso.alerting.notifier import Message, Notifier
from maestoso.alerting.service import Alerting
from maestoso.alerting.settings import AlertSettings, build_notifiers

__all__ = ["AlertSettings", "Alerting", "Message", "Notifier", "StatusFacts", "build_notifiers"]
