"""The field reference for editors, generated from the same specs the validator uses."""
from __future__ import annotations

from . import schema

SECTIONS = [
    ("localities.yaml", "The registry: one file at the site root.", [
        ("site", schema.SITE), ("site.newsletter", schema.NEWSLETTER), ("districts", schema.DISTRICT),
        ("municipalities", schema.MUNICIPALITY), ("stations", schema.STATION),
        ("officers", schema.OFFICER), ("localities", schema.LOCALITY),
        ("localities: councils", schema.COUNCIL), ("localities: priorities", schema.PRIORITY)]),
    ("content/news/*.md", "Front matter of a news item; the Markdown body follows it.", [("news", schema.NEWS)]),
    ("content/events/*.md", "Front matter of an event; the Markdown body follows it.", [("events", schema.EVENT)]),
    ("content/pages/*.md", "Front matter of a free page; the Markdown body follows it.", [("pages", schema.PAGE)]),
    ("content/ambassadors/<locality-id>.yaml", "A list of ambassadors of one locality.",
     [("ambassadors", schema.AMBASSADOR), ("ambassadors: consent", schema.CONSENT)]),
    ("content/newsletters/<locality-or-municipality-id>/<period>.md",
     "An optional editorial intro for one newsletter issue; the period is YYYY-MM "
     "(or YYYY-Www with newsletter period week). The front matter is optional.",
     [("newsletter intro", schema.NEWSLETTER_INTRO)]),
]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def fields_reference() -> str:
    out = ["# Fields of the content format", "",
           "Generated from `naerpoliti/schema.py` by `python tests/refresh.py docs`; do not edit by hand.",
           "Ids are lowercase ASCII: `a-z`, digits and single hyphens, with æ, ø, å written ae, oe, aa.",
           "Dates are `YYYY-MM-DD`; times `YYYY-MM-DDTHH:MM`, local time in `site.timezone`.", ""]
    for title, intro, specs in SECTIONS:
        out += [f"## `{title}`", "", intro, ""]
        for name, spec in specs:
            out += [f"### {name}", ""]
            if spec.doc:
                out += [spec.doc, ""]
            out += ["| field | required | value | meaning |", "|---|---|---|---|"]
            for f in spec.fields:
                out.append(f"| `{f.name}` | {'yes' if f.required else ''} | {_cell(f.type.label)} | {_cell(f.doc)} |")
            out.append("")
    out += ["## Scope of news and events", "",
            "At least one of `localities`, `municipalities`, `districts` or `national: true`. An item "
            "scoped to a municipality or district shows on every locality under it; an item about a "
            "locality also shows on its municipality's and district's pages.", "",
            "## Consent", "",
            "An ambassador is published only when `consent.given` is on or before the build date, "
            "neither `withdrawn` nor `expires` is on or before the build date, and `fields` lists `name`. "
            "Then exactly the fields listed in `fields` are published (`photo_alt` goes with `photo`), "
            "everywhere. Everything else about the person is absent from the output.", ""]
    return "\n".join(out)
