"""An import killed mid-run (SIGKILL, no chance to clean up) and started again ends as one clean run.

The importer runs as a real `manage.py` process against the test database, with small batches so
that the sample takes many transactions and the kill lands between two of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from changes.models import Change
from contacts.models import Contact
from imports.models import ImportedContact, ImportedTicket, ImportRun, StagedRow
from incidents.kpi import first_line_resolution
from incidents.models import Ticket

from .helpers import BPIC_SAMPLE, UCI_SAMPLE, fingerprint, import_bpic, import_uci, table_counts

pytestmark = [
    pytest.mark.postgres,
    # Another process writes: real commits. serialized_rollback keeps the seeded SLA policies.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
    )
    return env


def _start(tmp_path: Path, command: str, *args: str) -> subprocess.Popen[bytes]:
    log = (tmp_path / f"{command}.log").open("ab")
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), command, *args, "--no-progress"],
        cwd=ROOT,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _kill_when(process: subprocess.Popen[bytes], condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if condition():
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
            return
        time.sleep(0.01)
    raise AssertionError("the import ended before it could be killed")


def _figures() -> dict[str, Any]:
    fcr = ImportedContact.objects.filter(first_call_resolution=True).count()
    figure = first_line_resolution(Ticket.objects.all())
    return {
        "counts": table_counts(),
        "first_call_resolution": (fcr, ImportedContact.objects.count()),
        "first_line_resolution": (figure.resolved, figure.at_first_line),
        "fingerprint": fingerprint(),
    }


def _first_difference(a: dict[str, Any], b: dict[str, Any]) -> object:
    for name in a:
        for x, y in zip(a[name], b[name], strict=True):
            if x != y:
                return name, [(i, u, v) for i, (u, v) in enumerate(zip(x, y, strict=True)) if u != v]
    return None


def _wipe() -> None:
    """Remove what an import made (groups, services, categories stay: found again by name)."""
    Ticket.objects.all().delete()
    Contact.objects.all().delete()
    Change.objects.all().delete()
    ImportRun.objects.all().delete()
    StagedRow.objects.all().delete()


def test_a_bpic_import_killed_after_its_first_batch_and_restarted_ends_as_one_clean_run(
    tmp_path: Path,
) -> None:
    args = [str(BPIC_SAMPLE), "--batch-size", "5", "--rejects", str(tmp_path / "rejects.csv")]
    victim = _start(tmp_path, "import_bpic2014", *args)
    _kill_when(victim, lambda: ImportedTicket.objects.exists())
    partial = ImportedTicket.objects.count()
    assert victim.returncode == -signal.SIGKILL
    assert 0 < partial < 300, "the kill did not land mid-run"
    # Whole tickets only: every imported ticket has its history and its clocks.
    assert not Ticket.objects.filter(events__isnull=True).exists()
    assert not Ticket.objects.filter(clocks__isnull=True).exists()
    assert ImportRun.objects.get().finished_at is None

    again = _start(tmp_path, "import_bpic2014", *args)
    assert again.wait(180) == 0, (tmp_path / "import_bpic2014.log").read_text()[-3000:]
    resumed = _figures()
    run = ImportRun.objects.get()
    assert run.finished_at is not None
    assert not StagedRow.objects.exists()
    assert run.summary["kinds"]["incident"]["already_imported"] == partial
    assert run.summary["kinds"]["incident"]["imported"] == 300 - partial

    _wipe()
    import_bpic()
    clean = _figures()

    assert resumed["counts"] == clean["counts"]
    assert resumed["counts"]["Ticket"] == 300 and resumed["counts"]["Contact"] == 600
    assert resumed["first_call_resolution"] == clean["first_call_resolution"] == (1, 600)
    assert resumed["first_line_resolution"] == clean["first_line_resolution"]
    assert resumed["fingerprint"] == clean["fingerprint"], _first_difference(
        resumed["fingerprint"], clean["fingerprint"]
    )
    assert ImportedTicket.objects.values("external_id").distinct().count() == 300
    connection.close()


def test_a_uci_import_killed_mid_run_and_restarted_ends_as_one_clean_run(tmp_path: Path) -> None:
    args = [str(UCI_SAMPLE), "--batch-size", "5", "--rejects", str(tmp_path / "rejects.csv")]
    victim = _start(tmp_path, "import_uci_servicenow", *args)
    _kill_when(victim, lambda: ImportedTicket.objects.exists())
    partial = ImportedTicket.objects.count()
    assert 0 < partial < 300, "the kill did not land mid-run"

    again = _start(tmp_path, "import_uci_servicenow", *args)
    assert again.wait(180) == 0, (tmp_path / "import_uci_servicenow.log").read_text()[-3000:]
    resumed = _figures()
    assert ImportRun.objects.get().summary["kinds"]["event"]["imported"] < 2040

    _wipe()
    import_uci()
    clean = _figures()

    assert resumed["counts"] == clean["counts"]
    assert resumed["counts"]["Ticket"] == 300
    assert resumed["fingerprint"] == clean["fingerprint"]
    connection.close()
