{# The browser editor's custom formats, inlined in admin/index.html (render/admin.py), whose
   Content-Security-Policy allows this script by its hash. Fixed code: no content goes in. #}
import YAML from "{{ yaml_url }}";

// Fields in schema order; values an editor emptied ("", [], {}) are left out, as the validator
// reads an empty value as an error. YAML 1.1 output: the validator reads yes/no/on/off as yes/no.
const AMBASSADOR_ORDER = {{ order }};  // an ambassador's fields, then its consent's
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
const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n?---[ \t]*(?:\r?\n|$)([\s\S]*)$/;

CMS.registerCustomFormat("{{ front_matter }}", "md", {
  fromFile(text) {
    const m = FRONT_MATTER.exec(text);
    return m ? { ...(YAML.parse(m[1]) || {}), body: m[2].replace(/^\r?\n/, "") } : { body: text };
  },
  toFile(data, order = []) {  // order: the collection's field names, which Decap passes
    const { body, ...fields } = data;
    const text = (body || "").trim();
    return "---\n" + dump(clean(fields, order) || {}) + "---\n" + (text ? text + "\n" : "");
  },
});
// An ambassador file is a list at the top level; Decap edits it as one list field,
// and keeps the comment at the top of the file in the hidden field `{{ comment }}`.
CMS.registerCustomFormat("{{ ambassadors }}", "yaml", {
  fromFile(text) {
    const doc = YAML.parseDocument(text);
    // without a blank line below it, the comment at the top belongs to the first item
    const head = doc.commentBefore ?? doc.contents?.items?.[0]?.commentBefore ?? "";
    return { {{ list }}: doc.toJS() || [], {{ comment }}: head };
  },
  toFile: (data) => dump(clean(data.{{ list }}, AMBASSADOR_ORDER) || [], data.{{ comment }}),
});
CMS.init();
