"""Frozen content records, and the declaration of every field an editor writes.

Each record class names itself (`RECORD`: English, Danish one and several) and declares each of its
fields once, beside the attribute (`declare()`: the type with its rules, required or not, the
English doc, the Danish label and help). The validator, the field references (docs/felter.md,
docs/reference/fields.md) and the browser editor are derived from these (fieldtypes.spec_of);
where a file's fields differ from the stored ones (an image and its alt text, a scope, `from`), the
declaration says so and records.py folds them.

Every record remembers where it was written (`pos`) and where each of its fields was written
(`field_pos`), so that later phases (reference resolution, consent) can report errors at the
right line. Lists are tuples and mappings are read-only: nothing downstream can mutate content.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import ClassVar

from .errors import Position
from .fieldtypes import (
    SUMMARY_MAX,
    BaseUrl,
    Bool,
    Choice,
    Coordinates,
    Date,
    DateOrTime,
    Declared,
    Email,
    Export,
    Field,
    HttpsUrl,
    Id,
    ListOf,
    MarkdownText,
    MediaFile,
    PhoneNumber,
    Postcode,
    Record,
    RecordInfo,
    RecordList,
    Ref,
    RepoName,
    Text,
    Url,
    declare,
    declare_inline,
)
from .fieldtypes import Phone as Phone
from .hosts import HOSTS
from .media import MediaInfo as MediaInfo

_NO_POS: Mapping[str, Position] = MappingProxyType({})


def _pos_field() -> Position:
    return field(default=Position("?"), compare=False, repr=False)


def _field_pos_field() -> Mapping[str, Position]:
    return field(default_factory=lambda: _NO_POS, compare=False, repr=False)


@dataclass(frozen=True)
class Rendered:
    """Markdown rendered to sanitised HTML, with the media files and site links it refers to."""

    html: str
    text: str  # plain text, for summaries
    first_paragraph: str
    media: tuple[str, ...] = ()
    links: tuple[tuple[str, Position], ...] = ()


@dataclass(frozen=True)
class Image:
    path: str  # media/..., inside content/
    alt: str
    width: int | None = None
    height: int | None = None


# Shared declarations: the same field in several records.
ID_DOC = "The id: lowercase letters a-z, digits and hyphens; æ, ø, å written as ae, oe, aa."
_ID_DA = ("Id", "Id'et: små bogstaver a-z, tal og bindestreger; æ, ø og å skrives ae, oe og aa.")
_SUMMARY = ("One or two sentences; else the first paragraph is used.",
            ("Resumé", "En eller to sætninger. Uden resumé bruges første afsnit af teksten."))
_DRAFT = ("true: never published.", ("Kladde", "true: bliver aldrig udgivet."))
_COORDINATES = ("[latitude, longitude].", ("Koordinater", "[breddegrad, længdegrad], fx [55.7506, 11.9617]."))
_TITLE_DA = ("Titel", "Titlen.")


def _id(export: str | None = None) -> dict[str, Declared]:
    return declare(Id(), ID_DOC, _ID_DA, required=True, export=export)


def _photo(export: str | None = None) -> dict[str, Declared]:
    """A portrait and, after it in the file, its alt text (folded into one Image by records.py)."""
    return declare(MediaFile(), "A portrait in the media folder.", ("Foto", "Et portrætfoto i mappen media."),
                   export=export,
                   alt=Field("photo_alt", Text(), "Alt text for the photo; required when photo is set.", False,
                             "Alt-tekst til foto", "Alt-tekst til fotoet: hvad billedet viser. Skal udfyldes, "
                             "når der er et foto."))


@dataclass(frozen=True)
class NewsletterSettings:
    RECORD: ClassVar[RecordInfo] = RecordInfo("newsletter setting", ("Indstillinger for nyhedsbrevet",) * 2)

    period: str = field(default="month", metadata=declare(
        Choice(("month", "week")), "How often a newsletter issue is made: month (default) or week.",
        ("Periode", "Hvor tit der laves et nummer af nyhedsbrevet: month (måned, standard) eller week (uge).")))
    # `from:` in localities.yaml (a Python keyword); default nyhedsbrev@<site host>
    sender: str | None = field(default=None, metadata=declare(
        Email(ascii_only=True),
        "The sender address of newsletter e-mails (default nyhedsbrev@ and the site's host name); "
        "the display name is the site's title.",
        ("Afsender", "Afsenderadressen på nyhedsbrevets e-mails (standard nyhedsbrev@ og sitets domænenavn). "
                     "Afsendernavnet er sitets titel."), key="from"))
    reply_to: str | None = field(default=None, metadata=declare(
        Email(ascii_only=True), "Where replies to a newsletter go.",
        ("Svar til", "Hvor svar på nyhedsbrevet sendes hen.")))
    unsubscribe_email: str | None = field(default=None, metadata=declare(
        Email(ascii_only=True), "Where a reader writes to unsubscribe (List-Unsubscribe: mailto).",
        ("Afmeld via e-mail", "Hvor en læser skriver for at afmelde sig (List-Unsubscribe: mailto).")))
    unsubscribe_url: str | None = field(default=None, metadata=declare(
        HttpsUrl(), "An https address that unsubscribes with one click (List-Unsubscribe and List-Unsubscribe-Post, "
        "RFC 8058).", ("Afmeld via link", "En https-adresse, der afmelder med ét klik (List-Unsubscribe og "
                                          "List-Unsubscribe-Post, RFC 8058).")))
    # The only ways in that the pages offer: never the unsubscribe address (render/newsletters.py).
    subscribe_url: str | None = field(default=None, metadata=declare(
        HttpsUrl(), "The https sign-up form of the newsletter service that sends the newsletter; "
        "the newsletter pages link it.",
        ("Tilmelding via link", "En https-adresse til tilmeldingsformularen hos den nyhedsbrevstjeneste, der "
                                "sender nyhedsbrevet. Nyhedsbrevets sider linker til den.")))
    subscribe_email: str | None = field(default=None, metadata=declare(
        Email(), "Where a reader writes to sign up; the pages offer a prepared e-mail naming the area.",
        ("Tilmelding via e-mail", "Hvor en læser skriver for at tilmelde sig. Siderne tilbyder en færdig "
                                  "e-mail, der nævner området.")))


CMS_BACKENDS = ("github", "gitlab", "git-gateway")


@dataclass(frozen=True)
class CmsSettings:
    """`site.cms`: where the browser editor (Decap CMS, admin/) commits."""

    RECORD: ClassVar[RecordInfo] = RecordInfo(
        "cms setting", ("Indstillinger for browser-redigering",) * 2,
        "The browser editor: with these settings every build emits admin/ (Decap CMS).")

    backend: str = field(metadata=declare(
        Choice(CMS_BACKENDS), "Where the browser editor (admin/) saves: github, gitlab or git-gateway "
        "(Netlify Identity).", ("Git-tjeneste", "Hvor browser-redigeringen (admin/) gemmer: github, gitlab eller "
                                                "git-gateway (Netlify Identity)."), required=True))
    # required for github and gitlab (registry.py checks)
    repo: str | None = field(default=None, metadata=declare(
        RepoName(), "The repository, owner/name; required for github and gitlab.",
        ("Repository", "Repository'et som ejer/navn, fx nordsjaelland-politi/naerpoliti. "
                       "Skal udfyldes for github og gitlab.")))
    branch: str = field(default="main", metadata=declare(
        Text(), "The branch the editor commits to (default main).",
        ("Gren", "Den gren (branch), redigeringen gemmer på (standard main).")))
    base_url: str | None = field(default=None, metadata=declare(
        Url(), "The OAuth server that logs editors in (GitHub needs one outside Netlify).",
        ("Login-server", "Den OAuth-server, der logger redaktørerne ind (GitHub kræver en uden for Netlify), "
                         "fx https://auth.example.dk.")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Organisation:
    """`site.organisation`: the authority that runs the site, named on every page and e-mail."""

    RECORD: ClassVar[RecordInfo] = RecordInfo(
        "organisation", ("Organisation",) * 2,
        "The authority that runs the site: its name, web address and logo in every page's header and footer "
        "and in the newsletter e-mails.")

    name: str = field(metadata=declare(
        Text(), "The authority's name, e.g. Nordsjællands Politi.",
        ("Navn", "Myndighedens navn, fx Nordsjællands Politi."), required=True))
    url: str | None = field(default=None, metadata=declare(
        Url(), "The authority's own website.", ("Webside", "Myndighedens egen webside.")))
    # shown beside the name, which says what it is: decorative, so no alt text of its own
    logo: MediaInfo | None = field(default=None, metadata=declare(
        MediaFile(), "A logo in the media folder (png, jpg, webp, gif or avif), shown beside the name.",
        ("Logo", "Et logo i mappen media (png, jpg, webp, gif eller avif). Det vises ved siden af navnet.")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


_LANGUAGES = ("da", "en")
# The compliance status of the accessibility statement, as EN 301 549 and WAS-Tool name them.
ACCESSIBILITY_STATUSES = ("fully", "partially", "not")


@dataclass(frozen=True)
class SiteConfig:
    RECORD: ClassVar[RecordInfo] = RecordInfo("site setting", ("Indstillinger for sitet",) * 2,
                                              "The settings of the whole site.")

    title: str = field(metadata=declare(
        Text(), "The name of the site, shown in every page header.",
        ("Titel", "Sitets navn. Det står øverst på hver side."), required=True))
    base_url: str = field(metadata=declare(
        BaseUrl(), "The address the site is published at; it may be a sub-path (https://example.dk/naerpoliti/).",
        ("Adresse", "Den adresse, sitet udgives på. Den må gerne have en undermappe "
                    "(https://example.dk/naerpoliti/)."), required=True))
    language: str = field(default="da", metadata=declare(
        Choice(_LANGUAGES), "The language of the interface: da (default) or en.",
        ("Sprog", "Sproget i brugerfladen: da (standard) eller en.")))
    timezone: str = field(default="Europe/Copenhagen", metadata=declare(
        Text(), "The time zone of times written without an offset (default Europe/Copenhagen).",
        ("Tidszone", "Tidszonen for klokkeslæt, der er skrevet uden tidszone (standard Europe/Copenhagen).")))
    newsletter: NewsletterSettings = field(default_factory=NewsletterSettings, metadata=declare(
        Record(NewsletterSettings), "Newsletter settings: {period: month} or {period: week}.",
        ("Nyhedsbrev", "Indstillinger for nyhedsbrevet: {period: month} eller {period: week}.")))
    description: str | None = field(default=None, metadata=declare(
        Text(), "One sentence about the site, for search engines and the front page.",
        ("Beskrivelse", "Én sætning om sitet til søgemaskiner og forsiden.")))
    alternate_language: str | None = field(default=None, metadata=declare(
        Choice(_LANGUAGES), "Also publish the interface in this language, under /en/ (or /da/); content stays "
        "in the language it is written in.",
        ("Ekstra sprog", "Udgiv også brugerfladen på dette sprog under /en/ (eller /da/). "
                         "Indholdet bliver på det sprog, det er skrevet på.")))
    was_url: str | None = field(default=None, metadata=declare(
        Url(), "The accessibility statement (tilgængelighedserklæring) on WAS-Tool; without it the site "
        "publishes its own at /tilgaengelighedserklaering/. /was/ leads to it.",
        ("Tilgængelighedserklæring", "Adressen på tilgængelighedserklæringen i WAS-Tool. Uden den udgiver sitet "
                                     "sin egen på /tilgaengelighedserklaering/. /was/ fører til den.")))
    accessibility_contact: str | None = field(default=None, metadata=declare(
        Email(), "Where to report an accessibility problem; shown in the site's own accessibility statement.",
        ("Kontakt om tilgængelighed", "Hvor man kan melde et problem med tilgængeligheden. Vises i sitets egen "
                                      "tilgængelighedserklæring.")))
    accessibility_date: dt.date | None = field(default=None, metadata=declare(
        Date(), "When the accessibility statement was last reviewed (YYYY-MM-DD); without it the statement "
        "says it was made when the site was built.",
        ("Erklæringens dato", "Hvornår tilgængelighedserklæringen sidst blev gennemgået (ÅÅÅÅ-MM-DD). Uden den "
                              "står der, at erklæringen blev lavet, da sitet blev bygget.")))
    accessibility_status: str = field(default="partially", metadata=declare(
        Choice(ACCESSIBILITY_STATUSES), "How far the site meets EN 301 549 (WCAG 2.1 AA): fully, partially "
        "(default: nobody has audited the site by hand) or not.",
        ("Overholdelse", "Hvor godt sitet overholder EN 301 549 (WCAG 2.1 AA): fully (fuldt ud), partially "
                         "(delvist, standard: ingen har gennemgået sitet manuelt) eller not (ikke).")))
    accessibility_gaps: str | None = field(default=None, metadata=declare(
        Text(), "What is known not to be accessible; without it the statement names the built-in theme's gaps "
        "(attached files, no manual audit).",
        ("Kendte mangler", "Hvad man ved ikke er tilgængeligt. Uden den nævner erklæringen standardtemaets "
                           "mangler (vedhæftede filer, ingen manuel gennemgang).")))
    organisation: Organisation | None = field(default=None, metadata=declare(
        Record(Organisation), "The authority that runs the site: {name: ..., url: ..., logo: media/...}; "
        "shown in every page's header and footer and in the newsletter e-mails.",
        ("Organisation", "Myndigheden, der driver sitet: {name: ..., url: ..., logo: media/...}. Den står "
                         "øverst og nederst på hver side og i nyhedsbrevene.")))
    reply_time: str | None = field(default=None, metadata=declare(
        Text(), "When an officer usually answers, shown beside their phone and e-mail, e.g. \"Svarer normalt "
        "inden for 3 hverdage\"; an officer's own reply_time wins.",
        ("Svartid", "Hvornår en betjent normalt svarer. Står ved telefon og e-mail, fx \"Svarer normalt inden "
                    "for 3 hverdage\". En betjents egen reply_time går forud.")))
    cms: CmsSettings | None = field(default=None, metadata=declare(
        Record(CmsSettings), "The browser editor: {backend: github, repo: owner/name}; without it no admin/ "
        "is published.", ("Browser-redigering", "Redigering i browseren på /admin/: {backend: github, repo: "
                                                "ejer/navn}. Uden den udgives der ingen admin/.")))
    host: str = field(default="other", metadata=declare(
        Choice(tuple(HOSTS)), "Where the site is published: github-pages, gitlab-pages, cloudflare-pages, "
        "cloudflare-pages-free, netlify or other (default: no limits). A build reports the output's size, files "
        "and largest file against the host's published limits and warns when one is over.",
        ("Udgives på", "Hvor sitet udgives: github-pages, gitlab-pages, cloudflare-pages, cloudflare-pages-free "
                       "(Cloudflares gratis plan), netlify eller other (standard: ingen grænser). Når sitet "
                       "bygges, står der, hvor meget det fylder, hvor mange filer det har og den største fil, "
                       "målt mod værtens grænser, og du får en advarsel, hvis sitet er for stort.")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.language, self.alternate_language) if self.alternate_language else (self.language,)


@dataclass(frozen=True)
class District:
    RECORD: ClassVar[RecordInfo] = RecordInfo("district", ("Politikreds", "Politikredse"),
                                              "A police district (politikreds).", "One police district.")

    id: str = field(metadata=_id("The district's id, used in the other files."))
    name: str = field(metadata=declare(Text(), "The name, e.g. Nordsjællands Politi.",
                                       ("Navn", "Navnet, fx Nordsjællands Politi."), required=True,
                                       export="The district's name, e.g. Nordsjællands Politi."))
    url: str | None = field(default=None, metadata=declare(
        Url(), "The district's own web page.", ("Webside", "Politikredsens egen webside."),
        export=Export("The district's own website, when the site records one.", name="website")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Municipality:
    RECORD: ClassVar[RecordInfo] = RecordInfo("municipality", ("Kommune", "Kommuner"), "A municipality (kommune).",
                                              "One municipality.")

    id: str = field(metadata=_id("The municipality's id, used in the other files."))
    name: str = field(metadata=declare(Text(), "The name, e.g. Frederikssund Kommune.",
                                       ("Navn", "Navnet, fx Frederikssund Kommune."), required=True,
                                       export="The municipality's name, e.g. Frederikssund Kommune."))
    district: str = field(metadata=declare(
        Ref(kind="district"), "The id of the police district it belongs to.",
        ("Politikreds", "Id'et på den politikreds, kommunen hører til."), required=True,
        export="The id of its police district (see districts.json)."))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Station:
    RECORD: ClassVar[RecordInfo] = RecordInfo(
        "station", ("Politistation", "Politistationer"),
        "A police station, local station (nærpolitistation) or mobile police station.", "One station.")

    id: str = field(metadata=_id("The station's id, used in officers.json."))
    name: str = field(metadata=declare(Text(), "The name, e.g. Frederikssund Politistation.",
                                       ("Navn", "Navnet, fx Frederikssund Politistation."), required=True,
                                       export="The station's name."))
    address: str | None = field(default=None, metadata=declare(
        Text(), "Street address with postcode and town.", ("Adresse", "Gade og nummer med postnummer og by."),
        export="Its address (for a mobile station: where it goes), when recorded."))
    opening_hours: str | None = field(default=None, metadata=declare(
        Text(), "Opening hours as free text, e.g. \"Man-tor 10-14\".",
        ("Åbningstider", "Åbningstider som fri tekst, fx \"Man-tor 10-14\"."),
        export="Its opening hours as free text, when recorded."))
    opening_hours_en: str | None = field(default=None, metadata=declare(
        Text(), "The opening hours in English, for the English pages, e.g. \"Mon-Thu 10-14\".",
        ("Åbningstider på engelsk", "Åbningstiderne på engelsk til de engelske sider, fx \"Mon-Thu 10-14\".")))
    phone: Phone | None = field(default=None, metadata=declare(
        PhoneNumber(), "The station's phone number, if it has its own.",
        ("Telefon", "Stationens telefonnummer, hvis den har sit eget."), export="Its phone number, when recorded."))
    coordinates: tuple[float, float] | None = field(default=None, metadata=declare(
        Coordinates(), *_COORDINATES, export="Where it is, when recorded."))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Officer:
    """A contact officer: a public employee, published in an official role."""

    RECORD: ClassVar[RecordInfo] = RecordInfo("officer", ("Betjent", "Betjente"),
                                              "A contact officer, published in the official role.",
                                              "One officer, in their official role.")

    id: str = field(metadata=_id("The officer's id, used in localities.json and news.json."))
    name: str = field(metadata=declare(Text(), "Full name.", ("Navn", "Fulde navn."), required=True,
                                       export="The officer's name."))
    title: str = field(metadata=declare(
        Text(), "Official title: Områdebetjent, Netværksbetjent, Lokalbetjent ...",
        ("Titel", "Officiel titel, fx Områdebetjent, Netværksbetjent eller Lokalbetjent."), required=True,
        export="The officer's title, e.g. Områdebetjent."))
    phone: Phone | None = field(default=None, metadata=declare(
        PhoneNumber(), "Official phone number.", ("Telefon", "Officielt telefonnummer."),
        export="The official phone number, when recorded."))
    email: str | None = field(default=None, metadata=declare(
        Email(), "Official e-mail address.", ("E-mail", "Officiel e-mailadresse."),
        export="The official e-mail address, when recorded."))
    station: str | None = field(default=None, metadata=declare(
        Ref(kind="station"), "The id of the station the officer works from.",
        ("Station", "Id'et på den station, betjenten arbejder fra."),
        export="The id of the officer's station (see stations.json), when recorded."))
    verified: dt.date | None = field(default=None, metadata=declare(
        Date(), "When the contact details were last checked (YYYY-MM-DD).",
        ("Kontrolleret", "Hvornår kontaktoplysningerne sidst blev kontrolleret (ÅÅÅÅ-MM-DD, fx 2026-11-20)."),
        export="When the contact details were last checked (YYYY-MM-DD), when recorded: how fresh the data is."))
    photo: Image | None = field(default=None, metadata=_photo())  # not in the open data
    reply_time: str | None = field(default=None, metadata=declare(
        Text(), "When this officer usually answers, if not as site.reply_time says.",
        ("Svartid", "Hvornår betjenten normalt svarer, hvis det ikke er som i site.reply_time.")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Council:
    RECORD: ClassVar[RecordInfo] = RecordInfo(
        "council", ("Lokalråd eller samarbejdspartner", "Lokalråd og samarbejdspartnere"),
        export="A local council, residents' association or other local partner: an organisation, not a person.")

    name: str = field(metadata=declare(Text(), "The name, e.g. Skibby Lokalråd.",
                                       ("Navn", "Navnet, fx Skibby Lokalråd."), required=True,
                                       export="The council's name."))
    url: str | None = field(default=None, metadata=declare(Url(), "Its web page.", ("Webside", "Dens webside."),
                                                           export="The council's website, when recorded."))
    email: str | None = field(default=None, metadata=declare(
        Email(), "Its public e-mail address.", ("E-mail", "Dens offentlige e-mailadresse."),
        export="The council's e-mail address, when recorded."))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


PRIORITY_STATUSES = ("active", "done")


@dataclass(frozen=True)
class PriorityUpdate:
    RECORD: ClassVar[RecordInfo] = RecordInfo("priority update", ("Opdatering", "Opdateringer"),
                                              export="What was done about a priority, and when.")

    date: dt.date = field(metadata=declare(
        Date(), "When it was done (YYYY-MM-DD).", ("Dato", "Hvornår det blev gjort (ÅÅÅÅ-MM-DD)."), required=True,
        export="When it was done (YYYY-MM-DD)."))
    text: Rendered = field(metadata=declare(
        MarkdownText(), "What was done, e.g. Nabohjælp-møde med 40 deltagere (Markdown).",
        ("Tekst", "Hvad der blev gjort, fx Nabohjælp-møde med 40 deltagere (Markdown)."), required=True,
        export=Export("What was done, as HTML with absolute links.", name="text_html")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Priority:
    RECORD: ClassVar[RecordInfo] = RecordInfo("priority", ("Indsatsområde", "Indsatsområder"),
                                              export="A problem the police and the locality agreed to work on.")

    issue: str = field(metadata=declare(Text(), "The problem, e.g. Indbrud i villakvarterer.",
                                        ("Problem", "Problemet, fx Indbrud i villakvarterer."), required=True,
                                        export="The problem, e.g. burglaries in residential areas."))
    action: str | None = field(default=None, metadata=declare(
        Text(), "What the police and the locality do about it.",
        ("Indsats", "Hvad politiet og lokalsamfundet gør ved det."),
        export="What is being done about it, when recorded."))
    since: dt.date | None = field(default=None, metadata=declare(
        Date(), "Since when (YYYY-MM-DD).", ("Siden", "Siden hvornår (ÅÅÅÅ-MM-DD)."),
        export="Since when it has been a priority (YYYY-MM-DD), when recorded."))
    status: str = field(default="active", metadata=declare(
        Choice(PRIORITY_STATUSES), "active (default): still worked on; done: finished.",
        ("Status", "Enten active (standard): der arbejdes stadig med det, eller done: afsluttet."),
        export=Export("active: still worked on; done: finished.", always=True)))
    updates: tuple[PriorityUpdate, ...] = field(default=(), metadata=declare(
        RecordList(PriorityUpdate), "What was done and when: date, text. Shown newest first; an update dated "
        "after the build date is not published yet.",
        ("Opdateringer", "Hvad der er gjort og hvornår: date, text. Vises med den nyeste først. En opdatering "
                         "med en dato efter byggedatoen udgives ikke endnu."),
        export=Export("What was done and when, newest first: the updates dated up to the build date; may be empty.",
                      always=True)))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()

    def updates_until(self, day: dt.date) -> tuple[PriorityUpdate, ...]:
        """The updates published by a day, newest first (of one day, the last written first)."""
        return tuple(sorted((u for u in reversed(self.updates) if u.date <= day),
                            key=lambda u: u.date, reverse=True))


@dataclass(frozen=True)
class Locality:
    RECORD: ClassVar[RecordInfo] = RecordInfo("locality", ("Lokalsamfund", "Lokalsamfund"),
                                              "A locality (lokalsamfund).", "One locality.")

    id: str = field(metadata=_id("The locality's id, used in the other files."))
    name: str = field(metadata=declare(Text(), "The name, e.g. Skibby.", ("Navn", "Navnet, fx Skibby."),
                                       required=True, export="The locality's name, e.g. Skibby."))
    municipality: str = field(metadata=declare(
        Ref(kind="municipality"), "The id of its municipality.",
        ("Kommune", "Id'et på lokalsamfundets kommune."), required=True,
        export="The id of its municipality (see municipalities.json)."))
    postcodes: tuple[str, ...] = field(metadata=declare(
        ListOf(item=Postcode(), allow_single=True), "Its postcodes, four digits each in quotes: [\"4050\"]. "
        "A postcode may belong to several localities.",
        ("Postnumre", "Lokalsamfundets postnumre, fire cifre i anførselstegn: [\"4050\"]. "
                      "Et postnummer kan høre til flere lokalsamfund."), required=True,
        export="Its postcodes, four digits each. A postcode may belong to several localities."))
    officer: str = field(metadata=declare(
        Ref(kind="officer"), "The id of its contact officer.",
        ("Betjent", "Id'et på lokalsamfundets kontaktbetjent."), required=True,
        export="The id of its contact officer (see officers.json)."))
    # searched by the officer search and the full-text search, shown on the locality's page
    places: tuple[str, ...] = field(default=(), metadata=declare(
        ListOf(item=Text(), unique=True), "Villages, neighbourhoods, estates and postal towns inside the "
        "locality, by which people look for it: [Mogenstrup, Hammer]. A place may be named in several "
        "localities.",
        ("Steder", "Landsbyer, bydele, boligområder og postbyer i lokalsamfundet, som borgerne søger efter det "
                   "med: [Mogenstrup, Hammer]. Et sted må gerne stå i flere lokalsamfund."),
        export="Villages, neighbourhoods, estates and postal towns in the locality, by which people know it, in "
               "the site's order, when recorded. A place may be named in several localities."))
    coordinates: tuple[float, float] | None = field(default=None, metadata=declare(
        Coordinates(), *_COORDINATES, export="Where the locality is, when recorded."))
    description: Rendered | None = field(default=None, metadata=declare(
        MarkdownText(), "A short text about the locality (Markdown).",
        ("Beskrivelse", "En kort tekst om lokalsamfundet (Markdown)."),
        export=Export("A short text about the locality, as HTML with absolute links, when there is one.",
                      name="description_html")))
    councils: tuple[Council, ...] = field(default=(), metadata=declare(
        RecordList(Council), "Local councils and partners: name, url, email.",
        ("Lokalråd", "Lokalråd og samarbejdspartnere: name, url, email."),
        export=Export("Its local councils and partners, in the site's order; may be empty.", always=True)))
    priorities: tuple[Priority, ...] = field(default=(), metadata=declare(
        RecordList(Priority), "What the police and the locality work on: issue, action, since, status, updates.",
        ("Indsatsområder", "Hvad politiet og lokalsamfundet arbejder med: issue, action, since, status, updates."),
        export=Export("What the police and the locality agreed to work on, in the site's order; may be empty.",
                      always=True)))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


# Fields of an ambassador that a consent may name. photo_alt goes with photo.
CONSENT_FIELDS = ("name", "role", "phone", "email", "photo")


@dataclass(frozen=True)
class Consent:
    RECORD: ClassVar[RecordInfo] = RecordInfo(
        "consent", ("Samtykke", "Samtykker"),
        "The recorded consent from the signed partnership agreement (partnerskabsaftale).")

    given: dt.date = field(metadata=declare(
        Date(), "The date the partnership agreement was signed. Without it nothing is published.",
        ("Givet", "Datoen, partnerskabsaftalen blev underskrevet. Uden den udgives intet."), required=True))
    fields: tuple[str, ...] = field(metadata=declare(
        ListOf(item=Choice(CONSENT_FIELDS)), "Exactly the fields that may be published; must include name for "
        "anything to be published.", ("Felter", "Præcis de felter, der må udgives. name skal være med, for at "
                                                "noget som helst bliver udgivet."), required=True))
    expires: dt.date | None = field(default=None, metadata=declare(
        Date(), "The date the consent ends, if it does.", ("Udløber", "Datoen, samtykket ophører, hvis det gør.")))
    withdrawn: dt.date | None = field(default=None, metadata=declare(
        Date(), "The date the person withdrew consent.",
        ("Trukket tilbage", "Datoen, personen trak sit samtykke tilbage.")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Ambassador:
    """A volunteer as recorded by the coordinator. Private: only consent.py may read it."""

    RECORD: ClassVar[RecordInfo] = RecordInfo("ambassador", ("Tryghedsambassadør", "Tryghedsambassadører"),
                                              "A volunteer safety ambassador (tryghedsambassadør).",
                                              "One ambassador: only the fields their consent lists. A field "
                                              "without consent is absent, never empty. There is deliberately no id.")

    # Exported: exactly the fields a consent may name (CONSENT_FIELDS), and only as far as it does
    # (consent.py); never the id or the consent.
    id: str = field(metadata=_id())
    locality: str  # the file's name: content/ambassadors/<locality>.yaml
    name: str = field(metadata=declare(Text(), "Full name.", ("Navn", "Fulde navn."), required=True,
                                       export="The ambassador's name (published only with consent to it)."))
    role: str | None = field(default=None, metadata=declare(
        Text(), "Role in the locality, e.g. Formand for Skibby Borgerforening.",
        ("Rolle", "Rolle i lokalsamfundet, fx Formand for Skibby Borgerforening."),
        export="Their role in the locality, e.g. chair of the residents' association; present only with consent."))
    phone: Phone | None = field(default=None, metadata=declare(
        PhoneNumber(), "Phone number.", ("Telefon", "Telefonnummer."),
        export="Their phone number; present only with consent."))
    email: str | None = field(default=None, metadata=declare(Email(), "E-mail address.", ("E-mail", "E-mailadresse."),
                                                             export="Their e-mail address; present only with consent."))
    photo: Image | None = field(default=None, metadata=_photo("Their portrait; present only with consent."))
    consent: Consent | None = field(default=None, metadata=declare(
        Record(Consent), Consent.RECORD.doc, ("Samtykke", "Samtykket fra den underskrevne partnerskabsaftale.")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Scope:
    """The areas a news item or an event concerns, written as four fields of its own."""

    localities: tuple[str, ...] = field(default=(), metadata=declare(
        ListOf(item=Ref(kind="locality"), allow_single=True), "Ids of the localities it concerns.",
        ("Lokalsamfund", "Id'er på de lokalsamfund, det handler om.")))
    municipalities: tuple[str, ...] = field(default=(), metadata=declare(
        ListOf(item=Ref(kind="municipality"), allow_single=True),
        "Ids of the municipalities it concerns (all their localities).",
        ("Kommuner", "Id'er på de kommuner, det handler om (alle deres lokalsamfund).")))
    districts: tuple[str, ...] = field(default=(), metadata=declare(
        ListOf(item=Ref(kind="district"), allow_single=True),
        "Ids of the districts it concerns (all their localities).",
        ("Politikredse", "Id'er på de politikredse, det handler om (alle deres lokalsamfund).")))
    national: bool = field(default=False, metadata=declare(
        Bool(), "true: it concerns the whole site.", ("Hele sitet", "true: det handler om hele sitet.")))

    @property
    def empty(self) -> bool:
        return not (self.localities or self.municipalities or self.districts or self.national)


@dataclass(frozen=True)
class NewsItem:
    RECORD: ClassVar[RecordInfo] = RecordInfo("news item", ("Nyhed", "Nyheder"),
                                              "A news item: content/news/<date>-<name>.md", "One news item.")

    slug: str
    source: str  # path relative to the root
    title: str = field(metadata=declare(Text(), "The headline.", ("Titel", "Overskriften."), required=True,
                                        export="The item's title."))
    date: dt.date = field(metadata=declare(
        DateOrTime(day_only_form=True), "Publication date (YYYY-MM-DD) or date and time; an item dated after "
        "the build date is not published yet.",
        ("Dato", "Udgivelsesdato (ÅÅÅÅ-MM-DD) eller dato og klokkeslæt. En nyhed med en dato efter "
                 "byggedatoen udgives ikke endnu."), required=True,
        export=Export("The date it was published (YYYY-MM-DD).", type=Date())))
    datetime: dt.datetime | None  # aware, when the front matter gave a time
    scope: Scope = field(metadata=declare_inline(Scope))
    body: Rendered
    summary: str = field(metadata=declare(Text(max_length=SUMMARY_MAX), *_SUMMARY))  # else the body's first paragraph
    author: str | None = field(default=None, metadata=declare(
        Ref(kind="officer"), "The id of the officer who wrote it.",
        ("Forfatter", "Id'et på den betjent, der har skrevet nyheden."),
        export="The id of the officer who wrote it (see officers.json), when recorded."))
    image: Image | None = field(default=None, metadata=declare(
        MediaFile(), "An image in the media folder.", ("Billede", "Et billede i mappen media."),
        export="Its lead image, when there is one.",
        alt=Field("image_alt", Text(), "Alt text for the image; required when image is set.", False,
                  "Alt-tekst til billede", "Alt-tekst til billedet: hvad det viser. Skal udfyldes, når der er "
                  "et billede.")))
    draft: bool = field(default=False, metadata=declare(Bool(), *_DRAFT))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


# The interface names them (translated) in the templates.
EVENT_KINDS = ("open-council-meeting", "citizen-meeting", "mobile-police-station", "other")
# Words an editor may write for a kind (slugified) -> the kind
EVENT_KIND_ALIASES = {
    "aabent-lokalraadsmoede": "open-council-meeting", "lokalraadsmoede": "open-council-meeting",
    "aabent-moede": "open-council-meeting", "borgermoede": "citizen-meeting", "moede": "citizen-meeting",
    "mobil-politistation": "mobile-police-station", "den-mobile-politistation": "mobile-police-station",
    "mobile-politistation": "mobile-police-station", "andet": "other", "arrangement": "other",
}


@dataclass(frozen=True)
class Event:
    RECORD: ClassVar[RecordInfo] = RecordInfo("event", ("Arrangement", "Arrangementer"),
                                              "An event: content/events/<date>-<name>.md", "One event.")

    slug: str
    source: str
    title: str = field(metadata=declare(Text(), "The title.", _TITLE_DA, required=True,
                                        export="The event's title."))
    kind: str = field(metadata=declare(
        Choice(EVENT_KINDS, aliases=EVENT_KIND_ALIASES), "open-council-meeting, citizen-meeting, "
        "mobile-police-station or other.",
        ("Type", "open-council-meeting (åbent lokalrådsmøde), citizen-meeting (borgermøde), "
                 "mobile-police-station (mobil politistation) eller other (andet)."), required=True,
        export="What kind of event it is."))
    start: dt.datetime = field(metadata=declare(  # aware; midnight for all-day events
        DateOrTime(), "Start: YYYY-MM-DDTHH:MM, or YYYY-MM-DD for an all-day event.",
        ("Start", "Start: dato og klokkeslæt, fx 2026-12-03T19:00, eller kun en dato (2026-12-03) "
                  "for et heldagsarrangement."), required=True,
        export="When it starts: a date for an all-day event, else a date and time with offset."))
    end: dt.datetime | None = field(metadata=declare(
        DateOrTime(), "End, same form as start; must not be before start.",
        ("Slut", "Slut, skrevet på samme måde som start. Må ikke ligge før start."),
        export="When it ends, when recorded: for an all-day event its last day (inclusive), else a date and "
               "time with offset."))
    all_day: bool
    location: str = field(metadata=declare(
        Text(), "Where: name, address, postcode and town.", ("Sted", "Hvor: navn, adresse, postnummer og by."),
        required=True, export="Where it takes place, as free text."))
    scope: Scope = field(metadata=declare_inline(Scope))
    body: Rendered
    summary: str = field(metadata=declare(Text(max_length=SUMMARY_MAX), *_SUMMARY))
    draft: bool = field(default=False, metadata=declare(Bool(), *_DRAFT))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()

    @property
    def last_day(self) -> dt.date:
        return (self.end or self.start).date()


@dataclass(frozen=True)
class Page:
    RECORD: ClassVar[RecordInfo] = RecordInfo("page", ("Side", "Sider"),
                                              "A free page: content/pages/<name>.md, published at /<name>/")

    slug: str
    source: str
    title: str = field(metadata=declare(Text(), "The title.", _TITLE_DA, required=True))
    body: Rendered
    summary: str = field(metadata=declare(Text(max_length=SUMMARY_MAX), *_SUMMARY))
    draft: bool = field(default=False, metadata=declare(Bool(), *_DRAFT))
    title_en: str | None = field(default=None, metadata=declare(
        Text(), "The title in English, for the English pages' menus and links (the text stays as written).",
        ("Titel på engelsk", "Titlen på engelsk til de engelske siders menuer og links (teksten forbliver, "
                             "som den er skrevet).")))
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class NewsletterIntro:
    RECORD: ClassVar[RecordInfo] = RecordInfo(
        "newsletter intro", ("Indledning til nyhedsbrev", "Indledninger til nyhedsbreve"),
        "An editorial intro for one newsletter issue: content/newsletters/<area>/<YYYY-MM>.md, where <area> "
        "is a locality id or a municipality id (when both have the id, the locality's).")

    area: str  # a locality or municipality id
    period: str  # YYYY-MM or YYYY-Www
    source: str
    title: str | None = field(metadata=declare(Text(), "A title for the issue (optional).",
                                                  ("Titel", "En titel på dette nummer (valgfri).")))
    body: Rendered
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Content:
    """Everything typed from one site root, before references are resolved."""

    config: SiteConfig
    districts: tuple[District, ...]
    municipalities: tuple[Municipality, ...]
    stations: tuple[Station, ...]
    officers: tuple[Officer, ...]
    localities: tuple[Locality, ...]
    ambassadors: tuple[Ambassador, ...]
    news: tuple[NewsItem, ...]
    events: tuple[Event, ...]
    pages: tuple[Page, ...]
    newsletter_intros: tuple[NewsletterIntro, ...]
    # ids of records that had errors, by kind ("localities"): references to them are not
    # reported again as unknown
    invalid_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
