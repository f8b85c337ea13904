"""Each notifier against a real receiver on loopback: what goes over the wire, and which
answers are retried (an exception) and which are final (``PermanentError``)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import replace

import pytest
from tests.acceptance.receivers import HttpReceiver, SmtpReceiver

from maestoso.alerting import AlertSettings, Message, build_notifiers
from maestoso.alerting.email import EmailNotifier
from maestoso.alerting.notifier import PermanentError
from maestoso.alerting.pagerduty import PagerDutyNotifier
from maestoso.alerting.slack import SlackNotifier
from maestoso.alerting.webhook import WebhookNotifier

MESSAGE = Message(
    alert_type="STEP_FAILURE",
    title="[STEP_FAILURE] workflow wf instance 1 run 1 step job (attempt 2): FATALLY_FAILED",
    text="Workflow: wf\nError: exit 3",
    link="http://ui/workflows/wf/instances/1/runs/1",
    to=("#alerts",),
    mentions=("U1",),
    severity="critical",
    dedup_key="abc",
    data={"workflow_id": "wf", "workflow_instance_id": 1, "step_id": "job", "event_time": 0},
)


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    yield receiver
    receiver.close()


async def test_email_goes_over_smtp_to_every_address() -> None:
    smtp = SmtpReceiver()
    try:
        notifier = EmailNotifier(host="127.0.0.1", port=smtp.port, sender="m@example.com")
        await notifier.send(replace(MESSAGE, to=("a@x.io", "b@x.io")))
        (mail,) = smtp.messages
        assert mail["To"] == "a@x.io, b@x.io" and mail["From"] == "m@example.com"
        assert (
            " ".join(mail["Subject"].split()) == MESSAGE.title
            and mail["Message-ID"] == "<abc@maestoso>"
        )
        body = mail.get_payload(decode=True).decode()
        assert "exit 3" in body and MESSAGE.link in body
    finally:
        smtp.close()


async def test_an_address_with_a_line_break_fails_for_good() -> None:
    notifier = EmailNotifier(host="127.0.0.1", port=1, sender="m@example.com")
    with pytest.raises(PermanentError, match="not an email"):
        await notifier.send(replace(MESSAGE, to=("a@x.io\nBcc: all@x.io",)))


async def test_email_to_a_server_that_is_not_there_is_retried() -> None:
    notifier = EmailNotifier(host="127.0.0.1", port=1, sender="m@example.com", timeout=2)
    with pytest.raises(Exception) as raised:
        await notifier.send(MESSAGE)
    assert not isinstance(raised.value, PermanentError)


async def test_slack_posts_with_the_token_and_mentions(http: HttpReceiver) -> None:
    await SlackNotifier("xoxb-1", http.url).send(MESSAGE)

    (post,) = http.received
    assert post.path == "/chat.postMessage"
    assert post.headers["authorization"] == "Bearer xoxb-1"
    body = post.json()
    assert body["channel"] == "#alerts"
    assert body["text"].startswith("<@U1> *[STEP_FAILURE]")
    assert f"<{MESSAGE.link}|Open the run>" in body["text"]


async def test_slack_down_is_retried(http: HttpReceiver) -> None:
    http.down = True
    with pytest.raises(Exception) as raised:
        await SlackNotifier("xoxb-1", http.url).send(MESSAGE)
    assert not isinstance(raised.value, PermanentError)


async def test_pagerduty_triggers_and_resolves_with_the_routing_key(http: HttpReceiver) -> None:
    notifier = PagerDutyNotifier({"ops": "rk"}, http.url + "/v2/enqueue")
    await notifier.send(replace(MESSAGE, to=("ops",)))
    await notifier.send(replace(MESSAGE, to=("ops",), resolve=True))

    trigger, resolve = (r.json() for r in http.received)
    assert trigger["routing_key"] == "rk" and trigger["event_action"] == "trigger"
    assert trigger["dedup_key"] == "abc" and trigger["payload"]["severity"] == "critical"
    assert trigger["links"] == [{"href": MESSAGE.link, "text": "The run"}]
    assert resolve == {"routing_key": "rk", "event_action": "resolve", "dedup_key": "abc"}


async def test_a_service_without_a_routing_key_fails_for_good(http: HttpReceiver) -> None:
    with pytest.raises(PermanentError, match="no routing key"):
        await PagerDutyNotifier({"ops": ""}, http.url).send(replace(MESSAGE, to=("ops",)))
    assert http.received == []


async def test_the_webhook_sends_a_signed_cloud_event(http: HttpReceiver) -> None:
    await WebhookNotifier(http.url, "secret", "http://ui").send(MESSAGE)

    (post,) = http.received
    expected = "sha256=" + hmac.new(b"secret", post.body, hashlib.sha256).hexdigest()
    assert post.headers["x-maestoso-signature"] == expected
    event = post.json()
    assert event["specversion"] == "1.0" and event["id"] == "abc"
    assert event["type"] == "io.maestoso.step.status_changed"
    assert event["source"] == "http://ui" and event["time"] == "1970-01-01T00:00:00Z"
    assert event["data"]["step_id"] == "job"


def test_the_environment_makes_the_notifiers() -> None:
    env = {
        "MAESTOSO_SMTP_HOST": "mail",
        "MAESTOSO_SLACK_TOKEN": "t",
        "MAESTOSO_PAGERDUTY_SERVICES": "ops=rk, dev",
        "MAESTOSO_EVENTS_WEBHOOK_URL": "http://hook",
    }
    settings = AlertSettings.from_env(env)
    assert settings.pagerduty_routing_keys == {"ops": "rk", "dev": ""}
    assert [n.name for n in build_notifiers(settings)] == ["email", "slack", "pagerduty", "webhook"]
    assert build_notifiers(AlertSettings.from_env({})) == []
