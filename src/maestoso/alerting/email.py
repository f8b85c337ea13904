"""Email over SMTP (aiosmtplib), to the addresses of the alerting block."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from maestoso.alerting.notifier import Message, PermanentError


class EmailNotifier:
    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._user, self._password = user, password
        self._starttls = starttls
        self._timeout = timeout

    async def send(self, message: Message) -> None:
        if not message.to:
            raise PermanentError("no address to send to")
        try:
            email = self._email(message)
        except ValueError as exc:  # an address with a line break…: no retry mends it
            raise PermanentError(f"not an email: {exc}") from None
        await aiosmtplib.send(
            email,
            hostname=self._host,
            port=self._port,
            username=self._user,
            password=self._password,
            start_tls=self._starttls,
            timeout=self._timeout,
        )

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = ", ".join(message.to)
        email["Subject"] = message.title
        if message.dedup_key:
            # Lets a mail system drop the copy that a crash between sending and recording sent.
            email["Message-ID"] = f"<{message.dedup_key}@maestoso>"
        body = message.text if not message.link else f"{message.text}\n\n{message.link}"
        email.set_content(body)
        return email
