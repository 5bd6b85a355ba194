"""The README's run command serves the console with demo data on SQLite, with no PostgreSQL or
Redis configured: web, a Celery worker and beat all start (they use a filesystem broker)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_output(log: Path, pattern: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, log.read_text(errors="replace")):
            return True
        time.sleep(0.5)
    return False


@pytest.mark.timeout(420)
def test_run_command_serves_the_console_with_demo_data_without_servers(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SERVICEDESK_VAR_DIR=str(tmp_path / "var"), SERVICEDESK_PORT=str(port))
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own script, fixed arguments)
            [str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert _wait_for_output(log, r"Listening at", 300), log.read_text()[-3000:]
        assert _wait_for_output(log, r"celery@\S+ ready", 60), log.read_text()[-3000:]
        assert _wait_for_output(log, r"beat: Starting", 30), log.read_text()[-3000:]
        text = log.read_text()
        assert f"http://127.0.0.1:{port}/" in text and "agent1" in text  # URL and logins printed
        assert "Database: sqlite3" in text and "Broker: filesystem" in text

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{port}"
        login_page = opener.open(f"{base}/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode(
            {"username": "agent1", "password": "demo", "csrfmiddlewaretoken": token}
        )
        request = urllib.request.Request(
            f"{base}/login/", data=form.encode(), headers={"Referer": f"{base}/login/"}
        )
        opener.open(request, timeout=10)
        console = opener.open(f"{base}/console/tickets/", timeout=10).read().decode()

        assert re.search(r"(INC|REQ)\d{7}", console), console[:2000]  # demo tickets are listed
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
