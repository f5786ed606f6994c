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

import jinja2
import yaml
from markupsafe import Markup

from .. import records, texts
from ..fieldtypes import Choice, Field, RecordSpec
from ..site import SiteModel
from . import Output
from .environment import make_environment, theme_dir, translations

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

def render_admin(site: SiteModel, env: jinja2.Environment | None = None) -> list[Output]:
    """admin/index.html and admin/config.yml when site.cms is set; nothing otherwise. The page is
    the theme's admin/index.html with admin/formats.js inlined, rendered with the site's Jinja
    environment `env` (default: the default theme's)."""
    if site.config.cms is None:
        return []
    config = cms_config(site)
    text = yaml.dump(config, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100)
    return [
        Output("admin/index.html", index_html(site, env).encode("utf-8"), origin="site.cms (admin/index.html)"),
        Output("admin/config.yml", text.encode("utf-8"), origin="site.cms (admin/config.yml)"),
    ]


class _NoAliases(yaml.SafeDumper):
    """Writes a repeated part (the ambassador fields of every locality) out in full each time:
    plainer to read than YAML anchors, and every CMS reads it."""

    def ignore_aliases(self, data: object) -> bool:
        return True


class _Id(str):
    """An id in config.yml, always written in quotes: YAML readers disagree on what an unquoted
    '1e3', 'yes', '0x1F', '010' or '0o17' is (a number or a boolean to Decap's YAML 1.2 reader, a
    string to PyYAML), and an id must stay the text it is."""


def _quoted(dumper: yaml.SafeDumper, data: _Id) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


_NoAliases.add_representer(_Id, _quoted)


# --- config.yml -----------------------------------------------------------------------------------

def cms_config(site: SiteModel) -> dict[str, Any]:
    cms = site.config.cms
    assert cms is not None, "admin/ is made only for a site with site.cms"
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
    danish = translations(None, "da").gettext
    fields.append({"name": "body", "label": danish(texts.ADMIN_BODY), "widget": "markdown",
                   "hint": danish(texts.ADMIN_BODY_HINT)})
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
            "name": _Id(loc.id), "label": loc.name, "file": f"content/ambassadors/{loc.id}.yaml",
            "fields": [{
                "name": AMBASSADOR_LIST, "label": many, "label_singular": one, "widget": "list",
                "required": False, "summary": "{{fields.name}}",
                "hint": translations(None, "da").gettext(texts.ADMIN_CONSENT_HINT),
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
        return [{"label": r.name, "value": _Id(r.id)} for r in sorted(found[kind], key=lambda r: r.name)]

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


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(site: SiteModel, scripts: list[str]) -> str:
    cms = site.config.cms
    assert cms is not None, "admin/ is made only for a site with site.cms"
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


def _theme_environment() -> jinja2.Environment:
    """The default theme alone, as for a root without templates/ of its own."""
    return make_environment(theme_dir(), "da")


def inline_scripts(env: jinja2.Environment | None = None) -> tuple[str, str]:
    """The page's two inline scripts (the second is the theme's admin/formats.js). They are fixed
    code: no content ever goes into them."""
    manual = "window.CMS_MANUAL_INIT = true;"  # the formats must be registered before Decap starts
    formats = (env or _theme_environment()).get_template("admin/formats.js").render(
        yaml_url=YAML_URL, order=Markup(json.dumps(_ambassador_order())), front_matter=FRONT_MATTER_FORMAT,
        ambassadors=AMBASSADOR_FORMAT, comment=FILE_COMMENT, list=AMBASSADOR_LIST)
    return manual, formats


def index_html(site: SiteModel, env: jinja2.Environment | None = None) -> str:
    assert site.config.cms is not None
    env = env or _theme_environment()
    manual, formats = inline_scripts(env)
    csp = content_security_policy(site, [manual, formats])
    # escaped as ever (the CSP's 'quotes' stay readable), not by Jinja's rules: the same bytes
    csp_attr = escape(csp, quote=False).replace('"', "&quot;")
    return env.get_template("admin/index.html").render(
        csp=Markup(csp_attr), title=Markup(escape(f"Redigering – {site.config.title}")),
        identity_url=NETLIFY_IDENTITY_URL if site.config.cms.backend == "git-gateway" else None,
        manual=Markup(manual), formats=Markup(formats), decap_url=DECAP_URL, decap_integrity=DECAP_INTEGRITY)
