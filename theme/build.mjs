// Builds naerpoliti's default theme from src/naerpoliti.scss.
//
//   cd theme && npm ci && npm run build
//
// Writes (all generated; do not edit by hand):
//   templates/assets/naerpoliti.css     compiled, compressed, no source map
//   templates/assets/fonts/*.woff2      the IBM Plex Sans files the CSS references
//   templates/assets/fonts/OFL.txt      the fonts' licence, from the dkfds package
//   templates/assets/LICENSES.md        what comes from where
//
// The output depends only on src/ and the pinned packages, so a rebuild gives
// the same bytes. Any Sass error, a missing font file, an unexpected url() or
// a CSS file over the budget fails the build (non-zero exit).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";
import postcss from "postcss";

const THEME = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(THEME, "..");
const ASSETS = path.join(ROOT, "templates", "assets");
const FONTS_OUT = path.join(ASSETS, "fonts");
const CSS_OUT = path.join(ASSETS, "naerpoliti.css");
const ENTRY = path.join(THEME, "src", "naerpoliti.scss");
const NODE_MODULES = path.join(THEME, "node_modules");
const DKFDS = path.join(NODE_MODULES, "dkfds"); // its "exports" hide package.json from require.resolve
const FONTS_IN = path.join(DKFDS, "dist", "fonts", "IBMPlexSans", "split", "woff2");

// Hard limit for the compiled CSS (bytes, uncompressed). The page budget is
// 50 KB of CSS + JS; keep the CSS well below this.
const CSS_BUDGET = 40 * 1024;

// Class names whose selectors are removed after compiling. These are the
// sub-parts of the loaded dkfds modules that the site cannot use: they need
// dkfds JavaScript (mobile drawer, overflow menus, table selection, alert
// close button), dkfds icons or images (the .logo background image), forms,
// or belong to components not loaded (print rules for forms, tabs, modals...).
// A selector is dropped when it contains one of these classes outside
// :not(...); a rule is dropped when all its selectors are; empty @media and
// unused @keyframes go too. Remove a name here before using that class.
const UNUSED = {
    "documentation state helpers": [
        "button-hover", "button-active", "tag-hover", "tag-active",
        "link-hover", "link-visited", "link-focus",
    ],
    "header: mobile drawer, navigation, search, login (need dkfds JS / other components)": [
        "mobile-drawer", "menu-top", "menu-heading", "button-menu-open",
        "button-menu-close", "overlay", "portal-info-mobile",
        "solution-info-mobile", "navigation-menu", "navigation-menu-inner",
        "nav", "contains-search", "search", "search-form", "log-on", "log-off",
        "portal-user", "user", "button-contact", "function-link",
    ],
    "header/footer logo (background image not shipped)": ["logo"],
    "language switcher: header and mobile-drawer variants (need dkfds JS)": [
        "language-switcher-header", "language-switcher-mobile",
        "select-language-button", "select-language-list", "tooltip-wrapper",
    ],
    "icon-only parts (no icons are shipped)": [
        "button-icon-only", "icon-link", "button-first", "button-last", "card-icon",
    ],
    "alerts: close button (needs dkfds JS)": ["alert-close"],
    "buttons: warning variant (no destructive actions on a static site)": ["button-warning"],
    "table: selectable rows, table pagination, structured list (need dkfds JS / other components)": [
        "table--selectable", "table-row-selected", "table-selected-number",
        "no-selected", "table-actions", "table-pagination",
        "table-pagination-options", "rows-message", "structured-list",
    ],
    // Kept: .table, --compact, --zebra, .table--responsive-scroll (wrapper).
    // --responsive-headers (rows as cards on phones) costs ~3 KB and
    // --borderless ~2 KB; delete these lines to get them back.
    "table: size-heavy variants": [
        "table--borderless", "table--extracompact",
        "table--responsive-headers", "table-sm-responsive-headers",
        "table-md-responsive-headers", "table-lg-responsive-headers",
        "table-xl-responsive-headers",
    ],
    "typography: form and display-heading classes": [
        "form-label", "form-hint", "form-error-message", "form-checkbox",
        "form-radio", "displayheading-1", "displayheading-2", "facit",
        "field-group-title",
    ],
    "print rules for components that are not loaded": [
        "form-group", "form-input", "form-select", "mixed", "toggle-element",
        "toggle-button", "tab-container", "tab-list", "tab-button",
        "fds-modal", "fds-modal-inert", "modal-backdrop", "tooltip",
        "tooltip-arrow",
    ],
};

const UNUSED_CLASSES = new Set(Object.values(UNUSED).flat());

function fail(message) {
    console.error(`build failed: ${message}`);
    process.exit(1);
}

function rel(p) {
    return path.relative(ROOT, p).split(path.sep).join("/");
}

// --- 1. Compile --------------------------------------------------------------

let compiled;
try {
    compiled = sass.compile(ENTRY, {
        loadPaths: [NODE_MODULES],
        style: "expanded",
        sourceMap: false,
        // Deprecation warnings from dkfds's own SCSS (node_modules) are not
        // ours to fix; warnings from src/ still show. Errors always throw.
        quietDeps: true,
    });
} catch (err) {
    fail(err.message);
}

// --- 2. Remove unused sub-parts ------------------------------------------------

// Class names in a selector, ignoring anything inside :not(...).
function classesOf(selector) {
    let s = selector;
    let prev;
    do {
        prev = s;
        s = s.replace(/:not\([^()]*\)/g, "");
    } while (s !== prev);
    return [...s.matchAll(/\.(-?[_a-zA-Z][\w-]*)/g)].map((m) => m[1]);
}

const root = postcss.parse(compiled.css);
const matched = new Set();
let droppedSelectors = 0;

root.walkRules((rule) => {
    if (rule.parent.type === "atrule" && /keyframes$/.test(rule.parent.name)) return;
    const keep = rule.selectors.filter((sel) => {
        const hit = classesOf(sel).filter((c) => UNUSED_CLASSES.has(c));
        hit.forEach((c) => matched.add(c));
        return hit.length === 0;
    });
    droppedSelectors += rule.selectors.length - keep.length;
    if (keep.length === 0) rule.remove();
    else if (keep.length !== rule.selectors.length) rule.selectors = keep;
});

// cards: `@supports (height: intrinsic) and (not (aspect-ratio: 1))` targets
// Safari < 15 only, and the W3C CSS validator (run by the project's tests)
// rejects `height: intrinsic`.
root.walkAtRules("supports", (at) => {
    if (/\bintrinsic\b/.test(at.params)) at.remove();
});

// Empty at-rules (repeat: nested @media/@supports may empty their parents).
let removed;
do {
    removed = 0;
    root.walkAtRules((at) => {
        if (at.nodes && at.nodes.length === 0) {
            at.remove();
            removed++;
        }
    });
} while (removed);

// @keyframes no longer referenced by any animation.
const animations = [];
root.walkDecls(/^animation(-name)?$/, (d) => animations.push(d.value));
root.walkAtRules(/keyframes$/, (at) => {
    const name = at.params.trim();
    if (!animations.some((v) => v.split(/[\s,]+/).includes(name))) at.remove();
});

for (const c of UNUSED_CLASSES) {
    if (!matched.has(c)) {
        console.warn(`note: UNUSED class "${c}" matched nothing (stale entry after a dkfds update?)`);
    }
}

// --- 3. Compress ---------------------------------------------------------------

const dkfdsVersion = JSON.parse(fs.readFileSync(path.join(DKFDS, "package.json"), "utf8")).version;
const banner =
    `/*! naerpoliti theme | Det Fælles Designsystem (dkfds) ${dkfdsVersion}, MIT; ` +
    `IBM Plex Sans, OFL-1.1 | see LICENSES.md */\n`;
let css;
try {
    // charset (default): the CSS has non-ASCII (the banner, list bullets), so
    // compressed Sass output starts with a UTF-8 byte order mark.
    css = sass.compileString(banner + root.toString(), { syntax: "css", style: "compressed" }).css + "\n";
} catch (err) {
    fail(`re-compressing the pruned CSS: ${err.message}`);
}

// --- 4. Checks ------------------------------------------------------------------

const urls = [...css.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/g)].map((m) => m[2]);
const fontFiles = [];
for (const u of urls) {
    const m = /^fonts\/([\w.-]+\.woff2)$/.exec(u);
    if (!m) fail(`unexpected url(${u}) in the CSS; only fonts/*.woff2 is shipped`);
    if (!fontFiles.includes(m[1])) fontFiles.push(m[1]);
    if (!fs.existsSync(path.join(FONTS_IN, m[1]))) fail(`font file not found: ${path.join(FONTS_IN, m[1])}`);
}
if (fontFiles.length === 0) fail("no @font-face url() found in the CSS");
fontFiles.sort();

const cssBytes = Buffer.byteLength(css, "utf8");
if (cssBytes > CSS_BUDGET) fail(`naerpoliti.css is ${cssBytes} bytes, over the ${CSS_BUDGET} byte budget`);

// --- 5. Licence texts -------------------------------------------------------------

const dkfdsLicense = fs.readFileSync(path.join(DKFDS, "LICENSE.md"), "utf8").replace(/\r\n/g, "\n");
const mit = /licensed under the MIT license\s*```\n([\s\S]*?)```/.exec(dkfdsLicense);
if (!mit || !/^Copyright /.test(mit[1])) fail("could not find the MIT text in dkfds/LICENSE.md");
const mitText = mit[1].trim();
const dkfdsCopyright = mitText.split("\n")[0];
const ofl = fs.readFileSync(path.join(FONTS_IN, "license.txt"));
if (!/SIL Open Font License, Version 1\.1/.test(ofl.toString("utf8"))) fail("font license.txt is not the OFL 1.1");

const licenses = `# Third-party material in templates/assets

Generated by \`theme/build.mjs\`; do not edit by hand.

## naerpoliti.css

Compiled from the SCSS of Det Fælles Designsystem, npm package \`dkfds\`
${dkfdsVersion} (https://github.com/detfaellesdesignsystem/dkfds-components),
with naerpoliti's own configuration and site styles (\`theme/src/\`).
dkfds is licensed under the MIT license:

\`\`\`
${mitText}
\`\`\`

## fonts/

${fontFiles.map((f) => `- \`fonts/${f}\``).join("\n")}

IBM Plex Sans, Latin-1 subsets as shipped in \`dkfds\` ${dkfdsVersion}
(\`dist/fonts/IBMPlexSans/split/woff2/\`), unmodified.
Copyright © 2017 IBM Corp. with Reserved Font Name "Plex".
Licensed under the SIL Open Font License, Version 1.1; the full text is in
\`fonts/OFL.txt\`.

## Icons

None. No dkfds icons (Material Symbols / Pictogrammers, Apache-2.0) are
included in naerpoliti.css or in this folder.
`;

// --- 6. Write ----------------------------------------------------------------------

fs.mkdirSync(ASSETS, { recursive: true });
fs.rmSync(FONTS_OUT, { recursive: true, force: true });
fs.mkdirSync(FONTS_OUT, { recursive: true });

fs.writeFileSync(CSS_OUT, css);
let fontBytes = 0;
for (const f of fontFiles) {
    fs.copyFileSync(path.join(FONTS_IN, f), path.join(FONTS_OUT, f));
    fontBytes += fs.statSync(path.join(FONTS_OUT, f)).size;
}
fs.writeFileSync(path.join(FONTS_OUT, "OFL.txt"), ofl);
fs.writeFileSync(path.join(ASSETS, "LICENSES.md"), licenses);

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`${rel(CSS_OUT)}: ${cssBytes} bytes (${kb(cssBytes)}; budget ${kb(CSS_BUDGET)}), ${droppedSelectors} unused selectors removed`);
console.log(`${rel(FONTS_OUT)}/: ${fontFiles.length} woff2 files, ${fontBytes} bytes (${kb(fontBytes)}) total`);
for (const f of fontFiles) console.log(`  ${f}`);
console.log(`${rel(path.join(FONTS_OUT, "OFL.txt"))}, ${rel(path.join(ASSETS, "LICENSES.md"))}`);
