"""Reading source files line by line: any size, bounded memory, every bad line kept with its reason.

A line is rejected (never the file) when it holds a NUL byte, is not in the file's encoding, or
does not have the header's number of columns (a truncated line). The files handled here have no
quoted line breaks, so one physical line is one record.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo


class RowError(ValueError):
    """A row that cannot be imported; the message is the reason written to the rejects file."""


@dataclass
class Line:
    number: int  # 1-based physical line in the file (the header is line 1)
    raw: str
    values: dict[str, str]


def open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return path.open("rb")


def find_file(directory: Path, *stems: str) -> Path | None:
    """The first of `stem.csv` / `stem.csv.gz` present in the directory."""
    for stem in stems:
        for suffix in (".csv", ".csv.gz"):
            candidate = directory / f"{stem}{suffix}"
            if candidate.exists():
                return candidate
    return None


@dataclass
class LineReader:
    """Yields the good lines of a delimited file as dicts and reports the bad ones to `rejects`."""

    path: Path
    delimiter: str
    rejects: Rejects
    kind: str
    encoding: str = "utf-8"
    header: list[str] = field(default_factory=list)
    bytes_read: int = 0

    def __iter__(self) -> Iterator[Line]:
        with open_binary(self.path) as stream:
            for number, raw_bytes in enumerate(stream, start=1):
                self.bytes_read += len(raw_bytes)
                text = raw_bytes.rstrip(b"\r\n")
                if number == 1:
                    self.header = self._parse_header(text)
                    continue
                line = self._line(number, text)
                if line is not None:
                    yield line

    def _parse_header(self, text: bytes) -> list[str]:
        decoded = text.decode("utf-8-sig")
        names = next(csv.reader([decoded], delimiter=self.delimiter))
        # detail_incident.csv has ~50 empty trailing columns: keep the named ones.
        while names and not names[-1].strip():
            names.pop()
        return [n.strip() for n in names]

    def _line(self, number: int, text: bytes) -> Line | None:
        if not text.strip(b" ;,\t"):
            self.rejects.skip_blank(self.kind)  # blank lines (BPIC 2014 has 203 ";;;" lines)
            return None
        preview = text.decode("utf-8", errors="replace")
        if b"\x00" in text:
            self.rejects.add(self.kind, number, preview.replace("\x00", "\\0"), "NUL byte in the line")
            return None
        try:
            decoded = text.decode(self.encoding)
        except UnicodeDecodeError as error:
            self.rejects.add(self.kind, number, preview, f"not {self.encoding}: byte {error.start}")
            return None
        # The EventLog derivative is several exports joined: a byte-order mark opens some lines.
        decoded = decoded.removeprefix("\ufeff")
        values = next(csv.reader([decoded], delimiter=self.delimiter))
        while len(values) > len(self.header) and not values[-1].strip():
            values.pop()
        if len(values) != len(self.header):
            self.rejects.add(
                self.kind,
                number,
                decoded,
                f"{len(values)} columns, the header has {len(self.header)} (truncated or malformed line)",
            )
            return None
        return Line(number, decoded, dict(zip(self.header, values, strict=True)))


class Rejects:
    """The rejects file (CSV: kind, line, reason, row) and the counts for the summary."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stream: io.TextIOWrapper | None = None
        self._writer: Any = None
        self.counts: dict[str, dict[str, int]] = {}
        self.blank: dict[str, int] = {}
        # While staging, each reject is also handed here (core.Stager.reject) to survive a kill.
        self.keep: Callable[[str, int | str, str, str], None] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream = path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._stream)
            self._writer.writerow(["kind", "line", "reason", "row"])

    def add(self, kind: str, line: int | str, row: str, reason: str) -> None:
        per_kind = self.counts.setdefault(kind, {})
        key = reason.split(":")[0]
        per_kind[key] = per_kind.get(key, 0) + 1
        self.write(kind, line, row, reason)
        if self.keep is not None:
            self.keep(kind, line, row, reason)

    def write(self, kind: str, line: int | str, row: str, reason: str) -> None:
        """One line of the rejects file (counted by `add`)."""
        if self._writer is not None:
            self._writer.writerow([kind, line, reason, row])

    def skip_blank(self, kind: str) -> None:
        self.blank[kind] = self.blank.get(kind, 0) + 1

    def total(self, kind: str) -> int:
        return sum(self.counts.get(kind, {}).values())

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


# --- values ------------------------------------------------------------------------------------


def parse_local(text: str, formats: tuple[str, ...], zone: ZoneInfo, what: str) -> datetime:
    """A naive local timestamp of the source made aware in the source's time zone.

    Times inside a spring-forward gap do not exist; zoneinfo resolves them by the offset before
    the change (fold=0), which is what a clock that did not move would have shown.
    """
    text = text.strip()
    for fmt in formats:
        naive = _fast_parse(text, fmt)
        if naive is None:
            try:
                naive = datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware just below)
            except ValueError:
                continue
        return naive.replace(tzinfo=zone)
    raise RowError(f"bad date in {what}: {text!r}")


# The sources' formats parsed by a regular expression (strptime is the import's costliest call
# per row); what does not match, or is out of range, goes to strptime, which decides.
_NUMBERS = {
    "d": r"(\d{1,2})",
    "m": r"(\d{1,2})",
    "Y": r"(\d{4})",
    "H": r"(\d{1,2})",
    "M": r"(\d{1,2})",
    "S": r"(\d{1,2})",
}
_FAST: dict[str, tuple[re.Pattern[str], tuple[int, ...]] | None] = {}


def _fast_format(fmt: str) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
    if fmt not in _FAST:
        parts = re.split(r"%([a-zA-Z])", fmt)
        literals, codes = parts[0::2], parts[1::2]
        if not all(code in _NUMBERS for code in codes) or len(set(codes)) != len(codes):
            _FAST[fmt] = None
        else:
            pattern = "".join(
                re.escape(lit) + (_NUMBERS[c] if c else "")
                for lit, c in zip(literals, [*codes, ""], strict=True)
            )
            order = tuple(codes.index(c) + 1 if c in codes else 0 for c in "YmdHMS")
            _FAST[fmt] = (re.compile(pattern), order)
    return _FAST[fmt]


def _fast_parse(text: str, fmt: str) -> datetime | None:
    compiled = _fast_format(fmt)
    if compiled is None:
        return None
    pattern, order = compiled
    match = pattern.fullmatch(text)
    if match is None:
        return None
    groups = match.groups()
    year, month, day, hour, minute, second = (int(groups[i - 1]) if i else 0 for i in order)
    try:
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 (naive, as strptime)
    except ValueError:
        return None


def optional_local(text: str, formats: tuple[str, ...], zone: ZoneInfo, what: str) -> datetime | None:
    text = text.strip()
    if not text or text == "?":
        return None
    return parse_local(text, formats, zone, what)


def parse_int(text: str, what: str, *, low: int | None = None, high: int | None = None) -> int:
    text = text.strip()
    try:
        value = int(text.split(" ")[0]) if text else None
    except ValueError:
        value = None
    if value is None or (low is not None and value < low) or (high is not None and value > high):
        raise RowError(f"unknown {what}: {text!r}")
    return value


def optional_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def decimal_comma(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    try:
        return float(text) if text else None
    except ValueError:
        return None


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def dumps(data: dict[str, Any]) -> str:
    return _JSON.encode(data)


_JSON = json.JSONEncoder(separators=(",", ":"))  # one encoder: json.dumps with options builds one per call
