"""`naerpoliti check --consent`: who is published with which fields, who is not and why (issue 7).

A report for the coordinators who keep the partnership agreements: per locality, grouped under its
municipality, every ambassador with what the site publishes of them on the build date; then the
consents that end within 60 days, and the officers whose contact details are due to be checked.

The report only reads decisions: what is published and why not comes from consent.decide(), the
one place that decides, and the published fields are read off the public view it returns, so the
report cannot list a field the site would not publish. It is plain text in English, like the rest
of the command line and like the decision's reasons it quotes (one wording of the rule, not two);
names and places are shown as the editors wrote them. Lines stay short enough to paste into an
e-mail.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .. import consent
from ..build import build_date
from ..errors import Diagnostics, Position
from ..model import Ambassador, Consent, Content, Officer
from ..schema import load_content
from ..site import SiteModel, build_site, verified_too_long_ago

EXPIRY_WARNING_DAYS = 60

# The fields a PublicAmbassador can carry, in its own order; "locality" is not about the person.
PUBLIC_FIELDS = tuple(f.name for f in dataclasses.fields(consent.PublicAmbassador) if f.name != "locality")


@dataclass(frozen=True)
class Entry:
    """One ambassador as the report shows them."""

    ambassador: Ambassador
    published: tuple[str, ...]  # the fields the site publishes; () when not published
    reason: str  # why not published; "" when published
    unrecorded: tuple[str, ...] = ()  # fields the consent allows that have no value to publish

    @property
    def is_published(self) -> bool:
        return bool(self.published)

    @property
    def where(self) -> Position:
        return self.ambassador.pos


@dataclass(frozen=True)
class Ending:
    entry: Entry
    locality: str  # its name
    date: dt.date  # the first day the person is no longer published
    what: str  # "expires" or "withdrawn"


@dataclass(frozen=True)
class StaleOfficer:
    officer: Officer
    localities: tuple[str, ...]  # names of the localities the officer is the contact of
    where: Position


@dataclass(frozen=True)
class Report:
    site_title: str
    today: dt.date
    # (municipality name, district name, [(locality name, locality id, [Entry])])
    areas: tuple[tuple[str, str, tuple[tuple[str, str, tuple[Entry, ...]], ...]], ...]
    endings: tuple[Ending, ...]
    officers: tuple[StaleOfficer, ...]

    @property
    def entries(self) -> list[Entry]:
        return [e for _m, _d, locs in self.areas for _n, _i, entries in locs for e in entries]


def entry_for(ambassador: Ambassador, today: dt.date) -> Entry:
    decision = consent.decide(ambassador, today)
    if decision.public is None:
        return Entry(ambassador, (), decision.reason)
    published = tuple(f for f in PUBLIC_FIELDS if getattr(decision.public, f) is not None)
    allowed = ambassador.consent.fields if ambassador.consent else ()
    return Entry(ambassador, published, "", tuple(f for f in allowed if f not in published))


def _ending(entry: Entry, locality: str, today: dt.date) -> Ending | None:
    """Published today, but no longer within the warning period (the same rule asked again), or
    a withdrawal recorded for a later date, whenever it is."""
    if not entry.is_published:
        return None
    c = entry.ambassador.consent
    assert c is not None
    horizon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    ends_soon = consent.decide(entry.ambassador, horizon).public is None
    if not ends_soon and not (c.withdrawn and c.withdrawn > today):
        return None
    dates = [(d, what) for d, what in ((c.expires, "expires"), (c.withdrawn, "withdrawn"))
             if d is not None and d > today]
    date, what = min(dates)
    return Ending(entry, locality, date, what)


def make_report(content: Content, site: SiteModel, today: dt.date) -> Report:
    by_locality: dict[str, list[Entry]] = {}
    for a in sorted(content.ambassadors, key=lambda a: (a.pos.path, a.pos.line)):  # as in the files
        by_locality.setdefault(a.locality, []).append(entry_for(a, today))
    areas = []
    for m in site.municipalities:
        locs = tuple((loc.name, loc.id, tuple(by_locality.get(loc.id, ())))
                     for loc in site.localities_of.get(m.id, ()))
        areas.append((m.name, site.district_by_id[m.district].name, locs))
    found = (_ending(e, name, today) for _m, _d, locs in areas for name, _i, es in locs for e in es)
    endings = sorted((x for x in found if x is not None),
                     key=lambda x: (x.date, x.entry.ambassador.name))
    officers = []
    for o in sorted(site.officers.values(), key=lambda o: (o.pos.line, o.id)):
        # the same rule as the build's warning; a missing date counts as never checked
        if o.verified is None or verified_too_long_ago(o, today):
            names = tuple(loc.name for loc in site.localities if loc.officer == o.id)
            officers.append(StaleOfficer(o, names, o.field_pos.get("verified", o.pos)))
    return Report(site.config.title, today, tuple(areas), tuple(endings), tuple(officers))


# --------------------------------------------------------------------------------------------
# Text


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _days(n: int) -> str:
    return "today" if n == 0 else f"in {_plural(n, 'day')}"


def _consent_line(c: Consent | None) -> str:
    if c is None:
        return "no consent recorded"
    parts = [f"given {c.given}"]
    if c.expires:
        parts.append(f"expires {c.expires}")
    if c.withdrawn:
        parts.append(f"withdrawn {c.withdrawn}")
    return "consent " + ", ".join(parts) + f"; fields: {', '.join(c.fields)}"


def format_report(report: Report) -> str:
    out: list[str] = []
    add = out.append
    title = f"Consent report for {report.site_title} on {report.today}"
    add(title)
    add("=" * len(title))
    add("")
    add("Ambassadors by locality")
    add("-----------------------")
    for m_name, d_name, locs in report.areas:
        add("")
        add(f"{m_name} ({d_name})")
        for l_name, l_id, entries in locs:
            if not entries:
                add(f"  {l_name}: no ambassadors")
                continue
            shown = sum(e.is_published for e in entries)
            add(f"  {l_name}: {shown} of {_plural(len(entries), 'ambassador')} published "
                f"(content/ambassadors/{l_id}.yaml)")
            for e in entries:
                a = e.ambassador
                add(f"    {a.name} ({a.id}), line {a.pos.line}")
                if e.is_published:
                    add(f"      PUBLISHED with: {', '.join(e.published)}")
                    if e.unrecorded:
                        add(f"      (the consent also allows {', '.join(e.unrecorded)}, but none is recorded)")
                else:
                    add(f"      NOT PUBLISHED: {e.reason}")
                add(f"      {_consent_line(a.consent)}")
    add("")
    heading = f"Consent ending within {EXPIRY_WARNING_DAYS} days (or withdrawn from a later date)"
    add(heading)
    add("-" * len(heading))
    if not report.endings:
        add("  none")
    for x in report.endings:
        a = x.entry.ambassador
        verb = "expires" if x.what == "expires" else "is withdrawn"
        add(f"  {a.name} ({a.id}), {x.locality}")
        add(f"    consent {verb} on {x.date} ({_days((x.date - report.today).days)}); "
            f"last day published {x.date - dt.timedelta(days=1)}")
        add(f"    {a.pos.path}:{a.pos.line}")
    add("")
    heading = "Officers to verify (contact details last verified over 12 months ago, or never)"
    add(heading)
    add("-" * len(heading))
    if not report.officers:
        add("  none")
    for s in report.officers:
        o = s.officer
        when = (f"verified {o.verified} ({_plural((report.today - o.verified).days, 'day')} ago)"
                if o.verified else "no 'verified' date")
        contact = f", contact officer of {', '.join(s.localities)}" if s.localities else ""
        add(f"  {o.name} ({o.id}){contact}")
        add(f"    {when}")
        add(f"    {s.where.path}:{s.where.line}: check the contact details, then set 'verified: {report.today}'")
    everyone = report.entries
    published = sum(e.is_published for e in everyone)
    localities = sum(1 for _m, _d, locs in report.areas for _n, _i, es in locs if es)
    add("")
    add("Summary")
    add("-------")
    add(f"  {_plural(len(everyone), 'ambassador')} in {_plural(localities, 'locality', 'localities')}: "
        f"{published} published, {len(everyone) - published} not published")
    add(f"  {_plural(len(report.endings), 'consent')} ending within {EXPIRY_WARNING_DAYS} days "
        "or withdrawn from a later date")
    add(f"  {_plural(len(report.officers), 'officer')} to verify")
    return "\n".join(out) + "\n"


def main(root: Path, today: dt.date | None, out: TextIO, err: TextIO) -> int:
    """Print the consent report of the site root to out (diagnostics to err); return the exit status."""
    diags = Diagnostics()
    content = load_content(root, diags)
    site = None
    day = today
    if content is not None:
        day = build_date(today, content.config.timezone)
        site = build_site(content, day, diags)
    if content is None or diags.errors:
        for d in diags.sorted():
            print(d, file=err)
        errors, warnings = len(diags.errors), len(diags.warnings)
        print(f"naerpoliti: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}; "
              "fix the errors to get the consent report", file=err)
        return 1
    assert site is not None and day is not None
    out.write(format_report(make_report(content, site, day)))
    return 0
