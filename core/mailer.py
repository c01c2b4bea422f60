"""Handing e-mails to an SMTP server, or to .eml files when none is configured.

The outbox (core.outbox) decides what to send and when; a Mailer only delivers and says why
it could not: ServerProblem when no message can go now (server down, login refused, mail
folder not writable), MessageProblem when the server refused this one message.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Any

SMTP_TIMEOUT_SECONDS = 30


class ServerProblem(Exception):
    """The mail server (or the mail folder) cannot take any message now; stop this run."""


class MessageProblem(Exception):
    """The server refused this one message; ``permanent`` for a 5xx answer."""

    def __init__(self, text: str, permanent: bool) -> None:
        super().__init__(text)
        self.permanent = permanent


def describe(error: BaseException) -> str:
    """A short, readable text for an SMTP or OS error, e.g. "550 5.1.1 No such user"."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


class Mailer:
    """Hands messages to one SMTP connection (opened on first use), or writes .eml files."""

    def __init__(self, settings: dict[str, Any], instance_path: str) -> None:
        self.settings = settings
        self.folder = Path(instance_path) / "mail"
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def send(self, email: EmailMessage, message_id: int) -> None:
        """Deliver one message; ServerProblem or MessageProblem when it cannot be delivered."""
        if not self.settings["smtp_host"]:
            self._write_file(email, message_id)
            return
        reconnected = self.smtp is None
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(email)
        except smtplib.SMTPServerDisconnected as error:
            # Servers may close a reused connection (idle or message limits): reconnect once.
            self.close()
            if reconnected:
                raise ServerProblem(describe(error)) from None
            self.smtp = self._connect()
            self._send_on_fresh_connection(email)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            raise MessageProblem(describe(error), _permanent(error)) from None
        except (smtplib.SMTPNotSupportedError, UnicodeError, ValueError) as error:
            raise MessageProblem(describe(error), True) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise ServerProblem(describe(error)) from None

    def _send_on_fresh_connection(self, email: EmailMessage) -> None:
        """Second try after a dropped connection; any failure now is the server's."""
        assert self.smtp is not None
        try:
            self.smtp.send_message(email)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            raise MessageProblem(describe(error), _permanent(error)) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise ServerProblem(describe(error)) from None

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in to the configured SMTP server (port 465: TLS from the start)."""
        host, port = self.settings["smtp_host"], self.settings["smtp_port"]
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if port == 465:
                smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
                if self.settings["smtp_starttls"]:
                    smtp.starttls(context=context)
            if self.settings["smtp_username"]:
                smtp.login(self.settings["smtp_username"], self.settings["smtp_password"])
        except (smtplib.SMTPException, OSError) as error:
            if smtp is not None:
                smtp.close()
            raise ServerProblem(f"{host}:{port}: {describe(error)}") from None
        return smtp

    def _write_file(self, email: EmailMessage, message_id: int) -> None:
        """Write <instance>/mail/<id>.eml whole or not at all (a reader never sees half a file)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{message_id:08d}.eml"
            partial = path.with_suffix(".eml.part")
            partial.write_bytes(bytes(email))
            os.replace(partial, path)
        except OSError as error:
            raise ServerProblem(f"mail folder {self.folder}: {describe(error)}") from None

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None


def _permanent(error: smtplib.SMTPException) -> bool:
    """True when the server refused for good (every code 5xx), False for 'try again later'."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
