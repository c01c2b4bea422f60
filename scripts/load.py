"""Load test: gunicorn (2 workers) on PostgreSQL with Redis, N simulated staff for S seconds.

    .venv/bin/python scripts/load.py [--users 50] [--seconds 60] [--reuse]

Sets up a company in its own PostgreSQL database (`clientele init` + `clientele demo`, kept
for --reuse), starts gunicorn with 2 workers, the job worker and a loopback SMTP server,
then each simulated clerk logs in and loops over the dashboard, a customer search, a
customer page, the commission statements and the ticket list. A third into the run one
gunicorn worker is killed (SIGKILL; the master starts a new one); halfway the job worker is
killed while it delivers a batch of mail queued for the purpose, and started again. It
prints requests/s, p50/p95 latency, errors (and how many fell within a second of the
kill), and mail lost or sent twice. Only loopback; it loads the machine fully.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
ADMIN = ("admin@example.com", "load-test-password")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MAILS = 300


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--crash", action="store_true", help="SIGKILL the job worker instead of restarting it"
    )
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/clientele_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/clientele-load"))
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    return parser.parse_args()


def environment(args: argparse.Namespace, smtp_port: int) -> dict[str, str]:
    config = args.folder / "clientele.toml"
    text = (ROOT / "config" / "default.toml").read_text()
    mail = f'[clientele]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\n'
    config.write_text(text.replace("[clientele]\n", mail, 1))
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("CLIENTELE_")},
        "CLIENTELE_CONFIG": str(config),
        "CLIENTELE_INSTANCE_PATH": str(args.folder / "instance"),
        "CLIENTELE_DATABASE_URL": args.database_url,
        "CLIENTELE_REDIS_URL": args.redis_url,
        "CLIENTELE_SECRET_KEY": "load-test-" + "0" * 54,
        "PYTHONUNBUFFERED": "1",
    }


def set_up(args: argparse.Namespace, env: dict[str, str]) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(args.database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if exists and args.reuse:
            return
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    clientele = str(BIN / "clientele")
    subprocess.run(
        [clientele, "init", "--admin-email", ADMIN[0], "--admin-password", ADMIN[1]],
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.monotonic()
    subprocess.run([clientele, "demo"], env=env, check=True, capture_output=True)
    print(f"demo company made in {time.monotonic() - started:.0f} s", file=sys.stderr)


class Clerk:
    """One member of staff: a keep-alive connection and a session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            page = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, page

    def log_in(self) -> None:
        _, page = self.request("GET", "/login")
        token = CSRF.search(page)
        form = {
            "email": ADMIN[0],
            "password": ADMIN[1],
            "csrf_token": token.group(1) if token else "",
        }
        status, _ = self.request("POST", "/login", urlencode(form))
        if status != 302:
            raise RuntimeError(f"login answered {status}")


def customer_ids_and_names(env: dict[str, str]) -> list[tuple[int, str]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["CLIENTELE_DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, name FROM customer ORDER BY id LIMIT 300")).all()
    engine.dispose()
    return [(row[0], row[1]) for row in rows]


def queue_mail(env: dict[str, str], token: str) -> None:
    """Queue MAILS messages as the web would (one commit), for the worker to deliver."""
    for key, value in env.items():
        os.environ[key] = value
    from core import create_app
    from core.db import db
    from core.outbox import queue_email

    app = create_app()
    with app.app_context():
        for number in range(MAILS):
            queue_email(f"load{number}@example.com", f"{token} {number}", "Hello.", source="load")
        db.session.commit()
        db.engine.dispose()


def main() -> int:
    args = parse()
    from tests.core.servers import smtp_server

    args.folder.mkdir(parents=True, exist_ok=True)
    with smtp_server() as smtp:
        env = environment(args, smtp.port)
        set_up(args, env)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "2",
                "--threads",
                str(args.threads),
                "--bind",
                f"127.0.0.1:{args.port}",
                "--log-level",
                "warning",
                "core.wsgi:app",
            ],
            env=env,
            cwd=ROOT,
        )
        worker_command = [str(BIN / "clientele"), "worker", "--workers", "2"]
        log = open(args.folder / "worker.log", "w")  # noqa: SIM115 - open while the worker runs
        worker = subprocess.Popen(worker_command, env=env, stdout=log, stderr=log)
        try:
            return run(args, env, smtp, web, worker, worker_command, log)
        finally:
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in (web, worker):
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()


def run(args, env, smtp, web, worker, worker_command, log) -> int:
    for _ in range(100):
        try:
            Clerk(args.port).request("GET", "/login")
            break
        except OSError:
            time.sleep(0.3)
    customers = customer_ids_and_names(env)
    pages = [
        lambda: "/",
        lambda: "/customers/?" + urlencode({"q": random.choice(customers)[1].split()[0]}),
        lambda: f"/customers/{random.choice(customers)[0]}",
        lambda: "/sales_commission/",
        lambda: "/service_desk/",
    ]
    latencies: list[float] = []
    errors: list[tuple[float, str]] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + args.seconds

    def clerk() -> None:
        member = Clerk(args.port)
        try:
            member.log_in()
        except Exception as error:  # noqa: BLE001 - counted
            with lock:
                errors.append((time.monotonic() - start, f"login: {error}"))
            return
        while time.monotonic() < stop_at:
            path = random.choice(pages)()
            began = time.monotonic()
            try:
                status, _ = member.request("GET", path)
                problem = "" if status == 200 else f"{status} {path}"
            except Exception as error:  # noqa: BLE001 - counted
                problem = f"{type(error).__name__} {path}"
            took = time.monotonic() - began
            with lock:
                if problem:
                    errors.append((began - start, problem))
                else:
                    latencies.append(took)

    threads = [threading.Thread(target=clerk) for _ in range(args.users)]
    for thread in threads:
        thread.start()
    token = f"LOAD-{int(time.time())}"
    events: dict[str, float] = {}

    time.sleep(args.seconds / 3)
    children = subprocess.run(["pgrep", "-P", str(web.pid)], capture_output=True, text=True)
    victim = int(children.stdout.split()[0])
    os.kill(victim, signal.SIGKILL)
    events["gunicorn worker killed"] = time.monotonic() - start

    queue_mail(env, token)
    smtp.inbox.wait_for(MAILS // 10, timeout=30)
    if args.crash:
        worker.kill()  # a crash mid-delivery
    else:
        worker.send_signal(signal.SIGINT)  # a restart (systemctl restart): running jobs finish
    worker.wait()
    events["job worker " + ("killed" if args.crash else "restarted")] = time.monotonic() - start
    delivered_before = len(smtp.inbox.messages)
    worker = subprocess.Popen(worker_command, env=env, stdout=log, stderr=log)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        subjects = [message["Subject"] for message in smtp.inbox.messages]
        if len({s for s in subjects if s and s.startswith(token)}) >= MAILS:
            break
        time.sleep(1)
    subjects = [m["Subject"] for m in smtp.inbox.messages if (m["Subject"] or "").startswith(token)]
    lost = MAILS - len(set(subjects))
    duplicated = len(subjects) - len(set(subjects))
    worker.send_signal(signal.SIGINT)
    worker.wait(60)

    latencies.sort()
    kill_time = events["gunicorn worker killed"]
    near_kill = sum(1 for when, _ in errors if kill_time - 35 <= when <= kill_time + 1)
    print(
        f"staff {args.users}, {args.seconds} s, gunicorn 2 workers x {args.threads} threads, "
        "PostgreSQL + Redis"
    )
    print(f"requests {len(latencies)} ok, {len(latencies) / elapsed:.1f}/s")
    if latencies:
        print(
            f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms"
        )
    print(f"errors {len(errors)} ({near_kill} in flight on the killed worker)")
    for when, problem in errors[:10]:
        print(f"  at {when:.1f} s: {problem}")
    for name, when in events.items():
        print(f"{name} at {when:.1f} s")
    print(
        f"mail: {MAILS} queued, {delivered_before} delivered before the worker was killed, "
        f"{lost} lost, {duplicated} sent twice"
    )
    return 0 if not (lost or duplicated) else 1


if __name__ == "__main__":
    raise SystemExit(main())
