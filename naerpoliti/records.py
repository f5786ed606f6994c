"""The record kinds of the content format, declared once as data: the validator, the field
references and the browser editor read them."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

from . import model
from .fieldtypes import (Bool, Choice, Coordinates, Ctx, Date, DateOrTime, Email, Field, Id, ListOf, MarkdownText,
                         MediaFile, PhoneNumber, Postcode, Record, RecordList, RecordSpec, Ref, RepoName, Text, Url)

def _image(values: dict, ctx: Ctx, path_field: str, alt_field: str) -> bool:
    """Folds an image path and its alt text into one Image value; False after an error."""
    path = values.pop(path_field, None)
    alt = values.pop(alt_field, None)
    if path is None:
        if alt is not None:
            values["field_pos"].pop(alt_field, None)
        return True
    if alt is None:
        ctx.diags.error(values["field_pos"][path_field],
                        f"{path_field}: the image has no alt text: add '{alt_field}: ' with a short "
                        "description of what the image shows")
        return False
    values[path_field] = model.Image(path.path, alt, path.width, path.height)
    return True


def _make(cls, values: dict) -> Any:
    values = dict(values)
    values["field_pos"] = MappingProxyType(values["field_pos"])
    return cls(**values)


ID_DOC = "The id: lowercase letters a-z, digits and hyphens; æ, ø, å written as ae, oe, aa."

NEWSLETTER = RecordSpec("newsletter setting", model.NewsletterSettings, (
    Field("period", Choice(("month", "week")), "How often a newsletter issue is made: month (default) or week."),
    Field("from", Email(), "The sender address of newsletter e-mails (default nyhedsbrev@ and the "
          "site's host name); the display name is the site's title."),
    Field("reply_to", Email(), "Where replies to a newsletter go."),
    Field("unsubscribe_email", Email(), "Where a reader writes to unsubscribe (List-Unsubscribe: mailto)."),
    Field("unsubscribe_url", Url(), "An https address that unsubscribes with one click "
          "(List-Unsubscribe and List-Unsubscribe-Post, RFC 8058)."),
))

CMS_BACKENDS = ("github", "gitlab", "git-gateway")

CMS = RecordSpec("cms setting", model.CmsSettings, (
    Field("backend", Choice(CMS_BACKENDS), "Where the browser editor (admin/) saves: github, gitlab or "
          "git-gateway (Netlify Identity).", True),
    Field("repo", RepoName(), "The repository, owner/name; required for github and gitlab."),
    Field("branch", Text(), "The branch the editor commits to (default main)."),
    Field("base_url", Url(), "The OAuth server that logs editors in (GitHub needs one outside Netlify)."),
), doc="The browser editor: with these settings every build emits admin/ (Decap CMS).")

SITE = RecordSpec("site setting", model.SiteConfig, (
    Field("title", Text(), "The name of the site, shown in every page header.", True),
    Field("base_url", Url(), "The address the site is published at; it may be a sub-path "
          "(https://example.dk/naerpoliti/).", True),
    Field("language", Choice(("da", "en")), "The language of the interface: da (default) or en."),
    Field("timezone", Text(), "The time zone of times written without an offset "
          "(default Europe/Copenhagen)."),
    Field("newsletter", Record(spec=NEWSLETTER), "Newsletter settings: {period: month} or {period: week}."),
    Field("description", Text(), "One sentence about the site, for search engines and the front page."),
    Field("alternate_language", Choice(("da", "en")), "Also publish the interface in this language, "
          "under /en/ (or /da/); content stays in the language it is written in."),
    Field("was_url", Url(), "The accessibility statement (tilgængelighedserklæring) on WAS-Tool; "
          "without it the site publishes its own at /tilgaengelighedserklaering/. /was/ leads to it."),
    Field("accessibility_contact", Email(), "Where to report an accessibility problem; shown in the "
          "site's own accessibility statement."),
    Field("cms", Record(spec=CMS), "The browser editor: {backend: github, repo: owner/name}; "
          "without it no admin/ is published."),
), doc="The settings of the whole site.")

DISTRICT = RecordSpec("district", model.District, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Nordsjællands Politi.", True),
    Field("url", Url(), "The district's own web page."),
), doc="A police district (politikreds).")

MUNICIPALITY = RecordSpec("municipality", model.Municipality, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Frederikssund Kommune.", True),
    Field("district", Ref(kind="district"), "The id of the police district it belongs to.", True),
), doc="A municipality (kommune).")

STATION = RecordSpec("station", model.Station, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Frederikssund Politistation.", True),
    Field("address", Text(), "Street address with postcode and town."),
    Field("opening_hours", Text(), "Opening hours as free text, e.g. \"Man-tor 10-14\"."),
    Field("phone", PhoneNumber(), "The station's phone number, if it has its own."),
    Field("coordinates", Coordinates(), "[latitude, longitude]."),
), doc="A police station, local station (nærpolitistation) or mobile police station.")

OFFICER = RecordSpec("officer", model.Officer, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "Full name.", True),
    Field("title", Text(), "Official title: Områdebetjent, Netværksbetjent, Lokalbetjent ...", True),
    Field("phone", PhoneNumber(), "Official phone number."),
    Field("email", Email(), "Official e-mail address."),
    Field("station", Ref(kind="station"), "The id of the station the officer works from."),
    Field("verified", Date(), "When the contact details were last checked (YYYY-MM-DD)."),
    Field("photo", MediaFile(), "A portrait in the media folder."),
    Field("photo_alt", Text(), "Alt text for the photo; required when photo is set."),
), doc="A contact officer, published in the official role.",
    build=lambda v, ctx: _make(model.Officer, v) if _image(v, ctx, "photo", "photo_alt") else None)

COUNCIL = RecordSpec("council", model.Council, (
    Field("name", Text(), "The name, e.g. Skibby Lokalråd.", True),
    Field("url", Url(), "Its web page."),
    Field("email", Email(), "Its public e-mail address."),
))

PRIORITY = RecordSpec("priority", model.Priority, (
    Field("issue", Text(), "The problem, e.g. Indbrud i villakvarterer.", True),
    Field("action", Text(), "What the police and the locality do about it."),
    Field("since", Date(), "Since when (YYYY-MM-DD)."),
))

LOCALITY = RecordSpec("locality", model.Locality, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Skibby.", True),
    Field("municipality", Ref(kind="municipality"), "The id of its municipality.", True),
    Field("postcodes", ListOf(item=Postcode(), allow_single=True), "Its postcodes, four digits each "
          "in quotes: [\"4050\"]. A postcode may belong to several localities.", True),
    Field("officer", Ref(kind="officer"), "The id of its contact officer.", True),
    Field("coordinates", Coordinates(), "[latitude, longitude]."),
    Field("description", MarkdownText(), "A short text about the locality (Markdown)."),
    Field("councils", RecordList(spec=COUNCIL), "Local councils and partners: name, url, email."),
    Field("priorities", RecordList(spec=PRIORITY), "What the police and the locality work on: issue, action, since."),
), doc="A locality (lokalsamfund).",
    build=lambda v, ctx: _make(model.Locality, {
        **v,
        "councils": tuple(_make(model.Council, c) for c in v.get("councils", ())),
        "priorities": tuple(_make(model.Priority, p) for p in v.get("priorities", ())),
    }))

LOCALITIES_FILE = RecordSpec("localities.yaml", None, (
    Field("site", Record(spec=SITE), SITE.doc, True),
    Field("districts", RecordList(spec=DISTRICT), DISTRICT.doc, True),
    Field("municipalities", RecordList(spec=MUNICIPALITY), MUNICIPALITY.doc, True),
    Field("stations", RecordList(spec=STATION), STATION.doc),
    Field("officers", RecordList(spec=OFFICER), OFFICER.doc, True),
    Field("localities", RecordList(spec=LOCALITY), LOCALITY.doc, True),
))

# Fields of an ambassador that a consent may name. photo_alt goes with photo.
CONSENT_FIELDS = ("name", "role", "phone", "email", "photo")

CONSENT = RecordSpec("consent", model.Consent, (
    Field("given", Date(), "The date the partnership agreement was signed. Without it nothing is published.", True),
    Field("fields", ListOf(item=Choice(CONSENT_FIELDS)), "Exactly the fields that may be published; "
          "must include name for anything to be published.", True),
    Field("expires", Date(), "The date the consent ends, if it does."),
    Field("withdrawn", Date(), "The date the person withdrew consent."),
), doc="The recorded consent from the signed partnership agreement (partnerskabsaftale).")

AMBASSADOR = RecordSpec("ambassador", model.Ambassador, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "Full name.", True),
    Field("role", Text(), "Role in the locality, e.g. Formand for Skibby Borgerforening."),
    Field("phone", PhoneNumber(), "Phone number."),
    Field("email", Email(), "E-mail address."),
    Field("photo", MediaFile(), "A portrait in the media folder."),
    Field("photo_alt", Text(), "Alt text for the photo; required when photo is set."),
    Field("consent", Record(spec=CONSENT), CONSENT.doc),
), doc="A volunteer safety ambassador (tryghedsambassadør).")

SCOPE_FIELDS = (
    Field("localities", ListOf(item=Ref(kind="locality"), allow_single=True), "Ids of the localities it concerns."),
    Field("municipalities", ListOf(item=Ref(kind="municipality"), allow_single=True), "Ids of the municipalities it concerns (all their localities)."),
    Field("districts", ListOf(item=Ref(kind="district"), allow_single=True), "Ids of the districts it concerns (all their localities)."),
    Field("national", Bool(), "true: it concerns the whole site."),
)

NEWS = RecordSpec("news item", model.NewsItem, (
    Field("title", Text(), "The headline.", True),
    Field("date", DateOrTime(), "Publication date (YYYY-MM-DD) or date and time; "
          "an item dated after the build date is not published yet.", True),
    *SCOPE_FIELDS,
    Field("summary", Text(), "One or two sentences; else the first paragraph is used."),
    Field("author", Ref(kind="officer"), "The id of the officer who wrote it."),
    Field("image", MediaFile(), "An image in the media folder."),
    Field("image_alt", Text(), "Alt text for the image; required when image is set."),
    Field("draft", Bool(), "true: never published."),
), doc="A news item: content/news/<date>-<name>.md")

EVENT_KIND_ALIASES = {
    "aabent-lokalraadsmoede": "open-council-meeting", "lokalraadsmoede": "open-council-meeting",
    "aabent-moede": "open-council-meeting", "borgermoede": "citizen-meeting", "moede": "citizen-meeting",
    "mobil-politistation": "mobile-police-station", "den-mobile-politistation": "mobile-police-station",
    "mobile-politistation": "mobile-police-station", "andet": "other", "arrangement": "other",
}

EVENT = RecordSpec("event", model.Event, (
    Field("title", Text(), "The title.", True),
    Field("kind", Choice(model.EVENT_KINDS, aliases=EVENT_KIND_ALIASES), "open-council-meeting, citizen-meeting, "
          "mobile-police-station or other.", True),
    Field("start", DateOrTime(), "Start: YYYY-MM-DDTHH:MM, or YYYY-MM-DD for an all-day event.", True),
    Field("end", DateOrTime(), "End, same form as start; must not be before start."),
    Field("location", Text(), "Where: name, address, postcode and town.", True),
    *SCOPE_FIELDS,
    Field("summary", Text(), "One or two sentences; else the first paragraph is used."),
    Field("draft", Bool(), "true: never published."),
), doc="An event: content/events/<date>-<name>.md")

PAGE = RecordSpec("page", model.Page, (
    Field("title", Text(), "The title.", True),
    Field("summary", Text(), "One or two sentences; else the first paragraph is used."),
    Field("draft", Bool(), "true: never published."),
), doc="A free page: content/pages/<name>.md, published at /<name>/")

NEWSLETTER_INTRO = RecordSpec("newsletter intro", model.NewsletterIntro, (
    Field("title", Text(), "A title for the issue (optional)."),
), doc="An editorial intro for one newsletter issue: content/newsletters/<area>/<YYYY-MM>.md, where "
    "<area> is a locality id or a municipality id (when both have the id, the locality's).")



def _scope(values: dict) -> model.Scope:
    return model.Scope(
        localities=values.pop("localities", ()),
        municipalities=values.pop("municipalities", ()),
        districts=values.pop("districts", ()),
        national=values.pop("national", False),
    )

