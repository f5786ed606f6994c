// Full-text search on /soeg/ (search.html). Pagefind (/pagefind/, made by the build) is imported
// only when someone searches. Results: links with excerpts, whose <mark>s are rebuilt as elements
// and all else inserted as text, localities (the pages marked type:locality) before everything
// else, so that a place name finds its locality first. The count is announced in a live region;
// ?q= holds the query. The form is hidden in the HTML: without this script it could not search.

const PAGE_SIZE = 10; // results shown at a time (each fetches a fragment)

const root = document.getElementById("fulltext");
if (root) start(root);

function start(root) {
  const strings = root.dataset;
  const form = root.querySelector("form");
  const input = form.elements.q;
  const status = document.getElementById("fulltext-status");
  const list = document.getElementById("fulltext-results");
  const more = document.getElementById("fulltext-more");
  let api = null; // promise of Pagefind's module
  let latest = 0; // number of the latest search: older answers are dropped
  let waiting = []; // results not shown yet
  form.hidden = false;

  function pagefind() {
    if (!api) {
      api = import(strings.bundle).then(async (module) => {
        // The indexed pages' URLs already begin with the site's path (the build indexes them laid
        // out as on the server), so Pagefind must not add the folder it was loaded from again.
        await module.options({ excerptLength: 24, baseUrl: "/" });
        // a big site is indexed in parts: the build lists the others, merged into one search
        const listed = await fetch(strings.indexes, { cache: "no-cache" });
        if (!listed.ok) throw new Error("no list of indexes");
        for (const path of (await listed.json()).merge) await module.mergeIndex(path, { baseUrl: "/" });
        return module;
      });
      api.catch(() => { api = null; }); // try again next time
    }
    return api;
  }

  function say(text) {
    status.textContent = text;
  }

  function counted(count, query) {
    const template = count === 0 ? strings.none : count === 1 ? strings.one : strings.many;
    return template.replace("{count}", () => String(count)).replace("{query}", () => query);
  }

  async function search(query) {
    const number = ++latest;
    waiting = [];
    list.replaceChildren();
    list.hidden = true;
    more.hidden = true;
    if (!query) {
      say(query === null ? "" : strings.empty);
      return;
    }
    say(strings.searching);
    try {
      const module = await pagefind();
      const [found, places] = await Promise.all([module.search(query),
        module.search(query, { filters: { type: "locality" } })]);
      if (number !== latest || !found) return;
      const first = new Set(places ? places.results.map((result) => result.id) : []);
      waiting = [...(places ? places.results : []), ...found.results.filter((result) => !first.has(result.id))];
      await showMore(number, false);
      if (number === latest) say(counted(waiting.length + list.children.length, query));
    } catch (error) {
      if (number === latest) say(strings.failed);
    }
  }

  async function showMore(number, focus) {
    const batch = waiting.slice(0, PAGE_SIZE);
    const data = await Promise.all(batch.map((result) => result.data()));
    if (number !== latest) return;
    waiting = waiting.slice(batch.length);
    const items = data.map(resultItem);
    list.append(...items);
    list.hidden = list.children.length === 0;
    more.hidden = waiting.length === 0;
    if (focus && items.length) items[0].querySelector("a").focus();
  }

  function resultItem(data) {
    const item = document.createElement("li");
    const heading = document.createElement("h2");
    heading.className = "h4";
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.append(link);
    item.append(heading);
    const facts = [data.meta && data.meta.kind, data.meta && data.meta.date].filter(Boolean);
    if (facts.length) {
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = facts.join(" · ");
      item.append(meta);
    }
    if (data.excerpt) item.append(excerpt(data.excerpt));
    return item;
  }

  function queryOfPage() {
    return new URLSearchParams(window.location.search).get("q");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    const url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    if (url.href !== window.location.href) window.history.pushState(null, "", url);
    search(query);
  });

  more.addEventListener("click", () => {
    more.hidden = true;
    showMore(latest, true).catch(() => say(strings.failed));
  });

  window.addEventListener("popstate", () => {
    const query = queryOfPage();
    input.value = query || "";
    search(query === null ? null : query.trim());
  });

  const initial = queryOfPage();
  if (initial !== null && initial.trim()) {
    input.value = initial;
    search(initial.trim());
  }
}

// Pagefind's excerpt as a paragraph: only <mark>s become elements. DOMParser's document is inert.
function excerpt(html) {
  const paragraph = document.createElement("p");
  const parsed = new DOMParser().parseFromString(html, "text/html");
  for (const node of parsed.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}
