"""The demo's ten most common calls (Norwegian bokmål, as the customer centre writes them).

Seeded by the demo data; in production they are data managers keep in admin (CallTemplate).
"""

from __future__ import annotations

from servicedesk.models import Category, Service

from .models import CallTemplate, Kind

# name, title, description, kind, service, category (parent, child), impact, urgency
# fmt: off
COMMON_CALLS: list[tuple[str, str, str, str, str, tuple[str, str], int, int]] = [
    ("Passord", "Glemt passord / passordet er utløpt",
     "Innringer får ikke logget på. Identitet kontrollert (ringt tilbake på registrert mobilnummer). "
     "Passordet er tilbakestilt og må byttes ved neste pålogging.",
     Kind.REQUEST, "Brukerkontoer og tilganger", ("Tilgang", "Nytt passord"), 3, 2),
    ("Skriver", "Skriveren skriver ikke ut",
     "Skriver (merke/nummer på skriveren): \nAvdeling og rom: \nFeilmelding i displayet: ",
     Kind.INCIDENT, "Utskrift", ("Utskrift", ""), 3, 3),
    ("Tilgang", "Bestilling av tilgang",
     "Hvilket system eller område: \nHvilken rolle: \nGodkjent av leder (navn): ",
     Kind.REQUEST, "Brukerkontoer og tilganger", ("Tilgang", "Ny tilgang"), 3, 3),
    ("VPN", "VPN kobler ikke opp hjemmefra",
     "Hjemmekontor. Feilmelding i VPN-klienten: \nKodebrikke/app for engangskode virker: ja/nei",
     Kind.INCIDENT, "Fjerntilgang (VPN)", ("Nettverk", "VPN"), 3, 2),
    ("E-post på mobil", "E-post synkroniseres ikke på jobbmobilen",
     "Mobilmodell: \nSist synkronisert: \nE-post på PC virker som normalt.",
     Kind.INCIDENT, "Mobiltelefoner", ("Telefoni", "Mobiltelefon"), 3, 3),
    ("DIPS-tilgang", "Får ikke tilgang til pasientjournalen i DIPS",
     "Avdeling: \nFeilmelding ved pålogging eller ved åpning av journal: \nGjelder én bruker / flere: ",
     Kind.INCIDENT, "EPJ (elektronisk pasientjournal)", ("Programvare", "Klinisk applikasjon"), 2, 2),
    ("PACS", "Røntgenbilder lastes ikke i PACS",
     "Avdeling og arbeidsstasjon: \nUndersøkelse (dato/modalitet): \nGjelder alle bilder / enkelte: ",
     Kind.INCIDENT, "PACS/RIS", ("Programvare", "Klinisk applikasjon"), 2, 1),
    ("Telefon", "Bordtelefonen har ingen summetone",
     "Internnummer: \nAvdeling og rom: \nLyser displayet: ja/nei",
     Kind.INCIDENT, "Telefoni", ("Telefoni", "Fasttelefon"), 3, 2),
    ("Ny ansatt", "Ny ansatt: brukerkonto, tilganger og utstyr",
     "Navn og startdato: \nAvdeling og stilling: \nTilganger (system og rolle): "
     "\nUtstyr (PC, mobil, skjerm): \nLeder som bestiller: ",
     Kind.REQUEST, "Brukerkontoer og tilganger", ("Tilgang", "Ny tilgang"), 3, 3),
    ("Programvare", "Installere programvare",
     "Program og versjon: \nPC-navn: \nLisens godkjent av leder: ja/nei",
     Kind.REQUEST, "Kontorstøtte (Office)", ("Programvare", "Kontorprogram"), 3, 3),
]
# fmt: on


def seed_call_templates(
    *, services: dict[str, Service], categories: dict[tuple[str, str], Category]
) -> int:
    """Create the common calls that do not exist yet (by name); returns how many were created."""
    created = 0
    for position, (name, title, description, kind, service, category, impact, urgency) in enumerate(
        COMMON_CALLS, start=1
    ):
        _template, was_created = CallTemplate.objects.get_or_create(
            name=name,
            defaults={
                "title": title,
                "description": description,
                "kind": kind,
                "service": services.get(service),
                "category": categories.get(category),
                "impact": impact,
                "urgency": urgency,
                "position": position,
            },
        )
        created += was_created
    return created
