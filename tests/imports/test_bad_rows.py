"""A corrupted sample imports its good rows and lists each bad one with its reason."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from contacts.models import Contact
from imports.models import ImportedTicket
from incidents.models import Ticket

from .helpers import BPIC_SAMPLE, import_bpic

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def corrupt(line: bytes, old: bytes, new: bytes) -> bytes:
    assert old in line
    return line.replace(old, new, 1)


@pytest.fixture
def corrupted(tmp_path: Path) -> Path:
    """The sample with one bad row of each kind (line numbers are 1-based, the header is 1)."""
    directory = tmp_path / "corrupted"
    shutil.copytree(BPIC_SAMPLE, directory)
    path = directory / "detail_incident.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[1] = corrupt(lines[1], b"10/08/2012 11:27:59", b"31/02/2012 11:27:59")  # bad date
    lines[2] = corrupt(lines[2], b";5;5;5;", b";5;5;9;")  # unknown priority
    lines[3] = lines[3][:40]  # truncated line
    lines[4] = lines[4][:20] + b"\x00" + lines[4][20:]  # NUL byte
    lines[5] = lines[5].replace(b"Closed", "Clösed".encode("latin-1"), 1)  # not ASCII (Latin-1)
    path.write_bytes(b"\r\n".join(lines))
    activities = directory / "incident_activity.csv"
    with activities.open("a", encoding="utf-8", newline="") as stream:
        # Broken link: an activity of an incident that is not in the incident file.
        csv.writer(stream).writerow(
            ["IM9999999", "2013-11-08 13:50:17", "001X", "Assignment", "TEAM0002", "", ""]
        )
    interactions = directory / "detail_interaction.csv"
    rows = interactions.read_bytes().split(b"\r\n")
    rows[1] = corrupt(rows[1], b";IM0000013", b";IM0000404")  # broken link to an incident
    interactions.write_bytes(b"\r\n".join(rows))
    return directory


def test_corrupted_sample_imports_the_good_rows_and_lists_each_bad_one(
    corrupted: Path, tmp_path: Path
) -> None:
    rejects_path = tmp_path / "rejects.csv"

    summary = import_bpic(corrupted, rejects_path)

    with rejects_path.open(encoding="utf-8") as stream:
        rejects = list(csv.DictReader(stream))
    reasons = {(r["kind"], r["line"]): r["reason"] for r in rejects}
    assert reasons[("incident", "2")].startswith("bad date in Open Time")
    assert reasons[("incident", "3")] == "unknown priority: '9'"
    assert "truncated" in reasons[("incident", "4")]
    assert reasons[("incident", "5")] == "NUL byte in the line"
    assert reasons[("incident", "6")].startswith("not ascii")
    assert any(
        r["kind"] == "activity" and "IM9999999 is not in the incident file" in r["reason"] for r in rejects
    )
    assert any(r["kind"] == "link" and "IM0000404" in r["reason"] for r in rejects)
    # The good rows are all in, and no rejected incident is half there.
    assert Ticket.objects.count() == 295
    assert Contact.objects.count() == 600
    assert summary["kinds"]["incident"]["rejected"] == 5
    bad_ids = {"IM0000013", "IM0000048"}
    assert not ImportedTicket.objects.filter(external_id__in=bad_ids).exists()
    # Activities of the rejected incidents are reported, none stored.
    assert summary["kinds"]["activity"]["rejected"] > 1
