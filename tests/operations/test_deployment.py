"""The deployment files keep workers and beat running: restart policies and health checks."""

from __future__ import annotations

import configparser
from pathlib import Path

import yaml  # drf-spectacular's dependency

ROOT = Path(__file__).resolve().parents[2]


def test_compose_restarts_and_health_checks_web_worker_and_beat():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]

    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert services[name]["restart"] == "unless-stopped", name
    for name in ("web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name
    assert services["beat"]["healthcheck"]["test"][-3:] == ["--only", "dispatch", "sweep"]
    assert "deploy" not in services["beat"]  # exactly one beat: never replicated


def test_systemd_units_restart_the_worker_and_beat():
    for unit in ("servicedesk-worker.service", "servicedesk-beat.service"):
        config = configparser.ConfigParser(strict=False, interpolation=None)
        config.read_string((ROOT / "docs/systemd" / unit).read_text())
        assert config["Service"]["Restart"] == "always", unit
        assert "celery -A servicedesk" in config["Service"]["ExecStart"], unit
