"""pyproject.toml is the one source of truth; the locks the README's commands install agree with it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _declared(extra: str | None) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    pins = {}
    for line in lines:
        match = PIN.match(line)
        assert match, f"pyproject.toml: {line!r} is not pinned with =="
        pins[_name(match[1])] = match[2]
    return pins


def _locked(lock: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / lock).read_text().splitlines():
        if match := PIN.match(line):
            pins[_name(match[1])] = match[2]
    return pins


@pytest.mark.parametrize(("lock", "extra"), [("requirements.txt", None), ("requirements-dev.txt", "dev")])
def test_lock_pins_every_declared_dependency_at_its_declared_version(lock: str, extra: str | None) -> None:
    locked = _locked(lock)
    stale = {name: (version, locked.get(name)) for name, version in _declared(extra).items()
             if locked.get(name) != version}
    assert not stale, f"{lock} is out of date with pyproject.toml (run `make lock`): {stale}"


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_carries_a_hash(lock: str) -> None:
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z])", text.split("\n", 2)[2])
    unhashed = [entry.split()[0] for entry in entries if PIN.match(entry) and "--hash=sha256:" not in entry]
    assert not unhashed, f"{lock}: pins without a hash: {unhashed}"
