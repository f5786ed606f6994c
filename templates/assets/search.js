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
        const m = index.municipalities[l[4]], o = index.officers[l[5]], places = l[9] || [];
        return { i, name: l[1], url: l[2], postcodes: l[3], xy: l[7], municipality: m[0],
          officer: `${o[0]}, ${o[1].toLowerCase()}`, phone: o[2], tel: o[3], reply: o[6] || "", own: l[8].split(" "),
          words: `${l[8]} ${m[2]} ${o[5]}`.split(" "), names: [fold(l[1]), fold(l[1], true)],
          places: places.map((p) => [p, fold(p), fold(p, true)]) };
      }));
      loading[url].catch(() => delete loading[url]); // try again on next use
    }
    return loading[url];
  };

  // Every query word begins a word of the locality (its name, places, postcodes, councils), its
  // municipality or officer. First an exact postcode, then a name or a place that begins with the
  // query, then matches of the locality's own words. A place in two localities finds both.
  const search = (entries, query) => {
    const q = fold(query), tokens = q.split(" ");
    const all = (words) => tokens.every((t) => words.some((w) => w.startsWith(t)));
    const named = (e) => e.names.some((n) => n.startsWith(q)) || e.places.some((p) => p[1].startsWith(q) || p[2].startsWith(q));
    const rank = (e) => tokens.some((t) => e.postcodes.includes(t)) ? 0 : named(e) ? 1 : all(e.own) ? 2 : 3;
    return !q ? [] : entries.filter((e) => all(e.words)).map((e) => [rank(e), e])
      .sort((a, b) => a[0] - b[0] || a[1].i - b[1].i);
  };
  // The places a query names (shown with the locality, so that "Mogenstrup" explains Fladså).
  const placesNamed = (e, query) => {
    const tokens = fold(query).split(" ");
    return e.places.filter((p) => [p[1], p[2]].some((n) => tokens.every((t) => n.split(" ").some((w) => w.startsWith(t)))))
      .map((p) => p[0]);
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
  const link = (text, url, className) => {
    const a = el("a", className, text);
    a.href = url;
    return a;
  };

  // A search field with a list of links to the matching localities (and their officers' phones)
  // under it: arrow keys move between the localities, Enter in the field opens the only match or
  // shows them all, never picks one of several. Without a match, a visible message leads to the
  // postcodes and the list A–Z. Without JavaScript the form stays hidden: <noscript> has the links.
  const finder = (form) => {
    const data = form.dataset, input = form.querySelector("input"), id = input.id;
    const list = el("ul", "finder-list"), none = el("div", "finder-list finder-none"), status = el("div", "sr-only");
    let entries = null, failed = false, results = [], timer = 0;
    list.id = `${id}-list`;
    list.hidden = none.hidden = true;
    none.id = `${id}-none`;
    none.style.padding = "0 8px"; // CSSOM, which the CSP allows
    none.append(el("p", "", data.foundNone), el("p", "", link(data.postcodesLabel, data.postcodes), " · ",
      link(data.localitiesLabel, data.localities)));
    attrs(status, { role: "status" });
    attrs(input, { "aria-controls": list.id });
    input.parentNode.append(list, none);
    form.append(status);
    form.hidden = false;

    const ready = () => load(data.index).then((e) => (entries = e), (error) => {
      failed = true;
      status.textContent = data.unavailable;
      throw error;
    });
    const names = () => [...list.querySelectorAll(".finder-name")];
    // what to expect of the officer, as on the locality page: not for 112 or reports, the reply time
    const expect = (e) => [data.officerNote, e.reply && (/[.!?]$/.test(e.reply) ? e.reply : `${e.reply}.`)]
      .filter(Boolean).join(" ");
    const option = ([, e]) => {
      const where = [...placesNamed(e, input.value), e.postcodes.join(", "), e.municipality].join(" · ");
      const li = el("li", "", link(e.name, href(data, e.url), "finder-name"), " ",
        el("span", "finder-meta", where), " ",
        el("span", "finder-meta", e.officer, ...(e.tel ? [" · ", link(e.phone, e.tel, "finder-phone")] : [])), " ",
        el("span", "finder-meta finder-expect", expect(e)));
      li.addEventListener("click", (event) => {
        if (!event.target.closest("a")) li.querySelector(".finder-name").click();
      });
      return li;
    };
    const close = () => {
      list.hidden = none.hidden = true;
    };
    const announce = (query, n) => {
      clearTimeout(timer);
      timer = setTimeout(() => { // once typing pauses
        status.textContent = !fold(query) ? "" : !n ? data.foundNone : n === 1 ? data.foundOne
          : (n > results.length ? data.foundMore : data.foundMany).replace("{n}", n).replace("{m}", results.length);
      }, 400);
    };
    const update = () => {
      const query = input.value, found = entries ? search(entries, query) : [], n = found.length;
      // every locality a postcode or a name gives is listed, else the best few
      results = found.slice(0, Math.max(SHOWN, found.filter((hit) => hit[0] <= 1).length));
      list.replaceChildren(...results.map(option));
      list.hidden = !n;
      none.hidden = !!n || !entries || !fold(query);
      announce(query, n);
      return n;
    };
    const focusName = (n) => {
      const all = names();
      if (all.length) all[(n + all.length) % all.length].focus();
    };

    input.addEventListener("focus", () => ready().catch(() => {}));
    input.addEventListener("input", () => ready().then(update, () => {}));
    form.addEventListener("focusout", (event) => {
      if (!form.contains(event.relatedTarget)) close();
    });
    list.addEventListener("mousedown", (event) => {
      if (!event.target.closest(".finder-phone")) event.preventDefault(); // keep the focus in the field
    });
    form.addEventListener("keydown", (event) => {
      const key = event.key, inList = list.contains(event.target), at = names().indexOf(event.target);
      if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
      if (key === "ArrowDown" || key === "ArrowUp") {
        if (!inList && event.target !== input) return;
        if (!inList && entries && input.value && !update()) return;
        if (!results.length) return;
        event.preventDefault();
        list.hidden = false;
        const step = key === "ArrowDown" ? 1 : -1;
        focusName(at < 0 ? (step > 0 ? 0 : -1) : at + step);
      } else if (key === "Escape" && (!list.hidden || !none.hidden)) {
        event.preventDefault();
        close();
        input.focus();
      } else if (key === "Escape" && event.target === input && input.value) {
        input.value = "";
        update();
      }
    });
    // Enter: exactly one match opens it; several are listed (never one picked silently); none: the
    // message with the postcodes and the list A–Z. Without the index, the form goes on to the
    // full-text search with what was typed.
    form.addEventListener("submit", (event) => {
      if (failed && !entries) return;
      event.preventDefault();
      ready().then(() => {
        const n = update();
        if (n === 1) location.href = href(data, results[0][1].url);
      }, () => {});
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
