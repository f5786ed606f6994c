/* naerpoliti: find your officer as you type (WAI-ARIA combobox with listbox) and the nearest
 * localities. The index (naerpoliti/render/searchindex.py) is fetched on first use only; the
 * position never leaves the browser; all text comes from the page's data- attributes. */
(() => {
  "use strict";
  const SHOWN = 8, loading = {};
  const SPELL = [{ "æ": "ae", "ø": "oe", "å": "aa" }, { "æ": "ae", "ø": "o", "å": "a" }];
  // as searchindex.normalise(): "Glumsø" -> "glumsoe", bare: "glumso"
  const fold = (text, bare) => text.toLowerCase().replace(/[æøå]/g, (c) => SPELL[bare ? 1 : 0][c])
    .normalize("NFKD").replace(/\p{M}/gu, "").replace(/[^0-9a-z]+/g, " ").trim();

  const load = (url) => {
    if (!loading[url]) {
      loading[url] = fetch(url).then((r) => {
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return r.json();
      }).then((index) => index.localities.map((l, i) => { // index version 1: columns as in its `fields`
        const m = index.municipalities[l[4]], o = index.officers[l[5]];
        return { i, name: l[1], url: l[2], postcodes: l[3], xy: l[7], municipality: m[0],
          officer: `${o[0]}, ${o[1].toLowerCase()}`, phone: o[2], tel: o[3], own: l[8].split(" "),
          words: `${l[8]} ${m[2]} ${o[5]}`.split(" "), names: [fold(l[1]), fold(l[1], true)] };
      }));
      loading[url].catch(() => delete loading[url]); // try again on next use
    }
    return loading[url];
  };

  // Every query word begins a word of the locality, its municipality or officer. First an exact
  // postcode, then names that begin with the query, then matches of the locality's own words.
  const search = (entries, query) => {
    const q = fold(query), tokens = q.split(" ");
    const all = (words) => tokens.every((t) => words.some((w) => w.startsWith(t)));
    const rank = (e) => tokens.some((t) => e.postcodes.includes(t)) ? 0
      : e.names.some((n) => n.startsWith(q)) ? 1 : all(e.own) ? 2 : 3;
    return !q ? [] : entries.filter((e) => all(e.words)).map((e) => [rank(e), e])
      .sort((a, b) => a[0] - b[0] || a[1].i - b[1].i).map((hit) => hit[1]);
  };

  // The index has the primary language's URLs; this page may be another language version.
  const href = (data, url) => url.startsWith(data.root) ? data.home + url.slice(data.root.length) : url;

  const el = (tag, className, ...content) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...content);
    return node;
  };
  const attrs = (node, values) => Object.entries(values).forEach(([k, v]) => node.setAttribute(k, v));

  const finder = (form) => {
    const data = form.dataset, input = form.querySelector("input"), id = input.id;
    const list = el("ul", "finder-list"), status = el("div", "sr-only");
    let entries = null, results = [], active = -1, timer = 0;
    list.id = `${id}-list`;
    list.hidden = true;
    attrs(list, { role: "listbox", "aria-labelledby": `${id}-label` });
    attrs(status, { role: "status" });
    attrs(input, { role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": list.id });
    input.parentNode.append(list);
    form.append(status);

    const ready = () => load(data.index).then((e) => (entries = e), (error) => {
      status.textContent = data.unavailable;
      throw error;
    });
    const option = (e, n) => {
      const li = el("li", "", el("span", "finder-name", e.name), " ",
        el("span", "finder-meta", `${e.postcodes.join(", ")} · ${e.municipality}`), " ",
        el("span", "finder-meta", e.officer, ...(e.phone ? [" · ", el("span", "finder-phone", e.phone)] : [])));
      attrs(li, { id: `${list.id}-${n}`, role: "option", "aria-selected": "false" });
      li.addEventListener("click", () => go(e));
      return li;
    };
    const select = (n) => {
      active = n;
      [...list.children].forEach((li, i) => li.setAttribute("aria-selected", i === n));
      if (n < 0) return input.removeAttribute("aria-activedescendant");
      input.setAttribute("aria-activedescendant", list.children[n].id);
      list.children[n].scrollIntoView({ block: "nearest" });
    };
    const show = (on) => {
      list.hidden = !on;
      input.setAttribute("aria-expanded", on);
      if (!on) select(-1);
    };
    const go = (e) => {
      show(false);
      location.href = href(data, e.url);
    };
    const update = () => {
      const query = input.value, found = entries ? search(entries, query) : [], n = found.length;
      results = found.slice(0, SHOWN);
      active = -1;
      list.replaceChildren(...results.map(option));
      show(n > 0);
      clearTimeout(timer);
      timer = setTimeout(() => { // announce once typing pauses
        status.textContent = !fold(query) ? "" : !n ? data.foundNone : n === 1 ? data.foundOne
          : (n > SHOWN ? data.foundMore : data.foundMany).replace("{n}", n).replace("{m}", SHOWN);
      }, 400);
    };

    input.addEventListener("focus", () => ready().catch(() => {}));
    input.addEventListener("input", () => ready().then(update, () => {}));
    input.addEventListener("blur", () => show(false));
    list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the field
    input.addEventListener("keydown", (event) => {
      const key = event.key, open = !list.hidden;
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (key === "ArrowDown" || key === "ArrowUp") {
        if (!results.length && entries && input.value) update();
        const n = results.length;
        if (!n) return;
        event.preventDefault();
        show(true);
        if (event.altKey) return;
        if (key === "ArrowDown") select(open && active < n - 1 ? active + 1 : 0);
        else select(open && active > 0 ? active - 1 : n - 1);
      } else if (key === "Escape" && open) {
        event.preventDefault();
        show(false);
      } else if (key === "Escape" && input.value) {
        input.value = "";
        update();
      }
    });
    // Enter: the active option, else the best match; with nothing found, the list A–Z.
    form.addEventListener("submit", (event) => {
      if (entries && !results.length && input.value) update();
      const e = results[active] || results[0];
      if (e) {
        event.preventDefault();
        go(e);
      }
    });
  };

  const km = (a, b) => { // great-circle distance (haversine)
    const r = Math.PI / 180, s = Math.sin, c = Math.cos;
    const h = s((b[0] - a[0]) * r / 2) ** 2 + c(a[0] * r) * c(b[0] * r) * s((b[1] - a[1]) * r / 2) ** 2;
    return 12742.0176 * Math.asin(Math.min(1, Math.sqrt(h)));
  };

  const nearest = (box) => {
    if (!navigator.geolocation || !window.isSecureContext) return;
    const data = box.dataset, status = box.querySelector("[role=status]"), out = box.querySelector("ol");
    const lang = document.documentElement.lang || undefined;
    let busy = false;
    box.hidden = false;

    const link = (text, url) => {
      const a = el("a", "", text);
      a.href = url;
      return a;
    };
    const item = ([d, e]) => el("li", "",
      el("p", "", link(e.name, href(data, e.url)),
        ` – ${data.distance.replace("{d}", d.toLocaleString(lang, { maximumFractionDigits: d < 10 ? 1 : 0 }))}`),
      el("p", "meta", `${e.municipality} · ${e.officer}`, ...(e.tel ? [" · ", link(e.phone, e.tel)] : [])));
    const show = (entries, here) => {
      const near = entries.filter((e) => e.xy).map((e) => [km(here, e.xy), e])
        .sort((a, b) => a[0] - b[0] || a[1].i - b[1].i).slice(0, 3);
      out.replaceChildren(...near.map(item));
      status.textContent = near.length ? data.found : data.failed;
    };

    box.querySelector("button").addEventListener("click", () => {
      if (busy) return;
      busy = true;
      out.replaceChildren();
      status.textContent = data.locating;
      navigator.geolocation.getCurrentPosition((p) => {
        load(data.index).then((entries) => show(entries, [p.coords.latitude, p.coords.longitude]),
          () => (status.textContent = data.unavailable)).finally(() => (busy = false));
      }, (error) => {
        busy = false;
        status.textContent = error.code === error.PERMISSION_DENIED ? data.denied : data.failed;
      }, { maximumAge: 300000, timeout: 20000 });
    });
  };

  document.querySelectorAll("form[data-found-one]").forEach(finder);
  document.querySelectorAll(".nearest[data-index]").forEach(nearest);
})();
