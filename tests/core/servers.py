"""Real things for the jobs, outbox, worker and production tests: a loopback SMTP server, free
ports, a throw-away instance (config file, database migrated with `clientele init`) and
subprocesses that are always stopped."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BIN = Path(sys.executable).parent
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct-horse-42"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll condition() every 50 ms until it is truthy; AssertionError naming `what` after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Inbox:
    """aiosmtpd handler that keeps every message it accepts; `refuse` maps an address to a reply."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802
        """Accept the recipient unless the test asked for a refusal."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Keep the message, parsed."""
        content = envelope.content.replace(b"\r\n", b"\n")  # as written, not as on the wire
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least count messages arrived."""
        wait_until(lambda: len(self.messages) >= count, timeout, f"{count} message(s) by SMTP")
        return self.messages


@dataclass
class SmtpServer:
    """A running loopback SMTP server."""

    port: int
    inbox: Inbox
    controller: Controller


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[SmtpServer]:
    """Run an aiosmtpd server on 127.0.0.1 for the block."""
    inbox = Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, inbox, controller)
    finally:
        controller.stop()


def scratch_database_url(folder: Path, suffix: str) -> str:
    """SQLite in folder, or an emptied PostgreSQL database <test database>_<suffix> when one is given."""
    base = os.environ.get("CLIENTELE_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{folder / 'clientele.sqlite3'}"
    parsed = make_url(base)
    name = f"{parsed.database}_{suffix}"
    if os.environ.get("PYTEST_XDIST_WORKER"):
        name += f"_{os.environ['PYTEST_XDIST_WORKER']}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = parsed.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@dataclass
class Instance:
    """A company's installation in a temporary folder: config file, instance folder, database."""

    folder: Path
    database_url: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.folder / "clientele.toml"

    @property
    def instance_path(self) -> Path:
        return self.folder / "instance"

    def write_config(self, **settings: Any) -> None:
        """Write the [clientele] table (the database URL comes from the environment)."""
        self.settings.update(settings)
        lines = ["[clientele]"]
        for key, value in self.settings.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int):
                lines.append(f"{key} = {value}")
            elif isinstance(value, list):
                lines.append(f"{key} = [{', '.join(repr(item) for item in value)}]")
            else:
                lines.append(f'{key} = "{value}"')
        self.config_path.write_text("\n".join(lines) + "\n")

    def environment(self, **extra: str) -> dict[str, str]:
        """The environment a server process of this installation gets."""
        inherited = {
            key: value for key, value in os.environ.items() if not key.startswith("CLIENTELE_")
        }
        return {
            **inherited,
            "CLIENTELE_CONFIG": str(self.config_path),
            "CLIENTELE_DATABASE_URL": self.database_url,
            "CLIENTELE_INSTANCE_PATH": str(self.instance_path),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def run(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        """Run `clientele ARGS` for this installation and wait (60 s at most)."""
        completed = subprocess.run(
            [str(BIN / "clientele"), *args],
            env=self.environment(**extra),
            capture_output=True,
            text=True,
            timeout=60,
            cwd=self.folder,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"clientele {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}"
            )
        return completed

    def app(self, **overrides: Any) -> Any:
        """An app of this installation in this process (not testing: mail nudges the worker)."""
        from core import create_app

        overrides.setdefault("database_url", self.database_url)
        return create_app(self.config_path, instance_path=str(self.instance_path), **overrides)


def make_instance(folder: Path, suffix: str, **settings: Any) -> Instance:
    """A fresh installation: config written, database empty (not migrated)."""
    instance = Instance(folder, scratch_database_url(folder, suffix))
    base = {
        "company": "Ops Test Foods",
        "timezone": "Europe/Berlin",
        "mail_from": "Ops Test Foods <shop@ops-test.example.com>",
        "plugins": [],
    }
    instance.write_config(**{**base, **settings})
    return instance


def _default_interrupt() -> None:
    """In the child before it starts: SIGINT does what it does for a program run in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Process:
    """A server subprocess whose output is collected by threads, stopped at the end of the block."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            args,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            # As from a terminal: Ctrl-C (SIGINT) interrupts, whatever an earlier test or the
            # runner left this process doing with it (an ignored signal stays ignored in a child).
            preexec_fn=_default_interrupt,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, lines in ((self.popen.stdout, self.stdout), (self.popen.stderr, self.stderr)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()

    @staticmethod
    def _collect(stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line)

    @property
    def output(self) -> str:
        """Everything printed so far, stdout then stderr."""
        return "".join(self.stdout) + "".join(self.stderr)

    def wait_for_output(self, needle: str, timeout: float = 20.0) -> None:
        """Wait until needle is printed; fail with the output if the process ends first."""

        def printed() -> bool:
            if needle in self.output:
                return True
            if self.popen.poll() is not None:
                time.sleep(0.2)  # let the reader threads catch the last lines
                if needle in self.output:
                    return True
                raise AssertionError(f"process ended ({self.popen.returncode}):\n{self.output}")
            return False

        wait_until(printed, timeout, f"{needle!r} in the output of {self.popen.args}")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20.0) -> int:
        """Send sig and wait for the exit status (killing the process group after timeout)."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
            raise AssertionError(f"process did not stop on {sig!r}:\n{self.output}") from None


@contextmanager
def running(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[Process]:
    """Start a subprocess for the block; whatever happens, it is gone afterwards."""
    process = Process(args, env, cwd)
    try:
        yield process
    finally:
        if process.popen.poll() is None:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(timeout=5)


def program(name: str) -> str:
    """The path of a console script installed in the project's virtualenv."""
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)
