"""Finding 8: a strict Content-Security-Policy, no-store on pages with personal data, a session of
a working day, a clean `check --deploy` in production, and no web process on the demo key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import TicketFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/console/tickets/", "/console/changes/calendar/", "/login/"])
def test_console_pages_carry_a_strict_content_security_policy(agent, path):
    client = Client()
    client.force_login(agent)

    policy = client.get(path)["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_no_page_holds_inline_script_or_style(agent, first_line_group):
    ticket = TicketFactory(assignment_group=first_line_group)
    client = Client()
    client.force_login(agent)

    for path in ["/console/tickets/", f"/console/tickets/{ticket.pk}/", "/console/tickets/new/",
                 "/console/queues/", "/console/customer-centre/", "/console/changes/",
                 "/console/changes/new/", "/console/changes/calendar/", "/console/catalogue/",
                 "/console/notifications/", "/login/"]:  # fmt: skip
        html = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), path


@pytest.mark.parametrize("path", ["/console/tickets/", "/api/tickets/", "/console/tickets/export.csv"])
def test_pages_with_personal_data_are_not_stored(agent, path):
    client = Client()
    client.force_login(agent)

    assert "no-store" in client.get(path)["Cache-Control"]


def test_a_session_lasts_a_working_day_by_default(agent):
    client = Client()
    client.force_login(agent)

    assert client.session.get_expiry_age() == 10 * 3600
    assert client.get("/console/tickets/").status_code == 200


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Not the test run's own switches either (the browser tests lift Django's async guard).
    unset = {"SECRET_KEY", "DEBUG", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECURE_COOKIES": "1",
    "SECRET_KEY": "x7Qp2-real-looking-production-key-Vd9sLk3Zr8Tn4Bw6Yh1Jm5Cf0Gx2Ne7Ua",
    "ALLOWED_HOSTS": "servicedesk.example.org",
}


def test_check_deploy_is_clean_under_production_settings():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_send_hsts_and_redirect_to_https():
    result = _run(
        "-c",
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS,s.SECURE_SSL_REDIRECT,s.SESSION_COOKIE_SECURE)",
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        **PRODUCTION,
    )

    assert result.stdout.split() == ["31536000", "True", "True"], result.stderr


def test_the_web_process_refuses_to_start_without_a_secret_key_when_debug_is_off():
    refused = _run("-c", "import servicedesk.wsgi", DEBUG="0")
    started = _run("-c", "import servicedesk.wsgi", DEBUG="0", SECRET_KEY=PRODUCTION["SECRET_KEY"])

    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr
    assert started.returncode == 0, started.stderr


def test_the_api_docs_page_needs_no_inline_script_or_style(agent):
    client = Client()
    client.force_login(agent)

    html = client.get("/api/docs/").content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
