"""Danish labels and help texts for every field of the content format.

The editors' handbook (docs/, generated field pages) and the browser editor (admin/, Decap CMS)
read these, so an editor meets the same words everywhere. Keyed by RecordSpec.name, then by
field name; tests keep this complete against naerpoliti/schema.py.
"""
from __future__ import annotations

# RecordSpec.name -> (Danish name of one record, Danish name of several)
RECORDS_DA: dict[str, tuple[str, str]] = {
    "site setting": ("Indstillinger for sitet", "Indstillinger for sitet"),
    "newsletter setting": ("Indstillinger for nyhedsbrevet", "Indstillinger for nyhedsbrevet"),
    "cms setting": ("Indstillinger for browser-redigering", "Indstillinger for browser-redigering"),
    "district": ("Politikreds", "Politikredse"),
    "municipality": ("Kommune", "Kommuner"),
    "station": ("Politistation", "Politistationer"),
    "officer": ("Betjent", "Betjente"),
    "council": ("Lokalråd eller samarbejdspartner", "Lokalråd og samarbejdspartnere"),
    "priority": ("Indsatsområde", "Indsatsområder"),
    "locality": ("Lokalsamfund", "Lokalsamfund"),
    "localities.yaml": ("localities.yaml", "localities.yaml"),
    "consent": ("Samtykke", "Samtykker"),
    "ambassador": ("Tryghedsambassadør", "Tryghedsambassadører"),
    "news item": ("Nyhed", "Nyheder"),
    "event": ("Arrangement", "Arrangementer"),
    "page": ("Side", "Sider"),
    "newsletter intro": ("Indledning til nyhedsbrev", "Indledninger til nyhedsbreve"),
}

_ID = ("Id", "Id'et: små bogstaver a-z, tal og bindestreger; æ, ø og å skrives ae, oe og aa.")
_SUMMARY = ("Resumé", "En eller to sætninger. Uden resumé bruges første afsnit af teksten.")
_DRAFT = ("Kladde", "true: bliver aldrig udgivet.")
_PHOTO = ("Foto", "Et portrætfoto i mappen media.")
_PHOTO_ALT = ("Alt-tekst til foto", "Alt-tekst til fotoet: hvad billedet viser. Skal udfyldes, når der er et foto.")
_COORDINATES = ("Koordinater", "[breddegrad, længdegrad], fx [55.7506, 11.9617].")
_SCOPE = {
    "localities": ("Lokalsamfund", "Id'er på de lokalsamfund, det handler om."),
    "municipalities": ("Kommuner", "Id'er på de kommuner, det handler om (alle deres lokalsamfund)."),
    "districts": ("Politikredse", "Id'er på de politikredse, det handler om (alle deres lokalsamfund)."),
    "national": ("Hele sitet", "true: det handler om hele sitet."),
}

# RecordSpec.name -> field name -> (short Danish label, Danish help text)
FIELDS_DA: dict[str, dict[str, tuple[str, str]]] = {
    "site setting": {
        "title": ("Titel", "Sitets navn. Det står øverst på hver side."),
        "base_url": ("Adresse", "Den adresse, sitet udgives på. Den må gerne have en undermappe "
                                "(https://example.dk/naerpoliti/)."),
        "language": ("Sprog", "Sproget i brugerfladen: da (standard) eller en."),
        "timezone": ("Tidszone", "Tidszonen for klokkeslæt, der er skrevet uden tidszone "
                                 "(standard Europe/Copenhagen)."),
        "newsletter": ("Nyhedsbrev", "Indstillinger for nyhedsbrevet: {period: month} eller {period: week}."),
        "description": ("Beskrivelse", "Én sætning om sitet til søgemaskiner og forsiden."),
        "alternate_language": ("Ekstra sprog", "Udgiv også brugerfladen på dette sprog under /en/ (eller /da/). "
                                               "Indholdet bliver på det sprog, det er skrevet på."),
        "was_url": ("Tilgængelighedserklæring", "Adressen på tilgængelighedserklæringen i WAS-Tool. Uden den "
                                                "udgiver sitet sin egen på /tilgaengelighedserklaering/. "
                                                "/was/ fører til den."),
        "accessibility_contact": ("Kontakt om tilgængelighed", "Hvor man kan melde et problem med "
                                                               "tilgængeligheden. Vises i sitets egen "
                                                               "tilgængelighedserklæring."),
        "cms": ("Browser-redigering", "Redigering i browseren på /admin/: {backend: github, repo: ejer/navn}. "
                                      "Uden den udgives der ingen admin/."),
    },
    "newsletter setting": {
        "period": ("Periode", "Hvor tit der laves et nummer af nyhedsbrevet: month (måned, standard) "
                              "eller week (uge)."),
        "from": ("Afsender", "Afsenderadressen på nyhedsbrevets e-mails (standard nyhedsbrev@ og sitets "
                             "domænenavn). Afsendernavnet er sitets titel."),
        "reply_to": ("Svar til", "Hvor svar på nyhedsbrevet sendes hen."),
        "unsubscribe_email": ("Afmeld via e-mail", "Hvor en læser skriver for at afmelde sig "
                                                   "(List-Unsubscribe: mailto)."),
        "unsubscribe_url": ("Afmeld via link", "En https-adresse, der afmelder med ét klik "
                                               "(List-Unsubscribe og List-Unsubscribe-Post, RFC 8058)."),
    },
    "cms setting": {
        "backend": ("Git-tjeneste", "Hvor browser-redigeringen (admin/) gemmer: github, gitlab eller "
                                    "git-gateway (Netlify Identity)."),
        "repo": ("Repository", "Repository'et som ejer/navn, fx nordsjaelland-politi/naerpoliti. "
                               "Skal udfyldes for github og gitlab."),
        "branch": ("Gren", "Den gren (branch), redigeringen gemmer på (standard main)."),
        "base_url": ("Login-server", "Den OAuth-server, der logger redaktørerne ind (GitHub kræver en "
                                     "uden for Netlify), fx https://auth.example.dk."),
    },
    "district": {
        "id": _ID,
        "name": ("Navn", "Navnet, fx Nordsjællands Politi."),
        "url": ("Webside", "Politikredsens egen webside."),
    },
    "municipality": {
        "id": _ID,
        "name": ("Navn", "Navnet, fx Frederikssund Kommune."),
        "district": ("Politikreds", "Id'et på den politikreds, kommunen hører til."),
    },
    "station": {
        "id": _ID,
        "name": ("Navn", "Navnet, fx Frederikssund Politistation."),
        "address": ("Adresse", "Gade og nummer med postnummer og by."),
        "opening_hours": ("Åbningstider", "Åbningstider som fri tekst, fx \"Man-tor 10-14\"."),
        "phone": ("Telefon", "Stationens telefonnummer, hvis den har sit eget."),
        "coordinates": _COORDINATES,
    },
    "officer": {
        "id": _ID,
        "name": ("Navn", "Fulde navn."),
        "title": ("Titel", "Officiel titel, fx Områdebetjent, Netværksbetjent eller Lokalbetjent."),
        "phone": ("Telefon", "Officielt telefonnummer."),
        "email": ("E-mail", "Officiel e-mailadresse."),
        "station": ("Station", "Id'et på den station, betjenten arbejder fra."),
        "verified": ("Kontrolleret", "Hvornår kontaktoplysningerne sidst blev kontrolleret (ÅÅÅÅ-MM-DD, fx 2026-11-20)."),
        "photo": _PHOTO,
        "photo_alt": _PHOTO_ALT,
    },
    "council": {
        "name": ("Navn", "Navnet, fx Skibby Lokalråd."),
        "url": ("Webside", "Dens webside."),
        "email": ("E-mail", "Dens offentlige e-mailadresse."),
    },
    "priority": {
        "issue": ("Problem", "Problemet, fx Indbrud i villakvarterer."),
        "action": ("Indsats", "Hvad politiet og lokalsamfundet gør ved det."),
        "since": ("Siden", "Siden hvornår (ÅÅÅÅ-MM-DD)."),
    },
    "locality": {
        "id": _ID,
        "name": ("Navn", "Navnet, fx Skibby."),
        "municipality": ("Kommune", "Id'et på lokalsamfundets kommune."),
        "postcodes": ("Postnumre", "Lokalsamfundets postnumre, fire cifre i anførselstegn: [\"4050\"]. "
                                   "Et postnummer kan høre til flere lokalsamfund."),
        "officer": ("Betjent", "Id'et på lokalsamfundets kontaktbetjent."),
        "coordinates": _COORDINATES,
        "description": ("Beskrivelse", "En kort tekst om lokalsamfundet (Markdown)."),
        "councils": ("Lokalråd", "Lokalråd og samarbejdspartnere: name, url, email."),
        "priorities": ("Indsatsområder", "Hvad politiet og lokalsamfundet arbejder med: issue, action, since."),
    },
    "localities.yaml": {
        "site": ("Indstillinger", "Indstillingerne for hele sitet."),
        "districts": ("Politikredse", "Politikredsene."),
        "municipalities": ("Kommuner", "Kommunerne, hver i en politikreds."),
        "stations": ("Politistationer", "Politistationer, nærpolitistationer og mobile politistationer."),
        "officers": ("Betjente", "Kontaktbetjente. De udgives i deres officielle rolle."),
        "localities": ("Lokalsamfund", "Lokalsamfundene, hver i en kommune og med en kontaktbetjent."),
    },
    "consent": {
        "given": ("Givet", "Datoen, partnerskabsaftalen blev underskrevet. Uden den udgives intet."),
        "fields": ("Felter", "Præcis de felter, der må udgives. name skal være med, for at noget "
                             "som helst bliver udgivet."),
        "expires": ("Udløber", "Datoen, samtykket ophører, hvis det gør."),
        "withdrawn": ("Trukket tilbage", "Datoen, personen trak sit samtykke tilbage."),
    },
    "ambassador": {
        "id": _ID,
        "name": ("Navn", "Fulde navn."),
        "role": ("Rolle", "Rolle i lokalsamfundet, fx Formand for Skibby Borgerforening."),
        "phone": ("Telefon", "Telefonnummer."),
        "email": ("E-mail", "E-mailadresse."),
        "photo": _PHOTO,
        "photo_alt": _PHOTO_ALT,
        "consent": ("Samtykke", "Samtykket fra den underskrevne partnerskabsaftale."),
    },
    "news item": {
        "title": ("Titel", "Overskriften."),
        "date": ("Dato", "Udgivelsesdato (ÅÅÅÅ-MM-DD) eller dato og klokkeslæt. En nyhed med en dato "
                         "efter byggedatoen udgives ikke endnu."),
        **_SCOPE,
        "summary": _SUMMARY,
        "author": ("Forfatter", "Id'et på den betjent, der har skrevet nyheden."),
        "image": ("Billede", "Et billede i mappen media."),
        "image_alt": ("Alt-tekst til billede", "Alt-tekst til billedet: hvad det viser. Skal udfyldes, "
                                               "når der er et billede."),
        "draft": _DRAFT,
    },
    "event": {
        "title": ("Titel", "Titlen."),
        "kind": ("Type", "open-council-meeting (åbent lokalrådsmøde), citizen-meeting (borgermøde), "
                         "mobile-police-station (mobil politistation) eller other (andet)."),
        "start": ("Start", "Start: dato og klokkeslæt, fx 2026-12-03T19:00, eller kun en dato (2026-12-03) "
                           "for et heldagsarrangement."),
        "end": ("Slut", "Slut, skrevet på samme måde som start. Må ikke ligge før start."),
        "location": ("Sted", "Hvor: navn, adresse, postnummer og by."),
        **_SCOPE,
        "summary": _SUMMARY,
        "draft": _DRAFT,
    },
    "page": {
        "title": ("Titel", "Titlen."),
        "summary": _SUMMARY,
        "draft": _DRAFT,
    },
    "newsletter intro": {
        "title": ("Titel", "En titel på dette nummer (valgfri)."),
    },
}


def field_da(spec, field) -> tuple[str, str]:
    """(label, help) in Danish for a schema Field of a RecordSpec; falls back to the English doc."""
    return FIELDS_DA.get(spec.name, {}).get(field.name, (field.name, field.doc))


def record_da(spec) -> tuple[str, str]:
    return RECORDS_DA.get(spec.name, (spec.name, spec.name + "s"))
