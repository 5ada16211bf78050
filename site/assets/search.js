// The search page: a labelled form in front of Pagefind's API (pagefind.js, built with the site).
// The form's data-pagefind names the bundle and data-base the site's base path, so results link
// under it. The query and theme live in the address (?q=...&theme=...), so a search can be shared.
// A long list's index comes in parts (data-pagefind-parts), merged into one search.
const PAGE_SIZE = 10;
const DEBOUNCE_MS = 250;

const form = document.getElementById("search-form");
if (form) start(form);

async function start(form) {
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const query = form.elements.q;
  const theme = form.elements.theme;
  const themeNames = new Map([...theme.options].map((option) => [option.value, option.text]));

  const parts = (form.dataset.pagefindParts || "").split(" ").filter(Boolean);
  let pagefind;
  try {
    pagefind = await import(form.dataset.pagefind);
    await pagefind.options({ baseUrl: form.dataset.base });
    await pagefind.init();
    for (const part of parts) await pagefind.mergeIndex(part, { baseUrl: form.dataset.base });
  } catch {
    status.textContent = "Search could not be loaded. Browse the papers by theme or tag instead.";
    return;
  }
  form.hidden = false;

  const params = new URLSearchParams(location.search);
  query.value = params.get("q") || "";
  if (themeNames.has(params.get("theme") || "")) theme.value = params.get("theme") || "";

  let latest = 0;
  let pending = [];

  function remember(term, filter) {
    const url = new URL(location.href);
    url.search = "";
    if (term) url.searchParams.set("q", term);
    if (filter) url.searchParams.set("theme", filter);
    history.replaceState(null, "", url);
  }

  async function showMore(ticket) {
    const batch = pending.splice(0, PAGE_SIZE);
    const found = await Promise.all(batch.map((result) => result.data()));
    if (ticket !== latest) return;
    list.append(...found.map(resultItem));
    more.hidden = pending.length === 0;
  }

  async function run() {
    const ticket = ++latest;
    const term = query.value.trim();
    const filter = theme.value;
    remember(term, filter);
    if (!term && !filter) {
      pending = [];
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    const options = { filters: filter ? { theme: filter } : {} };
    // Without words, list the theme's papers newest first. Pagefind lists a merged index's
    // parts one after the other, not in one order: with parts, that list is the theme's page.
    if (!term) options.sort = { date: "desc" };
    const onThemePage = !term && parts.length > 0;
    try {
      const search = await pagefind.search(term || null, options);
      if (ticket !== latest || !search) return;
      pending = onThemePage ? [] : [...search.results];
      list.replaceChildren();
      if (onThemePage && search.results.length) list.append(themePageItem(filter));
      await showMore(ticket);
      if (ticket === latest) status.textContent = describe(search.results.length, term, filter);
    } catch {
      if (ticket === latest) status.textContent = "The search failed. Please try again.";
    }
  }

  function describe(count, term, filter) {
    const papers = count === 1 ? "1 paper matches" : `${count} papers match`;
    const words = term ? ` “${term}”` : "";
    const where = filter ? ` in ${themeNames.get(filter)}` : "";
    return count ? `${papers}${words}${where}.` : `No paper matches${words}${where}.`;
  }

  function themePageItem(filter) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = theme.querySelector(`option[value="${CSS.escape(filter)}"]`).dataset.href;
    link.textContent = `Every paper in ${themeNames.get(filter)}, newest first`;
    item.append(link);
    return item;
  }

  function resultItem(data) {
    const item = document.createElement("li");
    const heading = document.createElement("h2");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title || data.url;
    heading.append(link);
    item.append(heading);
    const facts = [];
    const themeId = (data.filters.theme || [])[0];
    if (themeId && themeNames.has(themeId)) facts.push(themeNames.get(themeId));
    if (data.meta.date) facts.push(data.meta.date);
    if (facts.length) {
      const line = document.createElement("p");
      line.className = "meta";
      line.textContent = facts.join(" · ");
      item.append(line);
    }
    const excerpt = document.createElement("p");
    excerpt.append(excerptNodes(data.excerpt));
    item.append(excerpt);
    return item;
  }

  let timer;
  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  theme.addEventListener("change", run);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  more.addEventListener("click", () => showMore(latest).catch(() => {}));
  if (query.value || theme.value) run();
}

// Pagefind's excerpt is HTML whose only markup is <mark> around the matched words. It is parsed
// in an inert document and copied as text and <mark> elements, so nothing else can get in.
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const nodes = document.createDocumentFragment();
  for (const node of parsed.body.firstChild.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.append(mark);
    } else {
      nodes.append(document.createTextNode(node.textContent));
    }
  }
  return nodes;
}
