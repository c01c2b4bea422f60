"""`clientele init` and `clientele run` as `make run` uses them: a real process serving real pages."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CLIENTELE = Path(sys.executable).parent / "clientele"


def _free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[str], seconds: float = 30) -> int:
    """Poll url until it answers (or the process dies); its status code."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"clientele run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_init_then_run_serves_the_login_page(tmp_path):
    config = tmp_path / "company.toml"
    config.write_text(
        f'[clientele]\ncompany = "Run Test Ltd"\ndatabase_url = "sqlite:///{tmp_path}/run.db"\n'
    )
    environment = {
        **os.environ,
        "CLIENTELE_CONFIG": str(config),
        "CLIENTELE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    init = subprocess.run(
        [str(CLIENTELE), "init", "--admin-password", "first-admin-pass"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    assert "Admin login: admin@example.com / first-admin-pass" in init.stdout
    assert (tmp_path / "instance" / "admin-login.txt").read_text() == (
        "admin@example.com first-admin-pass\n"
    )

    port = _free_port()
    server = subprocess.Popen(
        [str(CLIENTELE), "run", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/login", server) == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as response:
            assert "Log in · Run Test Ltd" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
