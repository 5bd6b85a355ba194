"""Norwegian bokmål: the catalogue is complete and compiled, and each user gets their own language."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicedesk.models import AssignmentGroup, User

from .factories import TicketFactory

PO_FILE = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# %(name)s, %s, %d, %.1f … (not the literal %%), and str.format's {name}.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifeEgGxXorc]")
BRACE_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$")


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[PoEntry]:
    """The entries of a .po file (obsolete #~ entries left out); the header is the one with msgid ''."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    target: tuple[str, int] = ("", 0)

    def start(line_number: int) -> PoEntry:
        new = PoEntry(line=line_number)
        entries.append(new)
        return new

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry = entry or start(number)
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            entry = entry or start(number)
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if keyword == "msgid" and entry is not None and entry.msgid:
                entry = None  # a new entry without a blank line before it
            entry = entry or start(number)
            target = (keyword, int(index or 0))
            text = ast.literal_eval(literal)
        elif line.startswith('"') and entry is not None:
            text = ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        keyword, index = target
        if keyword == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        else:
            setattr(entry, keyword, (getattr(entry, keyword) or "") + text)
    return entries


def placeholders(text: str) -> Counter[str]:
    return Counter(PERCENT_PLACEHOLDER.findall(text) + BRACE_PLACEHOLDER.findall(text))


def html_tags(text: str) -> Counter[str]:
    return Counter(HTML_TAG.findall(text))


@pytest.fixture(scope="module")
def catalogue() -> list[PoEntry]:
    assert PO_FILE.is_file(), f"{PO_FILE} is missing: run makemessages -l nb"
    return read_po(PO_FILE)


@pytest.fixture(scope="module")
def messages(catalogue: list[PoEntry]) -> list[PoEntry]:
    return [entry for entry in catalogue if entry.msgid]


# --- the catalogue ---------------------------------------------------------------------------------


def test_header_declares_bokmal_utf8_and_two_plural_forms(catalogue: list[PoEntry]) -> None:
    headers = [entry for entry in catalogue if entry.msgid == "" and entry.msgctxt is None]
    assert len(headers) == 1
    header = headers[0]
    assert "fuzzy" not in header.flags
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "nb"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_catalogue_has_the_project_strings(messages: list[PoEntry]) -> None:
    msgids = {entry.msgid for entry in messages}
    assert len(messages) > 200
    assert {"Log a call", "Claim next", "Incident", "Service request", "assignment group"} <= msgids


def test_every_entry_is_translated_and_not_fuzzy(messages: list[PoEntry]) -> None:
    problems = []
    for entry in messages:
        forms = 2 if entry.msgid_plural is not None else 1
        if "fuzzy" in entry.flags:
            problems.append(f"line {entry.line}: fuzzy: {entry.msgid!r}")
        if sorted(entry.msgstr) != list(range(forms)):
            problems.append(f"line {entry.line}: expected {forms} form(s): {entry.msgid!r}")
        if not all(text.strip() for text in entry.msgstr.values()):
            problems.append(f"line {entry.line}: untranslated: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


def test_placeholders_and_html_are_kept(messages: list[PoEntry]) -> None:
    problems = []
    for entry in messages:
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        expected_placeholders = {frozenset(placeholders(source).items()) for source in sources}
        expected_tags = {frozenset(html_tags(source).items()) for source in sources}
        for index, text in entry.msgstr.items():
            if frozenset(placeholders(text).items()) not in expected_placeholders:
                problems.append(f"line {entry.line}: placeholders of msgstr[{index}] differ: {entry.msgid!r}")
            if frozenset(html_tags(text).items()) not in expected_tags:
                problems.append(f"line {entry.line}: HTML of msgstr[{index}] differs: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po_file(messages: list[PoEntry]) -> None:
    """The committed .mo is compiled from the current .po: Django serves every translation."""
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run compilemessages -l nb"
    stale = []
    with translation.override("nb"):
        for entry in messages:
            if entry.msgid_plural is not None:
                served = {
                    0: translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                    if entry.msgctxt
                    else translation.ngettext(entry.msgid, entry.msgid_plural, 1),
                    1: translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                    if entry.msgctxt
                    else translation.ngettext(entry.msgid, entry.msgid_plural, 2),
                }
            elif entry.msgctxt is not None:
                served = {0: translation.pgettext(entry.msgctxt, entry.msgid)}
            else:
                served = {0: translation.gettext(entry.msgid)}
            if served != entry.msgstr:
                stale.append(f"line {entry.line}: {entry.msgid!r} is served as {served!r}")
    assert not stale, "compilemessages -l nb is needed:\n" + "\n".join(stale)


def test_lazy_labels_follow_the_active_language() -> None:
    from incidents.models import Kind, State

    with translation.override("nb"):
        assert str(Kind.INCIDENT.label) == "Hendelse"
        assert str(Kind.REQUEST.label) == "Tjenesteforespørsel"
        assert str(State.RESOLVED.label) == "Løst"
    with translation.override("en"):
        assert str(Kind.INCIDENT.label) == "Incident"


# --- the console in the user's language ------------------------------------------------------------

NORWEGIAN = ("Mine saker", "Registrer henvendelse", "Køer", "Nullstill filtre", "Ikke tildelt", "P4 – Lav")
ENGLISH = ("My tickets", "Log a call", "Queues", "Clear filters", "Unassigned", "P4 – Low")


def console_page(user: User, language: str, accept_language: str) -> str:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    TicketFactory(title="Pasientjournal henger")  # unassigned, P4
    client = Client(headers={"accept-language": accept_language})
    client.force_login(user)
    response = client.get(reverse("console:ticket-list"))
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/console/tickets/"
    return response.content.decode()


@pytest.mark.parametrize("accept_language", ["nb", "en"])
def test_agent_preferring_bokmal_sees_the_console_in_norwegian(agent: User, accept_language: str) -> None:
    page = console_page(agent, "nb", accept_language)

    assert '<html lang="nb">' in page
    for text in NORWEGIAN:
        assert text in page
    for text in ENGLISH:
        assert text not in page


@pytest.mark.parametrize("accept_language", ["nb", "en"])
def test_agent_preferring_english_sees_the_console_in_english(agent: User, accept_language: str) -> None:
    page = console_page(agent, "en", accept_language)

    assert '<html lang="en">' in page
    for text in ENGLISH:
        assert text in page
    for text in NORWEGIAN:
        assert text not in page


def test_flashed_messages_are_in_the_users_language(agent: User, first_line_group: AssignmentGroup) -> None:
    agent.preferred_language = "nb"
    agent.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(agent)

    url = reverse("console:queue-claim-next", kwargs={"pk": first_line_group.pk})
    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == ["Køen er tom."]
