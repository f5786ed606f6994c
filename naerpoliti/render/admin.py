"""admin/: the browser editor (Decap CMS), its configuration generated from the schema.

The collections, fields, required flags and Danish labels come from the field declarations in
model.py (the specs the validator uses), each widget from its field type, the options from the
registry and the event kinds' names from texts.py, so that what the form lets an editor write is
what `naerpoliti check` accepts.

Two things Decap cannot do by itself, done by two small custom formats in admin/index.html
(both use the `yaml` library, pinned like Decap):
- an ambassador file is a YAML list at the top level, and Decap only edits files whose top level
  is a mapping (decaporg/decap-cms#531): the format maps the file to {ambassadors: [...]} and back;
- Decap writes a field an editor emptied as '' (which the validator rejects as an empty value)
  and writes YAML 1.2, where `on` or `yes` are text but the validator reads YAML 1.1 (yes/no):
  both formats drop empty values, put fields in schema order and write YAML 1.1.
Decap rewrites a whole file when it saves it: comments in it are lost, except the comment at the
top of an ambassador file, which the format keeps.
"""
from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from typing import Any

import yaml

from .. import __version__, records, texts
from ..fieldtypes import Choice, Field, RecordSpec
from ..site import SiteModel
from . import Output
from .environment import translations

DECAP_VERSION = "3.16.3"  # the version tests/browser/test_admin_browser.py runs (tests/tools/package.json)
DECAP_BASE = f"https://unpkg.com/decap-cms@{DECAP_VERSION}/dist/"
DECAP_URL = DECAP_BASE + "decap-cms.js"  # loads its chunks from the same folder
# Subresource Integrity of decap-cms.js (the file npm installs is the one unpkg serves);
# tests/test_admin.py checks it against tests/tools/node_modules/decap-cms/dist/decap-cms.js.
DECAP_INTEGRITY = "sha384-A/Gdn928CNLufmnGWGs9RM4Q9o8bSNLeJERqBFrBjwzL7FRpoLT3MPF8Tl0+Wd2p"
YAML_VERSION = "2.9.1"
YAML_BASE = f"https://unpkg.com/yaml@{YAML_VERSION}/browser/"
YAML_URL = YAML_BASE + "index.js"  # an ES module importing ./dist/...
NETLIFY_IDENTITY_URL = "https://identity.netlify.com/v1/netlify-identity-widget.js"
LOCAL_BACKEND_ORIGIN = "http://localhost:8081"  # where Decap looks for decap-server with local_backend: true

FRONT_MATTER_FORMAT = "naerpoliti-frontmatter"
AMBASSADOR_FORMAT = "naerpoliti-ambassadors"
AMBASSADOR_LIST = "ambassadors"  # the field that holds an ambassador file's list
FILE_COMMENT = "file_comment"  # hidden field: the comment at the top of an ambassador file
MEDIA = "media"  # content refers to content/media/x as media/x (fieldtypes.MediaFile)

def render_admin(site: SiteModel) -> list[Output]:
    """admin/index.html and admin/config.yml when site.cms is set; nothing otherwise."""
    if site.config.cms is None:
        return []
    config = cms_config(site)
    text = yaml.dump(config, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100)
    return [
        Output("admin/index.html", index_html(site).encode("utf-8"), origin="site.cms (admin/index.html)"),
        Output("admin/config.yml", text.encode("utf-8"), origin="site.cms (admin/config.yml)"),
    ]


class _NoAliases(yaml.SafeDumper):
    """Writes a repeated part (the ambassador fields of every locality) out in full each time:
    plainer to read than YAML anchors, and every CMS reads it."""

    def ignore_aliases(self, data):
        return True


# --- config.yml -----------------------------------------------------------------------------------

def cms_config(site: SiteModel) -> dict[str, Any]:
    cms = site.config.cms
    backend: dict[str, Any] = {"name": cms.backend}
    if cms.repo:
        backend["repo"] = cms.repo
    backend["branch"] = cms.branch
    if cms.base_url:
        backend["base_url"] = cms.base_url.rstrip("/")
    return {
        "backend": backend,
        "local_backend": True,  # Decap only looks for decap-server when the page is on localhost
        "locale": "da",
        "site_url": site.config.base_url,
        "display_url": site.config.base_url,
        "media_folder": f"content/{MEDIA}",
        "public_folder": MEDIA,
        # file names as the content format wants them: lowercase ASCII, hyphens
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [
            _folder(site, records.NEWS, "news", "{{year}}-{{month}}-{{day}}-{{slug}}", ["date", "title"]),
            _folder(site, records.EVENT, "events", "{{fields.start | date('YYYY-MM-DD')}}-{{slug}}",
                    ["start", "title"]),
            _folder(site, records.PAGE, "pages", "{{slug}}", ["title"]),
            _ambassadors(site),
        ],
    }


def _folder(site: SiteModel, spec: RecordSpec, folder: str, slug: str, sort: list[str]) -> dict[str, Any]:
    one, many = spec.da
    fields = _Form(site).fields(spec)
    fields.append({"name": "body", "label": "Tekst", "widget": "markdown",
                   "hint": "Teksten i Markdown. Links til andre sider på sitet skrives som /sti/."})
    return {
        "name": folder, "label": many, "label_singular": one,
        "folder": f"content/{folder}", "create": True, "extension": "md", "format": FRONT_MATTER_FORMAT,
        "slug": slug, "identifier_field": "title", "summary": "{{title}}",
        "sortable_fields": sort,
        # uploads land next to the existing ones: content/media/news/ ...
        "media_folder": f"/content/{MEDIA}/{folder}", "public_folder": f"{MEDIA}/{folder}",
        "fields": fields,
    }


def _ambassadors(site: SiteModel) -> dict[str, Any]:
    one, many = records.AMBASSADOR.da
    item_fields = _Form(site).fields(records.AMBASSADOR)
    files = []
    for loc in site.localities:
        files.append({
            "name": loc.id, "label": loc.name, "file": f"content/ambassadors/{loc.id}.yaml",
            "fields": [{
                "name": AMBASSADOR_LIST, "label": many, "label_singular": one, "widget": "list",
                "required": False, "summary": "{{fields.name}}",
                "hint": "Kun de felter, der står i samtykket, bliver offentliggjort, og kun mens samtykket gælder.",
                "fields": item_fields,
            }, {"name": FILE_COMMENT, "widget": "hidden", "required": False}],
        })
    return {
        "name": "ambassadors", "label": many, "label_singular": one,
        "format": AMBASSADOR_FORMAT, "extension": "yaml",
        "media_folder": f"/content/{MEDIA}/ambassadors", "public_folder": f"{MEDIA}/ambassadors",
        "files": files,
    }


class _Form:
    """What the field types ask of the form: the registry's records, choices' labels, nested fields."""

    def __init__(self, site: SiteModel):
        self.site = site

    def options(self, kind: str) -> list[dict[str, str]]:
        site = self.site
        found: dict[str, tuple[Any, ...]] = {
            "locality": site.localities, "municipality": site.municipalities, "district": site.districts,
            "officer": tuple(site.officers.values()), "station": tuple(site.stations.values()),
        }
        return [{"label": r.name, "value": r.id} for r in sorted(found[kind], key=lambda r: r.name)]

    def choice_options(self, choice: Choice) -> list[dict[str, str]]:
        if set(choice.choices) == set(records.CONSENT_FIELDS):  # consent names ambassador fields: their labels
            names = {f.name: f.label_da for f in records.AMBASSADOR.fields}
        else:  # the event kinds, named as the theme names them in Danish
            danish = translations(None, "da").gettext
            names = {kind: texts.event_kind(kind, danish) for kind in texts.EVENT_KINDS}
        return [{"label": names.get(c, c), "value": c} for c in choice.choices]

    def fields(self, spec: RecordSpec) -> list[dict[str, Any]]:
        return [widget(self, spec, f) for f in spec.fields]


def widget(form: _Form, spec: RecordSpec, f: Field) -> dict[str, Any]:
    """The Decap field for one declared field: its Danish label and help, and its type's widget."""
    out: dict[str, Any] = {"name": f.name, "label": f.label_da}
    if f.help_da:
        out["hint"] = f.help_da
    if not f.required:
        out["required"] = False
    try:
        out.update(f.type.decap(form))
    except TypeError as exc:  # a new field type needs a decision there, not a silent text box
        raise TypeError(f"{exc} ({spec.name}.{f.name})") from None
    return out


# --- index.html -----------------------------------------------------------------------------------

def _ambassador_order() -> list[str]:
    """An ambassador's field names in schema order, then its consent's (no name is in both)."""
    return [f.name for f in records.AMBASSADOR.fields] + [f.name for f in records.CONSENT.fields]


FORMATS_JS = """\
import YAML from "%(yaml_url)s";

// Fields in schema order; values an editor emptied ("", [], {}) are left out, as the validator
// reads an empty value as an error. YAML 1.1 output: the validator reads yes/no/on/off as yes/no.
const AMBASSADOR_ORDER = %(order)s;  // an ambassador's fields, then its consent's
function clean(value, order) {
  const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
  if (Array.isArray(value)) {
    const items = value.map((v) => clean(v, order)).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const key of Object.keys(value).sort((a, b) => rank(a) - rank(b))) {
      const v = clean(value[key], order);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) return undefined;
  return value;
}
// Dates stay plain (2026-11-20), as the validator reads them as text; lists of values are written
// [like, this], as in the handbook's examples.
const TAGS = (tags) => tags.filter((t) => t.tag !== "tag:yaml.org,2002:timestamp");
function dump(value, comment) {
  const doc = new YAML.Document(value, { version: "1.1", customTags: TAGS });
  YAML.visit(doc, { Seq(_, node) { if (node.items.every(YAML.isScalar)) node.flow = true; } });
  if (comment) doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
const FRONT_MATTER = /^---\\r?\\n([\\s\\S]*?)\\r?\\n?---[ \\t]*(?:\\r?\\n|$)([\\s\\S]*)$/;

CMS.registerCustomFormat("%(front_matter)s", "md", {
  fromFile(text) {
    const m = FRONT_MATTER.exec(text);
    return m ? { ...(YAML.parse(m[1]) || {}), body: m[2].replace(/^\\r?\\n/, "") } : { body: text };
  },
  toFile(data, order = []) {  // order: the collection's field names, which Decap passes
    const { body, ...fields } = data;
    const text = (body || "").trim();
    return "---\\n" + dump(clean(fields, order) || {}) + "---\\n" + (text ? text + "\\n" : "");
  },
});
// An ambassador file is a list at the top level; Decap edits it as one list field,
// and keeps the comment at the top of the file in the hidden field `%(comment)s`.
CMS.registerCustomFormat("%(ambassadors)s", "yaml", {
  fromFile(text) {
    const doc = YAML.parseDocument(text);
    // without a blank line below it, the comment at the top belongs to the first item
    const head = doc.commentBefore ?? doc.contents?.items?.[0]?.commentBefore ?? "";
    return { %(list)s: doc.toJS() || [], %(comment)s: head };
  },
  toFile: (data) => dump(clean(data.%(list)s, AMBASSADOR_ORDER) || [], data.%(comment)s),
});
CMS.init();
"""


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(site: SiteModel, scripts: list[str]) -> str:
    cms = site.config.cms
    connect = ["'self'", "blob:", LOCAL_BACKEND_ORIGIN]  # blob: Decap reads an upload back to commit it
    # 'unsafe-eval': Decap validates its configuration with ajv, which compiles the schema with new Function()
    script = [*(_sha256(s) for s in scripts), DECAP_BASE, YAML_BASE, "'unsafe-eval'"]
    if cms.backend == "github":
        connect.append("https://api.github.com")
    elif cms.backend == "gitlab":
        connect.append("https://gitlab.com")
    else:  # git-gateway logs in with Netlify Identity, on the site's own origin
        script.append(NETLIFY_IDENTITY_URL)
    return "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(script),
        "style-src 'self' 'unsafe-inline'",  # Decap styles its components with inline <style> (emotion)
        "img-src 'self' data: blob:",  # media come from the backend's API as blobs
        "font-src 'self' data:",
        "connect-src " + " ".join(connect),
        "frame-src 'self' blob:",  # the preview pane
        "base-uri 'self'",
        "form-action 'none'",
    ])


def inline_scripts() -> tuple[str, str]:
    """The page's two inline scripts. They are fixed code: no content ever goes into them."""
    manual = "window.CMS_MANUAL_INIT = true;"  # the formats must be registered before Decap starts
    formats = FORMATS_JS % {
        "yaml_url": YAML_URL, "order": json.dumps(_ambassador_order()),
        "front_matter": FRONT_MATTER_FORMAT, "ambassadors": AMBASSADOR_FORMAT, "comment": FILE_COMMENT,
        "list": AMBASSADOR_LIST,
    }
    return manual, formats


def index_html(site: SiteModel) -> str:
    manual, formats = inline_scripts()
    csp = content_security_policy(site, [manual, formats])
    identity = (f'<script src="{NETLIFY_IDENTITY_URL}"></script>\n'
                if site.config.cms.backend == "git-gateway" else "")
    title = f"Redigering – {site.config.title}"
    csp_attr = escape(csp, quote=False).replace('"', "&quot;")  # its 'quotes' stay readable
    return (
        "<!DOCTYPE html>\n"
        '<html lang="da">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="naerpoliti {__version__}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp_attr}">\n'
        f"<title>{escape(title)}</title>\n"
        f"{identity}"
        f"<script>{manual}</script>\n"
        f'<script src="{DECAP_URL}" integrity="{DECAP_INTEGRITY}" crossorigin="anonymous"></script>\n'
        f'<script type="module">{formats}</script>\n'
        "</head>\n<body>\n"
        "<noscript><p>Redigering i browseren kræver JavaScript.</p></noscript>\n"
        "</body>\n</html>\n"
    )
