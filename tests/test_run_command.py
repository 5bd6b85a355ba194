"""The README's run command serves the console with demo data on SQLite, with no PostgreSQL or
Redis configured: web, a Celery worker and beat all start (they use a filesystem broker), log in
one time zone, and stop cleanly on Ctrl-C."""

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
from datetime import datetime
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
    home = tmp_path / "home"  # gunicorn would put its control socket here (~/.gunicorn)
    home.mkdir()
    env.update(SERVICEDESK_VAR_DIR=str(tmp_path / "var"), SERVICEDESK_PORT=str(port), HOME=str(home))
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

        # Ctrl-C in the terminal: SIGINT to the foreground process group (the script and honcho;
        # honcho's processes run in sessions of their own and get its SIGTERM).
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
        text = log.read_text()
        for name in ("web.1", "worker.1", "beat.1"):
            assert f"{name} stopped (rc=0)" in text, text[-3000:]
        assert "SIGKILL" not in text and "Traceback" not in text
        assert "No directory at" not in text  # static files collected before anything serves them
        assert not (home / ".gunicorn").exists()  # no control socket in the home directory
        # Web and worker in the same time zone: their start-up lines read the same wall clock.
        web = re.search(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) [+-]\d{4}\] \[\d+\] \[INFO\] Listening at", text)
        worker = re.search(
            r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+: INFO/MainProcess\] celery@\S+ ready", text
        )
        assert web and worker, text[-3000:]
        apart = datetime.fromisoformat(worker.group(1)) - datetime.fromisoformat(web.group(1))
        assert abs(apart.total_seconds()) < 600, (web.group(0), worker.group(0))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
