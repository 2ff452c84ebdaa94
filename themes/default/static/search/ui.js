// The search page: reads the query from the page's form and URL, runs it
// through the engine and draws the results into #search-results. Every
// message comes from the page (data-msg-* attributes, written from the
// theme's i18n/<lang>.toml); all text is inserted with textContent /
// createElement, never as HTML. Without JavaScript the page keeps its
// list of every item.

import { Engine } from "./engine.js";
import { highlightSpans, snippet } from "./snippet.js";
import { parseSynonyms } from "./synonyms.js";

const DEBOUNCE_MS = 250;
const SHOW_LOADING_AFTER_MS = 400;
const PARAMS = ["q", "section", "status"];

/**
 * Starts the search page of `doc` (a page with #search-results holding
 * data-index). Returns {engine, run, ready} or null on any other page.
 */
export function initSearchPage(doc, win) {
  const box = doc.getElementById("search-results");
  if (!box || box.getAttribute("data-search-ready")) return null;
  const indexAttr = box.getAttribute("data-index");
  if (!indexAttr) return null;
  box.setAttribute("data-search-ready", "1");
  const page = new SearchPage(doc, win, box, new URL(indexAttr, doc.baseURI).href);
  return { engine: page.engine, run: () => page.run(), ready: page.start() };
}

class SearchPage {
  constructor(doc, win, box, indexUrl) {
    this.doc = doc;
    this.win = win;
    this.box = box;
    this.indexUrl = indexUrl;
    this.engine = new Engine(indexUrl, { synonyms: parseSynonyms(box.getAttribute("data-synonyms")) });
    this.input = doc.getElementById("search-page-q") || doc.getElementById("search-q");
    this.headerInput = doc.getElementById("search-q");
    this.sectionSel = doc.getElementById("search-section");
    this.statusSel = doc.getElementById("search-status");
    this.original = null;
    this.seq = 0;
    this.timer = null;
    this.current = null;
    // The language switch keeps the search: its links get the query (the
    // links without JavaScript stay as written).
    this.switchLinks = Array.from(doc.querySelectorAll(".lang-switch a[href]"))
      .map((a) => ({ a, href: a.getAttribute("href") }));
  }

  /** A message of the page, with {name} placeholders filled. */
  msg(name, vars) {
    let s = this.box.getAttribute(`data-msg-${name}`) || "";
    for (const [k, v] of Object.entries(vars || {})) s = s.split(`{${k}}`).join(String(v));
    return s;
  }

  el(tag, cls, text) {
    const e = this.doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  /** Wires the form and keyboard, and runs the search of the URL. */
  start() {
    for (const el of this.box.querySelectorAll(".search-nojs")) el.hidden = true;
    const { input } = this;
    if (input) {
      input.addEventListener("input", () => this.schedule());
      input.addEventListener("keydown", (e) => this.onInputKey(e));
    }
    this.box.addEventListener("keydown", (e) => this.onResultsKey(e));
    const forms = new Set([input, this.sectionSel, this.statusSel].filter((c) => c && c.form).map((c) => c.form));
    for (const f of forms) f.addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    for (const s of [this.sectionSel, this.statusSel]) if (s) s.addEventListener("change", () => this.run());

    const params = new URLSearchParams(this.win.location.search);
    const q = params.get("q") || "";
    if (input) input.value = q;
    if (this.headerInput && this.headerInput !== input) this.headerInput.value = q;
    setSelect(this.sectionSel, params.get("section") || "");
    setSelect(this.statusSel, params.get("status") || "");
    const st = this.state();
    this.syncLinks(st);
    return st.q.trim() || st.section || st.status ? this.run() : Promise.resolve();
  }

  state() {
    return {
      q: this.input ? this.input.value : "",
      section: this.sectionSel ? this.sectionSel.value : "",
      status: this.statusSel ? this.statusSel.value : "",
    };
  }

  /** The search's URL parameters (empty ones left out). */
  static params(st) {
    const p = new URLSearchParams();
    for (const k of PARAMS) if (st[k] && (k !== "q" || st[k].trim())) p.set(k, st[k]);
    return p;
  }

  syncUrl(st) {
    const h = this.win.history;
    if (!h || !h.replaceState) return;
    const u = new URL(this.win.location.href);
    const p = SearchPage.params(st);
    for (const k of PARAMS) { if (p.has(k)) u.searchParams.set(k, p.get(k)); else u.searchParams.delete(k); }
    const target = u.pathname + u.search + u.hash;
    const loc = this.win.location;
    if (target !== loc.pathname + loc.search + loc.hash) h.replaceState(h.state, "", target);
  }

  /** Points the language switch at the same search in the other languages. */
  syncLinks(st) {
    const p = SearchPage.params(st);
    for (const { a, href } of this.switchLinks) {
      const u = new URL(href, this.doc.baseURI);
      for (const k of PARAMS) { if (p.has(k)) u.searchParams.set(k, p.get(k)); else u.searchParams.delete(k); }
      a.href = u.href;
    }
  }

  /** Result URLs in the index are relative to the site's base (`2023/16/`,
   *  `en/2023/16/`), not to the language's home (issue #20). */
  rootUrl() {
    const r = this.box.getAttribute("data-base");
    if (r) return new URL(r, this.doc.baseURI).href;
    return new URL((this.engine.m && this.engine.m.root) || "../../", this.indexUrl).href;
  }

  clearBox() {
    const { box } = this;
    if (!this.original) {
      this.original = this.doc.createDocumentFragment();
      while (box.firstChild) this.original.appendChild(box.firstChild);
    } else {
      while (box.firstChild) box.removeChild(box.firstChild);
    }
  }

  restore() {
    this.current = null;
    if (!this.original) return;
    while (this.box.firstChild) this.box.removeChild(this.box.firstChild);
    this.box.appendChild(this.original);
    this.original = null;
  }

  /** Appends text to parent with the spans [start, end) in <mark>. */
  appendMarked(parent, text, spans) {
    const cps = Array.from(text);
    let pos = 0;
    for (const [s, e] of spans) {
      if (s > pos) parent.appendChild(this.doc.createTextNode(cps.slice(pos, s).join("")));
      parent.appendChild(this.el("mark", null, cps.slice(s, e).join("")));
      pos = e;
    }
    if (pos < cps.length) parent.appendChild(this.doc.createTextNode(cps.slice(pos).join("")));
  }

  resultItem(meta, res) {
    const { engine } = this;
    const li = this.el("li", "search-result");
    const a = this.el("a", "search-result-link");
    a.href = new URL(meta.url, this.rootUrl()).href;
    a.appendChild(this.el("span", "search-result-number", this.msg("number", { n: meta.number })));
    a.appendChild(this.doc.createTextNode(" "));
    const title = this.el("span", "search-result-title");
    if (meta.lang) title.lang = meta.lang;
    this.appendMarked(title, meta.title, highlightSpans(engine.analyzer, meta.title, res.highlight));
    a.appendChild(title);
    li.appendChild(a);
    const statuses = (engine.m.labels && engine.m.labels.statuses) || {};
    const key = meta.status || "none";
    const word = statuses[key] || meta.status;
    if (word) {
      li.appendChild(this.doc.createTextNode(" "));
      li.appendChild(this.el("span", `badge badge-${key.replace(/[^a-z0-9-]/g, "")}`, word));
    }
    if (meta.text) {
      const p = this.el("p", "search-snippet");
      if (meta.lang) p.lang = meta.lang;
      const s = snippet(engine.analyzer, meta.text, res.highlight, engine.m.snippet);
      if (s.cutStart) p.appendChild(this.doc.createTextNode("…"));
      this.appendMarked(p, s.text, s.spans);
      if (s.cutEnd) p.appendChild(this.doc.createTextNode("…"));
      li.appendChild(p);
    }
    return li;
  }

  /** The active filters, named as the form names them ("状态：已完成"). */
  filterNames(st) {
    const names = [];
    for (const sel of [this.sectionSel, this.statusSel]) {
      if (!sel || !sel.value) continue;
      const label = sel.labels && sel.labels[0] ? sel.labels[0].textContent.trim() : "";
      const option = sel.options[sel.selectedIndex];
      names.push(this.msg("filter", { name: label, value: option ? option.textContent.trim() : sel.value }));
    }
    return names.join(this.msg("filter-separator"));
  }

  /**
   * No results: say why (the words, or the filters: a filter that leaves
   * nothing of a query's results says so, issue #20), and offer a way on.
   */
  async renderNone(res, st, box) {
    const q = st.q.trim();
    if (res.noTerms) {
      box.appendChild(this.el("p", "search-none", this.msg("empty")));
      return;
    }
    if (st.section || st.status) {
      const filters = this.filterNames(st);
      const unfiltered = q ? await this.engine.search(st.q, {}) : null;
      if (!q || (unfiltered && unfiltered.total)) {
        const text = q ? this.msg("none-filtered", { q, n: unfiltered.total, filters }) : this.msg("none-filters", { filters });
        box.appendChild(this.el("p", "search-none", text));
        const p = this.el("p", "search-clear");
        const button = this.el("button", "search-clear-filters", this.msg("clear-filters"));
        button.type = "button";
        button.addEventListener("click", () => {
          for (const sel of [this.sectionSel, this.statusSel]) if (sel) sel.value = "";
          this.run();
          if (this.input) this.input.focus();
        });
        p.appendChild(button);
        box.appendChild(p);
        return;
      }
    }
    box.appendChild(this.el("p", "search-none", this.msg("none", { q })));
    const all = this.box.getAttribute("data-all-items");
    if (all) {
      const p = this.el("p", "search-see-all");
      const link = this.el("a", null, this.msg("see-all"));
      link.href = new URL(all, this.doc.baseURI).href;
      p.appendChild(link);
      box.appendChild(p);
    }
  }

  /** Draws the results (or why there are none), unless a newer search started. */
  async render(res, metas, st, mine) {
    const { box } = this;
    if (!res.total) {
      const none = this.doc.createDocumentFragment();
      await this.renderNone(res, st, none);
      if (mine !== this.seq) return;
      this.current = null;
      this.clearBox();
      box.appendChild(none);
      return;
    }
    this.current = { res, shown: metas.length, st };
    this.clearBox();
    const countMsg = res.total === 1 && this.msg("count-one") ? this.msg("count-one") : this.msg("count", { n: res.total });
    box.appendChild(this.el("p", "search-summary", countMsg));
    if (res.synonyms.length) {
      const terms = [...new Set(res.synonyms.map((s) => s.to))].join(this.msg("filter-separator"));
      box.appendChild(this.el("p", "search-synonyms", this.msg("synonyms", { terms })));
    }
    if (res.mode === "any") box.appendChild(this.el("p", "search-fallback", this.msg("fallback")));
    const list = this.el("ol", "search-list");
    for (const meta of metas) list.appendChild(this.resultItem(meta, res));
    box.appendChild(list);
    this.addMoreButton();
  }

  addMoreButton() {
    const { current } = this;
    if (!current || current.shown >= current.res.total) return;
    const button = this.el("button", "search-more", this.msg("more"));
    button.type = "button";
    button.addEventListener("click", async () => {
      const mine = this.seq;
      const { res } = current;
      button.disabled = true;
      let metas;
      try {
        metas = await this.engine.docs(res.hits.slice(current.shown, current.shown + this.engine.m.page));
      } catch (err) {
        button.disabled = false;
        return;
      }
      if (mine !== this.seq) return;
      const list = this.box.querySelector("ol.search-list");
      let first = null;
      for (const meta of metas) {
        const li = this.resultItem(meta, res);
        if (!first) first = li.querySelector("a");
        list.appendChild(li);
      }
      current.shown += metas.length;
      button.remove();
      this.addMoreButton();
      if (first) first.focus();
    });
    this.box.appendChild(button);
  }

  renderMessage(cls, text) {
    this.clearBox();
    this.box.appendChild(this.el("p", cls, text));
  }

  /** Runs the search of the form now. */
  async run() {
    const { win, box } = this;
    if (this.timer) { win.clearTimeout(this.timer); this.timer = null; }
    const st = this.state();
    this.syncUrl(st);
    this.syncLinks(st);
    if (this.headerInput && this.headerInput !== this.input) this.headerInput.value = st.q;
    const mine = ++this.seq;
    if (!st.q.trim() && !st.section && !st.status) {
      box.removeAttribute("aria-busy");
      this.restore();
      return;
    }
    box.setAttribute("aria-busy", "true");
    const slow = win.setTimeout(() => { if (mine === this.seq) this.renderMessage("search-loading", this.msg("loading")); }, SHOW_LOADING_AFTER_MS);
    try {
      const res = await this.engine.search(st.q, { section: st.section, status: st.status });
      if (mine !== this.seq) return;
      if (!res) { this.restore(); return; }
      const metas = await this.engine.docs(res.hits.slice(0, this.engine.m.page));
      if (mine !== this.seq) return;
      await this.render(res, metas, st, mine);
    } catch (err) {
      if (mine === this.seq) this.renderMessage("search-error", this.msg("error"));
      if (win.console && win.console.error) win.console.error(err);
    } finally {
      win.clearTimeout(slow);
      if (mine === this.seq) box.removeAttribute("aria-busy");
    }
  }

  schedule() {
    if (this.timer) this.win.clearTimeout(this.timer);
    this.timer = this.win.setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  resultLinks() { return Array.from(this.box.querySelectorAll("a.search-result-link")); }

  onInputKey(e) {
    if (e.key === "ArrowDown") {
      const links = this.resultLinks();
      if (links.length) { e.preventDefault(); links[0].focus(); }
    } else if (e.key === "Escape" && this.input.value) {
      e.preventDefault();
      this.input.value = "";
      this.run();
    }
  }

  onResultsKey(e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Escape") return;
    const links = this.resultLinks();
    const i = links.indexOf(this.doc.activeElement);
    if (i < 0) return;
    e.preventDefault();
    const { input } = this;
    if (e.key === "Escape") { if (input) input.focus(); return; }
    const next = e.key === "ArrowDown" ? i + 1 : i - 1;
    if (next < 0) { if (input) input.focus(); }
    else if (next < links.length) links[next].focus();
    else {
      const more = this.box.querySelector("button.search-more");
      if (more) more.focus();
    }
  }
}

function setSelect(sel, value) {
  if (!sel) return;
  if (Array.from(sel.options).some((o) => o.value === value)) sel.value = value;
}
