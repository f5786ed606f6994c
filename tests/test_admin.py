"""admin/ (Decap CMS): emitted only with site.cms, its config generated from the schema specs, and kept
out of the sitemap and the search indexes. tests/browser/test_admin_browser.py drives it in Chromium."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from pathlib import Path

import yaml

from conftest import REGISTRY, REPO, build, messages, news, sitemap_text
from naerpoliti import schema
from naerpoliti.render import admin

CMS_BLOCK = "  cms:\n    backend: github\n    repo: example/naerpoliti-test\n"
WITH_CMS = REGISTRY.replace("  base_url: https://test.example.dk/\n", "  base_url: https://test.example.dk/\n" + CMS_BLOCK)
FILES = {"content/news/2026-11-20-nyhed.md": news("Nyhed om tryghed"),
         "content/pages/om.md": "---\ntitle: Om os\n---\nTekst om os.\n"}


def built(site_root, tmp_path, registry=WITH_CMS, files=FILES) -> Path:
    out = tmp_path / "site"
    result = build(site_root(files, registry=registry), out)
    assert not result.failed, messages(result)
    return out


def config_of(out: Path) -> dict:
    return yaml.safe_load((out / "admin" / "config.yml").read_text(encoding="utf-8"))


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def check_fields(fields: list[dict], spec: schema.RecordSpec, registry_ids: dict[str, set[str]]) -> None:
    """Every form field is a schema field with the right required flag and widget; every schema field is
    in the form."""
    by_name = {f["name"]: f for f in fields}
    assert set(by_name) == {f.name for f in spec.fields}, spec.name
    for f in spec.fields:
        w = by_name[f.name]
        assert w.get("required", True) is f.required, (spec.name, f.name)
        assert (w["label"], w.get("hint")) == (f.label_da, f.help_da), (spec.name, f.name)
        t = f.type
        item = t.item if isinstance(t, schema.ListOf) else None
        if isinstance(t, schema.Ref) or isinstance(item, schema.Ref):
            kind = (item or t).kind
            assert w["widget"] == "select" and w.get("multiple", False) is (item is not None), f.name
            assert {o["value"] for o in w["options"]} == registry_ids[kind], f.name
        elif isinstance(t, schema.Choice) or isinstance(item, schema.Choice):
            assert w["widget"] == "select" and [o["value"] for o in w["options"]] == list((item or t).choices)
        elif isinstance(t, schema.Record):
            assert w["widget"] == "object"
            check_fields(w["fields"], t.spec, registry_ids)
        elif isinstance(t, schema.DateOrTime) and not t.day_only_form:
            assert (w["widget"], w["format"]) == ("datetime", "YYYY-MM-DDTHH:mm")
        elif isinstance(t, (schema.Date, schema.DateOrTime)):
            assert (w["widget"], w["format"], w["time_format"]) == ("datetime", "YYYY-MM-DD", False)
        else:
            expected = {schema.Bool: "boolean", schema.MediaFile: "image", schema.MarkdownText: "markdown"}
            assert w["widget"] == next((v for k, v in expected.items() if isinstance(t, k)), "string"), f.name
        if isinstance(t, (schema.Email, schema.Url, schema.PhoneNumber, schema.Id)) and not isinstance(t, schema.Ref):
            re.compile(w["pattern"][0])  # a pattern the browser can also read: plain, no Python-only syntax


TEST_IDS = {"locality": {"skibby", "slangerup"}, "municipality": {"frederikssund"},
            "district": {"nordsjaelland"}, "officer": {"skibby-betjent"}, "station": {"frederikssund-politistation"}}


def test_config_is_generated_from_the_schema(site_root, tmp_path):
    config = config_of(built(site_root, tmp_path))
    assert config["backend"] == {"name": "github", "repo": "example/naerpoliti-test", "branch": "main"}
    assert config["local_backend"] is True and config["locale"] == "da"
    assert (config["media_folder"], config["public_folder"]) == ("content/media", "media")
    for name, spec in [("news", schema.NEWS), ("events", schema.EVENT), ("pages", schema.PAGE)]:
        c = collection(config, name)
        assert c["folder"] == f"content/{name}" and c["extension"] == "md" and c["create"] is True
        *fields, body = c["fields"]
        assert body["name"] == "body" and body["widget"] == "markdown"
        check_fields(fields, spec, TEST_IDS)
        # an upload's path is what schema.MediaFile accepts: media/..., relative to content/
        assert c["media_folder"] == f"/content/media/{name}" and c["public_folder"] == f"media/{name}"
    assert collection(config, "news")["slug"] == "{{year}}-{{month}}-{{day}}-{{slug}}"
    amb = collection(config, "ambassadors")
    assert [f["file"] for f in amb["files"]] == ["content/ambassadors/skibby.yaml", "content/ambassadors/slangerup.yaml"]
    for f in amb["files"]:
        (lst, comment) = f["fields"]
        assert lst["widget"] == "list" and (comment["name"], comment["widget"]) == (admin.FILE_COMMENT, "hidden")
        check_fields(lst["fields"], schema.AMBASSADOR, TEST_IDS)
    consent = next(f for f in amb["files"][0]["fields"][0]["fields"] if f["name"] == "consent")
    assert [o["value"] for o in next(f for f in consent["fields"] if f["name"] == "fields")["options"]] == \
        list(schema.CONSENT_FIELDS)


def test_demo_config_offers_the_registry(tmp_path):
    out = tmp_path / "site"
    assert not build(REPO, out).failed
    config = config_of(out)
    localities = {o["value"] for o in next(f for f in collection(config, "news")["fields"]
                                           if f["name"] == "localities")["options"]}
    assert {"skibby", "glumsoe", "viborg"} <= localities and len(localities) == 10
    assert len(collection(config, "ambassadors")["files"]) == 10


def test_no_admin_without_site_cms(site_root, tmp_path):
    out = built(site_root, tmp_path, registry=REGISTRY)
    assert not (out / "admin").exists()


def test_cms_without_repo_is_a_content_error_at_its_line(site_root, tmp_path):
    registry = WITH_CMS.replace("    repo: example/naerpoliti-test\n", "")
    result = build(site_root(FILES, registry=registry), tmp_path / "site")
    assert result.failed and not (tmp_path / "site").exists()
    line = registry.splitlines().index("    backend: github") + 1
    assert messages(result) == [f"localities.yaml:{line}:5: error: missing required field 'site.cms.repo' "
                                "for backend github: add 'repo: ' with a repository name, owner/name, "
                                "e.g. nordsjaelland-politi/naerpoliti"]


def test_cms_settings_are_checked(site_root, tmp_path):
    registry = WITH_CMS.replace("backend: github", "backend: bitbucket").replace(
        "repo: example/naerpoliti-test", "repo: https://github.com/example/x")
    result = build(site_root(FILES, registry=registry), tmp_path / "site")
    found = messages(result)
    assert any(re.match(r"localities\.yaml:5:14: error: site\.cms\.backend: 'bitbucket' is not allowed here", m)
               for m in found), found
    assert any(re.match(r"localities\.yaml:6:11: error: site\.cms\.repo: 'https://github.com/example/x' is not "
                        r"a repository name", m) for m in found), found


def test_git_gateway_needs_no_repo_and_loads_netlify_identity(site_root, tmp_path):
    registry = WITH_CMS.replace("backend: github\n    repo: example/naerpoliti-test\n",
                                "backend: git-gateway\n    branch: udgivet\n")
    out = built(site_root, tmp_path, registry=registry)
    assert config_of(out)["backend"] == {"name": "git-gateway", "branch": "udgivet"}
    assert f'<script src="{admin.NETLIFY_IDENTITY_URL}"></script>' in (out / "admin/index.html").read_text()


def test_index_html_pins_decap_and_allows_exactly_its_scripts(site_root, tmp_path):
    html = (built(site_root, tmp_path) / "admin" / "index.html").read_text(encoding="utf-8")
    from naerpoliti import __version__
    assert f'<meta name="generator" content="naerpoliti {__version__}">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert (f'<script src="https://unpkg.com/decap-cms@{admin.DECAP_VERSION}/dist/decap-cms.js" '
            f'integrity="{admin.DECAP_INTEGRITY}" crossorigin="anonymous"></script>') in html
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html).group(1)
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    inline = re.findall(r"<script(?: type=\"module\")?>(.*?)</script>", html, re.S)
    assert len(inline) == 2
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in inline}
    sources = set(directives["script-src"].split())
    assert sources == hashes | {admin.DECAP_BASE, admin.YAML_BASE, "'unsafe-eval'"}
    assert set(directives["connect-src"].split()) == {"'self'", "blob:", "http://localhost:8081", "https://api.github.com"}


def test_pinned_versions_are_the_tested_ones():
    """The versions index.html loads are the ones tests/tools installs for the browser test."""
    tools = json.loads((REPO / "tests/tools/package.json").read_text())["devDependencies"]
    assert tools["decap-cms"] == admin.DECAP_VERSION and tools["yaml"] == admin.YAML_VERSION
    bundle = (REPO / "tests/tools/node_modules/decap-cms/dist/decap-cms.js").read_bytes()
    assert admin.DECAP_INTEGRITY == "sha384-" + base64.b64encode(hashlib.sha384(bundle).digest()).decode()


def test_admin_is_kept_out_of_sitemap_and_search(site_root, tmp_path):
    out = built(site_root, tmp_path)
    assert (out / "admin/index.html").is_file()
    assert "/om/" in sitemap_text(out) and "admin" not in sitemap_text(out)
    for index in out.glob("*.json"):
        assert "admin" not in index.read_text(encoding="utf-8"), index
    fragments = list((out / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert fragments
    texts = [gzip.decompress(f.read_bytes()).decode("utf-8", "replace") for f in fragments]
    assert any("/om/" in t for t in texts) and not any("/admin/" in t for t in texts)


def test_admin_output_is_reproducible(site_root, tmp_path):
    first = built(site_root, tmp_path)
    again = tmp_path / "again"
    assert not build(first.parent / "root", again).failed
    for name in ("index.html", "config.yml"):
        assert (first / "admin" / name).read_bytes() == (again / "admin" / name).read_bytes()


def test_every_id_is_quoted_in_the_config(site_root, tmp_path):
    # ids that a YAML reader could take as a number, a boolean or null when unquoted (issue 17)
    tricky = ["1e3", "yes", "0x1f", "010", "0o17", "null", "on", "no", "1-2", "123"]
    places = "".join(f"  - id: '{i}'\n    name: Sted {i}\n    municipality: frederikssund\n"
                     f"    postcodes: [\"4050\"]\n    officer: skibby-betjent\n" for i in tricky)
    registry = WITH_CMS.replace("localities:\n", "localities:\n" + places)
    text = (built(site_root, tmp_path, registry=registry) / "admin" / "config.yml").read_text(encoding="utf-8")
    for i in tricky:
        assert f'name: "{i}"' in text and f'value: "{i}"' in text, i
        assert not re.search(rf"(name|value): {re.escape(i)}$", text, re.M), i
    config = config_of(tmp_path / "site")
    names = [f["name"] for f in collection(config, "ambassadors")["files"]]
    assert all(isinstance(n, str) for n in names) and set(tricky) <= set(names)
