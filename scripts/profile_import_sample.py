"""Profile the BPIC 2014 sample import in-process (cProfile), printing wall clock and CPU time.

Usage: `.venv/bin/python manage.py shell < scripts/profile_import_sample.py` with DATABASE_URL
set. It imports the 300-incident sample into that database and removes the BPIC 2014 records
afterwards (and any left before it starts).
"""

import cProfile
import pstats
import resource
import time
from pathlib import Path

from changes.models import Change
from contacts.models import Contact
from imports import bpic2014, core
from imports.models import ImportRun, Source
from imports.reading import Rejects
from incidents.models import Ticket


def wipe() -> None:
    Ticket.objects.filter(imported__source=Source.BPIC2014).delete()
    Contact.objects.filter(imported__source=Source.BPIC2014).delete()
    Change.objects.filter(imported__source=Source.BPIC2014).delete()
    ImportRun.objects.filter(source=Source.BPIC2014).delete()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


wipe()
ctx = core.ImportContext(Source.BPIC2014, Rejects(None), progress=False)
profile = cProfile.Profile()
wall, cpu = time.perf_counter(), cpu_seconds()
profile.enable()
summary = bpic2014.run_import(Path("tests/fixtures/bpic2014_sample_300"), ctx)
profile.disable()
wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
rows = summary["rows_read"]
print(f"rows {rows} wall {wall:.2f} s cpu {cpu:.2f} s: {rows / cpu:,.0f} rows per CPU-second")
stats = pstats.Stats(profile)
stats.sort_stats("cumulative").print_stats(45)
stats.sort_stats("tottime").print_stats(30)
wipe()
