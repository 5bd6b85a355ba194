"""Demo knowledge base: ~40 articles as the department's help site would have them.

Mostly bokmål, a few in English (with a link to the Norwegian original where there is one).
Created once (skipped when articles exist); `seed_articles` is called by `manage.py demo_data`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.db import transaction

from .models import Article, ArticleStatus, Audience, Category
from .render import plain_text

CATEGORIES = {
    "Pålogging og passord": "Passord, tofaktor, låst konto",
    "Utskrift": "Skrivere, etiketter og skanning",
    "Hjemmekontor og VPN": "Jobbe hjemmefra og på reise",
    "Pasientjournal (EPJ)": "Tilgang og vanlige feil i DIPS Arena",
    "Bildediagnostikk (PACS/RIS)": "Bildeviser og henvisninger",
    "Telefoni og mobil": "Fasttelefon, mobil, e-post på mobil",
    "E-post og Teams": "Outlook, Teams og kalender",
    "Ny ansatt": "Det første du trenger",
    "PC og utstyr": "PC, skjerm, dokkingstasjon",
}

# (category, title, body, language, audience, key of the original for translations)
ARTICLES: list[tuple[str, str, str, str, str, str]] = [
    ("Pålogging og passord", "Bytt passord på PC-en", """Du må bytte passord hvert 90. dag.

1. Trykk **Ctrl+Alt+Del** og velg **Endre et passord**.
2. Skriv det gamle passordet, og det nye to ganger.
3. Passordet må ha minst 12 tegn og ikke ligne de fem siste.

Det nye passordet gjelder også for EPJ, e-post og VPN.""", "nb", "public", "passord"),
    ("Pålogging og passord", "Change your password", """You must change your password every 90 days.

1. Press **Ctrl+Alt+Del** and choose **Change a password**.
2. Type the old password, then the new one twice.
3. It needs at least 12 characters and may not resemble your last five.""", "en", "public", "passord"),
    ("Pålogging og passord", "Glemt passord – tilbakestill selv", """Har du glemt passordet, kan du tilbakestille det selv
med BankID på **passord.helse.example** fra en hvilken som helst PC eller mobil.

Virker ikke BankID, ring kundesenteret. Ha ansattnummeret ditt klart.""", "nb", "public", ""),
    ("Pålogging og passord", "Kontoen er låst", """Kontoen låses etter ti feil forsøk og åpnes av seg selv
etter 15 minutter. Haster det, tilbakestill passordet med BankID – da åpnes kontoen med en gang.""",
     "nb", "public", ""),
    ("Pålogging og passord", "Sett opp tofaktorpålogging (Authenticator)", """Du trenger tofaktor for å logge på
hjemmefra og på mobil.

1. Installer **Microsoft Authenticator** fra App Store eller Google Play.
2. Gå til **mysignins.example** på PC-en og velg *Legg til påloggingsmetode*.
3. Skann QR-koden med appen.""", "nb", "public", ""),
    ("Pålogging og passord", "Nytt kort til kortleseren (smartkort)", """Mistet eller ødelagt ansattkort?
Bestill nytt i katalogen (*Ansattkort*). Til det nye kortet kommer, kan kundesenteret gi deg midlertidig
tilgang med engangskode.""", "nb", "public", ""),
    ("Utskrift", "Skriveren skriver ikke ut", """Sjekk dette før du melder feil:

- Er skriveren på, og er det papir og toner? Se displayet.
- Står det **papirstopp**, åpne lukene og fjern papiret forsiktig.
- Velg riktig skriver: skrivernavnet står på klistremerket foran.
- Slett jobben i utskriftskøen og prøv igjen.

Skriver den fortsatt ikke, meld feil og oppgi skrivernavnet.""", "nb", "public", "skriver"),
    ("Utskrift", "The printer does not print", """Check this before reporting a fault:

- Is the printer on, with paper and toner?
- A **paper jam**? Open the covers and remove the paper carefully.
- Did you pick the right printer? Its name is on the sticker at the front.

Still not printing? Report a fault and give the printer's name.""", "en", "public", "skriver"),
    ("Utskrift", "Legg til en skriver på PC-en", """1. Åpne **Innstillinger → Bluetooth og enheter → Skrivere**.
2. Velg **Legg til enhet** og søk etter navnet på klistremerket.
3. Følgeskriver (*FollowMe*) er lagt til på alle PC-er: skriv ut dit, og hent med kortet på hvilken
   som helst skriver.""", "nb", "public", ""),
    ("Utskrift", "Etikettskriveren skriver blanke etiketter", """Blanke etiketter skyldes nesten alltid feil
rull eller at skriveren må kalibreres. Hold inne **Feed** i to sekunder til den mater en etikett.
Hjelper ikke det, meld feil med skrivernavnet.""", "nb", "public", ""),
    ("Utskrift", "Skann til e-post", """Legg arket på glasset eller i materen, trykk **Skann til meg**
og hold kortet mot leseren. Skannet fil kommer som PDF i innboksen din innen et minutt.""", "nb", "public", ""),
    ("Hjemmekontor og VPN", "Koble til VPN hjemmefra", """Du trenger VPN for å nå EPJ og fellesområder hjemmefra.

1. Start **Cisco Secure Client** fra Start-menyen.
2. Skriv `vpn.helse.example` og trykk **Koble til**.
3. Logg på med brukernavn, passord og godkjenn i Authenticator.

Tips: VPN virker ikke på gjestenett på sykehuset.""", "nb", "public", "vpn"),
    ("Hjemmekontor og VPN", "Connect to the VPN from home", """You need the VPN to reach the EPR and shared
drives from home.

1. Start **Cisco Secure Client**.
2. Enter `vpn.helse.example` and click **Connect**.
3. Sign in and approve in Authenticator.""", "en", "public", "vpn"),
    ("Hjemmekontor og VPN", "VPN kobler fra hele tiden", """- Bruk kablet nett eller sitt nær ruteren.
- Start PC-en på nytt – den henter da siste VPN-oppdatering.
- Mobilt nett via telefonen virker, men bruker mye data.

Skjer det flere ganger om dagen, meld feil og oppgi klokkeslettene.""", "nb", "public", ""),
    ("Hjemmekontor og VPN", "Jobbe på reise i utlandet", """Tilgang fra land utenfor EU/EØS er stengt som
standard. Bestill *Utenlandstilgang* i katalogen minst fem virkedager før avreise; lederen din godkjenner.""",
     "nb", "public", ""),
    ("Pasientjournal (EPJ)", "Be om tilgang til DIPS Arena", """Tilgang til pasientjournalen bestilles av lederen
din i katalogen (*Tilgang til EPJ*), med riktig rolle og enhet. Tilgangen er klar innen to virkedager etter
godkjenning. Du får e-post når den er klar.""", "nb", "public", ""),
    ("Pasientjournal (EPJ)", "DIPS Arena henger eller er treg", """1. Lukk DIPS Arena helt og start på nytt.
2. Er det treghet for alle på avdelingen? Se **Driftsstatus** i portalen – kanskje er feilen kjent.
3. Meld feil med tidspunkt, pasientforløp (ikke pasientnavn) og skjermbilde av feilmeldingen.""",
     "nb", "public", ""),
    ("Pasientjournal (EPJ)", "Feil ved signering av notat", """Får du «Kan ikke signere», sjekk at du har
signeringsrettighet på enheten. Nyansatte får signeringsrett når opplæringen er registrert.""",
     "nb", "public", ""),
    ("Pasientjournal (EPJ)", "Intern: tilbakestille DIPS-sesjon for bruker", """Kun for IT-ansatte.

Åpne DIPS Admin → *Aktive sesjoner*, søk opp brukeren og velg **Avslutt sesjon**. Be brukeren logge på
igjen etter ett minutt.""", "nb", "internal", ""),
    ("Bildediagnostikk (PACS/RIS)", "Bildeviseren (PACS) åpner ikke bilder", """- Åpne bildet fra henvisningen i
EPJ, ikke fra skrivebordet.
- Står det «Ingen lisens ledig», vent et minutt og prøv igjen.
- Bilder fra andre sykehus må importeres først: bestill *Bildeimport* i katalogen.""", "nb", "public", ""),
    ("Bildediagnostikk (PACS/RIS)", "Svart skjerm i diagnostisk bildeviser", """Diagnostiske skjermer går i
dvale etter 30 minutter. Beveg musen og vent ti sekunder. Er skjermen fortsatt svart, sjekk at begge
skjermkablene sitter i dokkingstasjonen.""", "nb", "public", ""),
    ("Bildediagnostikk (PACS/RIS)", "Intern: restart av PACS-visningsserver", """Kun for IT-ansatte. Følg
driftsrutine PACS-07. Varsle radiologisk vakthavende før restart.""", "nb", "internal", ""),
    ("Telefoni og mobil", "E-post på mobilen (Outlook-appen)", """1. Installer **Microsoft Outlook** fra App Store
eller Google Play.
2. Logg på med e-postadressen din og godkjenn i Authenticator.
3. Godta at Intune beskytter jobbdataene på telefonen.

Den innebygde e-postappen på telefonen støttes ikke.""", "nb", "public", "mobilepost"),
    ("Telefoni og mobil", "E-mail on your mobile phone", """Install **Microsoft Outlook**, sign in with your
e-mail address and approve in Authenticator. The phone's built-in mail app is not supported.""",
     "en", "public", "mobilepost"),
    ("Telefoni og mobil", "Viderekoble fasttelefonen", """Tast **\\*21\\*** etterfulgt av nummeret og **#**.
Slå av med **#21#**. Fra Teams: *Innstillinger → Anrop → Viderekoble*.""", "nb", "public", ""),
    ("Telefoni og mobil", "Ny jobbmobil eller nytt SIM-kort", """Bestill *Mobiltelefon* eller *SIM-kort* i katalogen.
Lederen din godkjenner. Ta med den gamle telefonen når du henter den nye, så flytter vi data.""",
     "nb", "public", ""),
    ("Telefoni og mobil", "Talepost – sett opp og hør meldinger", """Ring **90 00** fra din egen telefon.
Første gang velger du PIN-kode og spiller inn hilsen. Meldinger kommer også som lydfil i e-posten.""",
     "nb", "public", ""),
    ("E-post og Teams", "Del kalenderen din", """I Outlook: høyreklikk **Kalender → Deling og tillatelser**,
legg til personen og velg hvor mye de skal se.""", "nb", "public", ""),
    ("E-post og Teams", "Få tilgang til en felles postkasse", """Felles postkasser (f.eks. post@avdeling) bestilles
i katalogen (*Tilgang til felles postkasse*). Eieren av postkassen godkjenner. Postkassen dukker opp i
Outlook etter omstart.""", "nb", "public", ""),
    ("E-post og Teams", "Teams-møte: lyd eller kamera virker ikke", """- Sjekk at riktig mikrofon og høyttaler er valgt
under **…→ Innstillinger → Enheter**.
- Lukk andre programmer som bruker kameraet.
- Dokkingstasjon: koble headsettet direkte til PC-en.""", "nb", "public", ""),
    ("E-post og Teams", "Fraværsmelding i Outlook", """**Fil → Automatiske svar**. Skriv meldingen og velg
tidsrom. Husk å skrive hvem som kan kontaktes i stedet.""", "nb", "public", ""),
    ("E-post og Teams", "Stor vedlegg – send med OneDrive", """Vedlegg over 25 MB stoppes. Last filen opp til
OneDrive og del en lenke i stedet. Send aldri pasientopplysninger til private e-postadresser.""",
     "nb", "public", ""),
    ("Ny ansatt", "Ny ansatt: dette trenger du første dag", """- **Brukernavn og passord** får du av lederen din.
- Bytt passordet første gang du logger på (se *Bytt passord på PC-en*).
- Sett opp **tofaktor** og **e-post på mobilen**.
- Lederen bestiller tilgang til EPJ og andre fagsystemer i katalogen.""", "nb", "public", "nyansatt"),
    ("Ny ansatt", "New employee: what you need on day one", """- Your **username and password** come from your
manager.
- Change the password the first time you sign in.
- Set up **two-factor sign-in** and **e-mail on your phone**.
- Your manager orders access to the EPR and other systems in the catalogue.""", "en", "public", "nyansatt"),
    ("Ny ansatt", "Slik bestiller du i katalogen", """Velg **Bestill** i portalen, finn varen og fyll ut skjemaet.
Noen bestillinger må godkjennes av lederen din; du ser status under **Mine saker**.""", "nb", "public", ""),
    ("PC og utstyr", "PC-en er treg", """1. Start PC-en på nytt (ikke bare lås den) – minst én gang i uka.
2. Lukk faner og programmer du ikke bruker.
3. Sjekk at det er over 10 % ledig plass på C:.

Fortsatt treg? Meld feil og oppgi PC-navnet (står på klistremerket).""", "nb", "public", ""),
    ("PC og utstyr", "Ekstra skjerm eller dokkingstasjon virker ikke", """Koble fra og til igjen dokkingstasjonen,
og sjekk at strømmen til dokken er på. Trykk **Windows+P** og velg *Utvid*.""", "nb", "public", ""),
    ("PC og utstyr", "Bestill nytt utstyr (mus, tastatur, headset)", """Småutstyr bestilles i katalogen
(*Tilbehør*) og leveres til avdelingen innen tre virkedager.""", "nb", "public", ""),
    ("PC og utstyr", "Fellesområdet (G:) mangler", """Fellesområder kobles til ved pålogging. Er du hjemme,
koble til VPN først og logg av og på igjen.""", "nb", "public", ""),
    ("PC og utstyr", "Låne PC til kurs og opplæring", """Kursrom har egne PC-er. Trenger du lånemaskin,
bestill *Lån av PC* i katalogen minst to dager før.""", "nb", "public", ""),
    ("PC og utstyr", "Utkast: ny rutine for PC-utskifting 2026", """Under arbeid – ikke publisert.""",
     "nb", "draft", ""),
]


def seed_articles(now: datetime, rng: random.Random | None = None) -> int:
    """Create the demo knowledge base unless there are articles already; returns how many were made."""
    if Article.objects.exists():
        return 0
    rng = rng or random.Random(2019)
    originals: dict[str, Article] = {}
    created = 0
    with transaction.atomic():
        categories = {
            name: Category.objects.get_or_create(name=name, defaults={"description": text})[0]
            for name, text in CATEGORIES.items()
        }
        for category, title, body, language, audience, key in ARTICLES:
            published_days_ago = rng.randint(5, 400)
            when = now - timedelta(days=published_days_ago)
            draft = audience == "draft"
            article = Article.objects.create(
                category=categories[category],
                title=title,
                body=body,
                plain_text=plain_text(body),
                language=language,
                audience=Audience.INTERNAL if audience == "internal" else Audience.PUBLIC,
                status=ArticleStatus.DRAFT if draft else ArticleStatus.PUBLISHED,
                translation_of=originals.get(key) if key and language == "en" else None,
                review_date=date.fromordinal(when.date().toordinal() + 365),
                view_count=0 if draft else rng.randint(20, 3000),
                helpful_yes=rng.randint(0, 40),
                helpful_no=rng.randint(0, 8),
                created_at=when,
                updated_at=when,
                published_at=None if draft else when,
            )
            if key and language == "nb":
                originals[key] = article
            created += 1
    return created
