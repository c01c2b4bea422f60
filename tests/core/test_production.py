"""Running as in production: gunicorn with two workers serving core.wsgi:app on a database
made by `clientele init`, a real login over HTTP with the CSRF token, the dashboard, a clean
stop; and gunicorn refusing to start while migrations are missing."""

from __future__ import annotations

import http.cookiejar
import re
import signal
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.core.servers import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    free_port,
    make_instance,
    program,
    running,
    wait_until,
)


class Browser:
    """Just enough of a browser: cookies, redirects, form posts."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, final URL, body) of a GET, or of a POST when form is given."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode()


def answers(url: str) -> bool:
    """True once something answers HTTP at url."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def worker_processes(pid: int) -> list[int]:
    """The child processes of gunicorn's master (its workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the login form has no CSRF token"
    return match.group(1)


@pytest.fixture
def installation(tmp_path):
    """A company's installation: config file, instance folder, database made by `clientele init`.

    No CLIENTELE_SECRET_KEY: init writes the instance's key file, which every worker reads.
    """
    instance = make_instance(tmp_path, "production", company="Ops Test Foods")
    instance.run("init", "--admin-email", ADMIN_EMAIL, "--admin-password", ADMIN_PASSWORD)
    assert (instance.instance_path / "secret_key").exists()
    return instance


def gunicorn(port: int) -> list[str]:
    return [
        program("gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "10",
        "core.wsgi:app",
    ]


def test_gunicorn_with_two_workers_logs_in_and_serves_the_dashboard(installation):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(gunicorn(port), installation.environment(), installation.folder) as server:
        wait_until(lambda: answers(base + "/login"), 30, "gunicorn to answer")
        wait_until(lambda: len(worker_processes(server.popen.pid)) == 2, 10, "two workers")
        browser = Browser(base)

        status, url, page = browser.open("/")
        assert (status, url) == (200, f"{base}/login?next=%2F")
        status, url, page = browser.open(
            "/login",
            {
                "csrf_token": csrf_token(page),
                "email": ADMIN_EMAIL,
                "password": ADMIN_PASSWORD,
                "next": "/",
            },
        )
        assert (status, url) == (200, f"{base}/")
        assert "Good day, Administrator" in page
        assert "Ops Test Foods" in page
        assert "0 message(s) waiting, 0 failed." in page

        # The signed session cookie is good on whichever worker takes the request.
        for _ in range(12):
            status, url, page = browser.open("/")
            assert (status, url) == (200, f"{base}/")
            assert "Good day, Administrator" in page

        wrong = Browser(base)
        _, _, login_page = wrong.open("/login")
        status, url, page = wrong.open(
            "/login",
            {
                "csrf_token": csrf_token(login_page),
                "email": ADMIN_EMAIL,
                "password": "wrong",
                "next": "",
            },
        )
        assert (status, url) == (200, f"{base}/login")
        assert "E-mail or password is wrong" in page

        assert server.stop(signal.SIGTERM) == 0, server.output
    assert server.output.count("Booting worker with pid") == 2
    assert "Shutting down: Master" in server.output
    assert "Traceback" not in server.output


def test_gunicorn_refuses_to_start_while_migrations_are_missing(tmp_path):
    instance = make_instance(tmp_path, "unmigrated")
    port = free_port()
    with running(gunicorn(port), instance.environment(), instance.folder) as server:
        status = server.popen.wait(timeout=60)
    assert status != 0
    assert "clientele: cannot start: The core's tables are missing or out of date" in server.output
    assert "Run: clientele db upgrade" in server.output
    assert "App failed to load" in server.output
    assert not answers(f"http://127.0.0.1:{port}/login")


def test_the_postgresql_example_config_loads_every_plugin_and_its_jobs(tmp_path):
    from core import create_app
    from core.config import PROJECT_ROOT
    from core.jobs import collect_jobs

    app = create_app(
        PROJECT_ROOT / "config" / "postgresql.example.toml",
        database_url=f"sqlite:///{tmp_path / 'check.sqlite3'}",
        check_migrations=False,
        instance_path=str(tmp_path / "instance"),
    )
    settings = app.config["CLIENTELE"]
    assert settings["database_url"].startswith("sqlite:///")  # the override won
    assert (settings["smtp_port"], settings["smtp_starttls"]) == (587, True)
    assert settings["redis_url"] == "redis://127.0.0.1:6379/0"
    assert sorted(app.extensions["clientele"].names) == [
        "insights",
        "loyalty",
        "marketing",
        "pipeline",
        "sales_commission",
        "service_desk",
    ]
    assert {"core.deliver_outbox", "core.prune_job_runs"} <= set(collect_jobs(app))


def test_init_makes_the_instance_folder_when_nothing_else_does(tmp_path):
    # With the secret key in the environment and the database elsewhere, init is the first
    # to need the instance folder (for the admin's login file).
    instance = make_instance(tmp_path, "first_init")
    assert not instance.instance_path.exists()
    result = instance.run("init", "--admin-email", ADMIN_EMAIL, CLIENTELE_SECRET_KEY="k" * 64)
    assert f"Admin login: {ADMIN_EMAIL} / " in result.stdout
    login = (instance.instance_path / "admin-login.txt").read_text()
    assert login.startswith(f"{ADMIN_EMAIL} ")
    assert oct((instance.instance_path / "admin-login.txt").stat().st_mode & 0o777) == "0o600"
    assert not (instance.instance_path / "secret_key").exists()
