"""The small index of localities behind the instant "find your officer" search (search.js).

One compact JSON file, `urls.search_index()` (/data/soegeindeks.json), fetched by the browser only
when someone starts to use a search field. Only public data: the localities, their areas and
councils, and their contact officers in their official role (name, title, work phone and e-mail).
Nothing of ambassadors, whatever their consent, and nothing of stations or photos.

To stay small (a few KB per hundred localities once compressed), records are arrays, and
municipalities, districts and officers, which many localities share, are listed once and referred
to by their position. `fields` names the columns; search.js reads the columns by position, so a
change of order is a new `version`.

    {"version": 1,
     "fields": {...},
     "districts": [[name], ...],
     "municipalities": [[name, district, text], ...],
     "officers": [[name, title, phone, tel, email, text, reply], ...],
     "localities": [[id, name, url, postcodes, municipality, officer, councils, coordinates, text,
                     places], ...]}

`text` is the precomputed search text of a record: its words, normalised (see `search_words`),
each once. A locality matches a query when every word of the query begins a word of the
locality's, its municipality's or its officer's text; a locality's text has its `places` (villages,
neighbourhoods), so "tappernoje" finds Fladså. Localities come in Danish alphabetical order,
the other tables too; a record that nothing refers to is left out.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..site import SiteModel, danish_key
from . import Output

VERSION = 1
FIELDS = {
    "districts": ["name"],
    "municipalities": ["name", "district", "text"],
    "officers": ["name", "title", "phone", "tel", "email", "text", "reply"],
    "localities": ["id", "name", "url", "postcodes", "municipality", "officer", "councils",
                   "coordinates", "text", "places"],
}
COORDINATE_DECIMALS = 4  # about 10 m: plenty to find the nearest locality

# The Danish way to write the letters without them (Glumsø -> glumsoe), and the way people type
# who simply leave the marks out (glumso). æ has no such bare form: both give ae.
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
_BARE = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str, bare: bool = False) -> str:
    """Lowercase, æ ø å written out (or, `bare`, without marks), other accents removed, and
    everything but letters and digits turned into single spaces."""
    folded = text.casefold().translate(_BARE if bare else _DANISH)
    decomposed = unicodedata.normalize("NFKD", folded)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


def search_words(texts: Iterable[str]) -> str:
    """The search text of some values: every word in both spellings, each word once, in order."""
    words: dict[str, None] = {}
    for text in texts:
        for bare in (False, True):
            for word in normalise(text, bare).split():
                words.setdefault(word)
    return " ".join(words)


def search_index(site: SiteModel) -> dict[str, Any]:
    """The index as a JSON-ready value."""
    urls = site.urls
    localities = site.localities  # Danish alphabetical order, id as tie-break
    municipalities = sorted({site.municipality_by_id[loc.municipality] for loc in localities},
                            key=lambda m: (danish_key(m.name), m.id))
    districts = sorted({site.district_by_id[m.district] for m in municipalities},
                       key=lambda d: (danish_key(d.name), d.id))
    officers = sorted({site.officers[loc.officer] for loc in localities},
                      key=lambda o: (danish_key(o.name), o.id))
    district_no = {d.id: i for i, d in enumerate(districts)}
    municipality_no = {m.id: i for i, m in enumerate(municipalities)}
    officer_no = {o.id: i for i, o in enumerate(officers)}

    def coordinates(value: tuple[float, float] | None) -> list[float] | None:
        return [round(value[0], COORDINATE_DECIMALS), round(value[1], COORDINATE_DECIMALS)] if value else None

    return {
        "version": VERSION,
        "fields": FIELDS,
        "districts": [[d.name] for d in districts],
        "municipalities": [[m.name, district_no[m.district], search_words([m.name])]
                           for m in municipalities],
        "officers": [[o.name, o.title, o.phone.display if o.phone else None, o.phone.uri if o.phone else None,
                      o.email, search_words([o.name]),
                      o.reply_time or site.config.reply_time] for o in officers],  # when they answer
        "localities": [[loc.id, loc.name, urls.locality(loc.id), list(loc.postcodes),
                        municipality_no[loc.municipality], officer_no[loc.officer],
                        [c.name for c in loc.councils], coordinates(loc.coordinates),
                        search_words([loc.name, *loc.places, *loc.postcodes, *(c.name for c in loc.councils)]),
                        list(loc.places)]
                       for loc in localities],
    }


def encode(index: dict[str, Any]) -> bytes:
    """Compact, deterministic JSON in UTF-8."""
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def render_search_index(site: SiteModel) -> list[Output]:
    path = site.urls.output_path(site.urls.search_index())
    return [Output(path, encode(search_index(site)), origin="search index (naerpoliti/render/searchindex.py)")]
