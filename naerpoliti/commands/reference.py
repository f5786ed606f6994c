"""The field references, generated from the same specs the validator uses, so the documentation
cannot drift from the code: docs/felter.md for editors (in Danish) and docs/reference/fields.md for
developers of sites and themes (in English, plus the limits and reserved names the loader
enforces). Each field's words come from its declaration in model.py, each type's from its class
in fieldtypes.py."""
from __future__ import annotations

from .. import load, media, schema, urls
from ..fieldtypes import FieldType, RecordSpec
from ..records import ORGANISATION, PRIORITY_UPDATE
from ..render import images

# (anchor, YAML path shown to the editor, spec); the anchor lets other pages link to a table.
_Table = tuple[str, str, RecordSpec]


def _registry() -> list[_Table]:
    registry: list[_Table] = [
        ("localities-yaml", "localities.yaml", schema.LOCALITIES_FILE),
        ("site", "site", schema.SITE),
        ("site-newsletter", "site.newsletter", schema.NEWSLETTER),
        ("site-organisation", "site.organisation", ORGANISATION),
        ("site-cms", "site.cms", schema.CMS),
        ("districts", "districts", schema.DISTRICT), ("municipalities", "municipalities", schema.MUNICIPALITY),
        ("stations", "stations", schema.STATION), ("officers", "officers", schema.OFFICER),
        ("localities", "localities", schema.LOCALITY), ("councils", "localities: councils", schema.COUNCIL),
        ("priorities", "localities: priorities", schema.PRIORITY),
        ("priority-updates", "localities: priorities: updates", PRIORITY_UPDATE),
    ]
    return registry


def _sections(language: str = "da") -> list[tuple[str, str, list[_Table]]]:
    """(file, what it is, tables) of every file of the content format, in Danish or English."""
    da = language == "da"
    return [
        ("localities.yaml",
         "Registeret: én fil i roden af sitet med indstillinger, politikredse, kommuner, "
         "stationer, betjente og lokalsamfund." if da else
         "The registry: one file at the site root with the site settings, districts, municipalities, "
         "stations, officers and localities.", _registry()),
        ("content/news/*.md",
         "Front matter i en nyhed. Selve teksten (Markdown) står under den." if da else
         "The front matter of a news item; the text (Markdown) follows it.",
         [("news", "news", schema.NEWS)]),
        ("content/events/*.md",
         "Front matter i et arrangement. Selve teksten (Markdown) står under den." if da else
         "The front matter of an event; the text (Markdown) follows it.",
         [("events", "events", schema.EVENT)]),
        ("content/pages/*.md",
         "Front matter i en fri side. Selve teksten (Markdown) står under den. "
         "Siden udgives på /filnavn/." if da else
         "The front matter of a free page; the text (Markdown) follows it. The page is published at "
         "/FILE-NAME/.", [("pages", "pages", schema.PAGE)]),
        ("content/ambassadors/<lokalsamfund-id>.yaml" if da else "content/ambassadors/<locality-id>.yaml",
         "En liste med tryghedsambassadørerne i ét lokalsamfund." if da else
         "A list of the safety ambassadors of one locality.",
         [("ambassadors", "ambassadors", schema.AMBASSADOR), ("consent", "ambassadors: consent", schema.CONSENT)]),
        ("content/newsletters/<område-id>/<periode>.md" if da else "content/newsletters/<area-id>/<period>.md",
         "En valgfri indledning til ét nummer af nyhedsbrevet. Området er et lokalsamfunds eller en kommunes "
         "id. Perioden er ÅÅÅÅ-MM (eller ÅÅÅÅ-Wuu, når nyhedsbrevet kommer hver uge). Front matter er valgfri."
         if da else
         "An optional intro to one newsletter issue. The area is the id of a locality or a municipality "
         "(a locality's when both have it); the period is YYYY-MM, or YYYY-Www with "
         "`newsletter: {period: week}`. The front matter is optional.",
         [("newsletter-intro", "newsletter intro", schema.NEWSLETTER_INTRO)]),
    ]


def type_da(t: FieldType) -> str:
    """What a value of this type looks like, in Danish, with an example."""
    return t.text_da(_DOCS)


def _anchor_of(spec: RecordSpec) -> str:
    for _title, _intro, tables in _sections():
        for anchor, _path, s in tables:
            if s is spec:
                return anchor
    raise KeyError(spec.name)


class _Docs:
    """How a field type links a group of fields to its table (fieldtypes.Docs)."""

    @staticmethod
    def anchor(spec: RecordSpec) -> str:
        return _anchor_of(spec)

    @staticmethod
    def title_en(spec: RecordSpec) -> str:
        return _title_en(spec)


_DOCS = _Docs()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fields_reference() -> str:
    out = ["# Felter i indholdsformatet", "",
           "<!-- Genereret fra felternes erklæringer i naerpoliti/model.py og naerpoliti/fieldtypes.py med "
           "`python tests/refresh.py docs`. Ret ikke i hånden. -->", "",
           "Her står alle felter, du kan skrive i filerne, og hvad de betyder. Felter markeret "
           "**ja** skal altid udfyldes. Feltnavnene skrives på engelsk, præcis som her.", "",
           "- Et **id** skrives med små bogstaver `a-z`, tal og enkelte bindestreger. Skriv æ, ø og å "
           "som ae, oe og aa: Glumsø får id'et `glumsoe`.",
           "- En **dato** skrives `ÅÅÅÅ-MM-DD`, fx `2026-11-20`. Et **klokkeslæt** skrives efter et T: "
           "`2026-12-03T19:00`. Tiden er dansk tid (tidszonen i `site.timezone`).",
           "- Tekst med kolon, anførselstegn eller `#` sættes i anførselstegn: "
           "`title: \"Lås døren: sådan gør du\"`.", ""]
    for title, intro, tables in _sections():
        out += [f"## `{title}`", "", intro, ""]
        for anchor, path, spec in tables:
            one = "Øverste niveau" if spec is schema.LOCALITIES_FILE else spec.da[0]
            out += [f"### {one} (`{path}`) {{#{anchor}}}", ""]
            out += ["| Felt | Skal udfyldes | Værdi | Betydning |", "|---|---|---|---|"]
            for f in spec.fields:
                out.append(f"| `{f.name}` ({_cell(f.label_da)}) | {'ja' if f.required else ''} | "
                           f"{_cell(type_da(f.type))} | {_cell(f.help_da)} |")
            out.append("")
    out += ["## Hvem handler en nyhed eller et arrangement om? {#omraade}", "",
            "Skriv mindst ét af felterne `localities`, `municipalities`, `districts` eller `national: true`. "
            "En nyhed for en kommune eller en politikreds vises hos alle lokalsamfund under den. En nyhed "
            "om et lokalsamfund vises også på kommunens og politikredsens sider.", "",
            "## Samtykke {#samtykke}", "",
            "En ambassadør udgives kun, når `consent.given` er på eller før byggedatoen, hverken "
            "`withdrawn` eller `expires` er nået, og `fields` indeholder `name`. Så udgives præcis de "
            "felter, der står i `fields` (`photo_alt` følger med `photo`), alle steder på sitet. Intet "
            "andet om personen kommer med. Læs mere under [Ambassadører](ambassadoerer.md).", ""]
    return "\n".join(out)


# --- English, for developers of sites and themes (docs/reference/fields.md) ---------------------


def type_en(t: FieldType) -> str:
    """What a value of this type looks like, in English, from the type's own label and example."""
    return t.text_en(_DOCS)


def _prose(text: str) -> str:
    """A doc string as Markdown text: '<area>' is a placeholder, not an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _title_en(spec: RecordSpec) -> str:
    if spec is schema.LOCALITIES_FILE:
        return "Top level"
    name = spec.name.replace("cms", "CMS")
    return name[:1].upper() + name[1:]


def _limits_en() -> list[str]:
    mb = media.MAX_BYTES // 1024 // 1024
    return [
        "| Input | Limit |", "|---|---|",
        f"| a `.yaml` file | {load.MAX_YAML_BYTES:,} bytes |",
        f"| a `.md` file | {load.MAX_MARKDOWN_BYTES:,} bytes |",
        f"| one line of any file | {load.MAX_LINE_CHARS:,} characters |",
        f"| lists and groups of fields nested in each other | {load.MAX_YAML_DEPTH} levels |",
        f"| an image file | {mb} MB |",
        f"| an image's size | {media.MAX_PIXELS // 1_000_000} megapixels |",
        f"| frames of an animated GIF | {media.MAX_FRAMES} |",
        f"| image formats | {', '.join(s[1:] for s in media.IMAGE_SUFFIXES)} |",
        f"| widths of the published copies of an image | {', '.join(map(str, images.WIDTHS))} px "
        f"(each only when narrower than the main file) and the main file at most {media.MAX_WIDTH} px |",
    ]


def fields_reference_en() -> str:
    """docs/reference/fields.md: every field, limit and reserved name, in English."""
    out = ["# Field reference", "",
           "<!-- Generated from the declarations in naerpoliti/model.py and fieldtypes.py, load.py, urls.py, "
           "media.py and render/images.py with `python tests/refresh.py docs`. Do not edit by hand. -->", "",
           "Every field of the content format, from the same specs the validator uses. A field marked "
           "**yes** is required; a field that is not listed here is an error (`unknown field`). "
           "Ids, dates, times, scopes and Markdown follow the [content rules](content.md); consent is "
           "explained under [Consent](content.md#consent).", ""]
    for title, intro, tables in _sections("en"):
        out += [f"## `{title}`", "", intro, ""]
        for anchor, path, spec in tables:
            out += [f"### {_title_en(spec)} (`{path}`) {{#{anchor}}}", ""]
            if spec.doc:
                out += [_prose(spec.doc), ""]
            out += ["| Field | Required | Value | Meaning |", "|---|---|---|---|"]
            for f in spec.fields:
                out.append(f"| `{f.name}` | {'yes' if f.required else ''} | {_cell(type_en(f.type))} | "
                           f"{_cell(_prose(f.doc))} |")
            out.append("")
    out += [
            "## Reserved page names {#reserved}", "",
            "A free page (`content/pages/NAME.md`) cannot be named " + ", ".join(f"`{r}`" for r in
                                                                              sorted(urls.RESERVED))
            + f": the site uses these paths itself. `{urls.STATEMENT_SLUG}` is allowed and replaces the "
            "built-in accessibility statement.", "",
            "Ids and file names cannot be a name Windows reserves for a device, also with an extension: "
            + ", ".join(f"`{n}`" for n in sorted(media.WINDOWS_RESERVED, key=lambda n: (len(n), n))) + ".", "",
            "## Limits {#limits}", "",
            "Input over a limit is a content error, never a hang or a crash.", "", *_limits_en(), ""]
    return "\n".join(out)


# Every generated page of the documentation, by its path in the repository: tests/refresh.py
# writes them and tests/test_handbook.py checks that they are current.
GENERATED = {"docs/felter.md": fields_reference, "docs/reference/fields.md": fields_reference_en}
