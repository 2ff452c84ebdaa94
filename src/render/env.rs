//! What every page render shares: the site, the compiled templates, the
//! rendered bodies, the language's globals in pooled tera contexts, and
//! the rows and section heads that many pages show, each built once.

use super::bodies::RenderedBodies;
use super::context::common::{Globals, language_globals};
use super::context::item::{ItemRowPage, ListRow, item_summary};
use super::context::page_context;
use super::context::pages::item_page;
use super::context::plan::{SectionHead, section_head};
use super::native::Strings;
use super::templates::{Templates, report_tera_error};
use super::{badge, data, feeds, moved};
use crate::diagnostics::Diagnostics;
use crate::index::Cancelled;
use crate::link::LinkedSite;
use crate::pages::{Page, page_output_path};
use std::sync::{Mutex, OnceLock};

/// What every page render needs: the site, compiled templates, rendered
/// bodies and the per-language values shared by all pages.
pub struct RenderEnv<'a> {
    pub site: &'a LinkedSite,
    pub templates: &'a Templates,
    pub bodies: &'a RenderedBodies,
    /// An item as lists show it (`number` and `row_html`, the rendered
    /// `partials/item_row.html`), built once per item and language when a
    /// page first lists the item (`rows[plan][item * languages + lang]`):
    /// the same row appears on a dozen pages or more, and copying it is
    /// several times cheaper than building it again. Rows hold no more:
    /// tera needs owned values, and copying the whole summary into the
    /// 400,000 list places of a 10,000-item plan was 14 % of its build.
    rows: Vec<Vec<OnceLock<ListRow>>>,
    /// A section as pages show it, without its items
    /// (`sections[plan][section * languages + lang]`): every item page
    /// shows its section's progress, which is a sum over the section's
    /// items, so building it for each page would grow with the square of
    /// the section's size.
    sections: Vec<Vec<OnceLock<SectionHead>>>,
    /// The globals as a tera context, one per language.
    global_contexts: Vec<tera::Context>,
    /// The globals, typed, one per language, for the compiled templates.
    globals: Vec<Globals<'a>>,
    /// The UI strings the compiled templates use, one per language;
    /// `None` for a language that lacks one (tera renders its pages).
    strings: Vec<Option<Strings<'a>>>,
    /// Contexts holding a language's globals, reused page after page
    /// (`[lang]`): a page's own values are moved in for its render and
    /// taken out again. Cloning the globals (~120 UI strings) for each of
    /// 40,000 pages was a tenth of the engine's time.
    context_pool: Mutex<Vec<Vec<tera::Context>>>,
    /// The first error rendering a row, reported by the page that needed it.
    row_error: Mutex<Option<tera::Error>>,
    /// Asked before each row is built (see [`RenderEnv::giving_way_to`]).
    cancelled: Option<Cancelled<'a>>,
}

/// Bytes reserved for a page as it renders: an item page of the default
/// theme is 16–20 KB; longer pages grow the buffer.
const PAGE_CAPACITY: usize = 32 * 1024;
/// Bytes reserved for a list row.
const ROW_CAPACITY: usize = 2 * 1024;

/// The item row partial (see [`RenderEnv::list_row`]).
pub const ITEM_ROW_TEMPLATE: &str = "partials/item_row.html";

/// One empty slot per plan, thing (`count` of them in a plan) and
/// language.
fn slots<T>(
    site: &LinkedSite,
    count: fn(&crate::link::LinkedPlan) -> usize,
) -> Vec<Vec<OnceLock<T>>> {
    let nlang = site.config.languages.len();
    site.plans
        .iter()
        .map(|p| (0..count(p) * nlang).map(|_| OnceLock::new()).collect())
        .collect()
}

impl<'a> RenderEnv<'a> {
    pub fn new(site: &'a LinkedSite, templates: &'a Templates, bodies: &'a RenderedBodies) -> Self {
        let nlang = site.config.languages.len();
        let globals: Vec<Globals<'a>> = (0..nlang).map(|l| language_globals(site, l)).collect();
        let global_contexts: Vec<tera::Context> = globals
            .iter()
            .map(|g| tera::Context::from_serialize(g).expect("globals are a JSON object"))
            .collect();
        let strings = globals
            .iter()
            .map(|g| Strings::from_globals(&g.t))
            .collect();
        RenderEnv {
            site,
            templates,
            bodies,
            rows: slots(site, |p| p.items.len()),
            sections: slots(site, |p| p.sections.len()),
            context_pool: Mutex::new(vec![Vec::new(); global_contexts.len()]),
            global_contexts,
            globals,
            strings,
            row_error: Mutex::new(None),
            cancelled: None,
        }
    }

    /// This environment, building no more list rows once `cancelled` says
    /// so: a list of 10,000 items builds 10,000 rows before its template
    /// writes a byte, and serve gives way to a new edit meanwhile (the
    /// pages rendered then are thrown away; issue #21.2).
    pub fn giving_way_to(mut self, cancelled: Cancelled<'a>) -> Self {
        self.cancelled = Some(cancelled);
        self
    }

    /// An item's row in lists: its `number` and `row_html`, the HTML of
    /// `partials/item_row.html` with `row` = the item's summary and the
    /// language's globals (empty when the theme has no such partial).
    /// Built at most once per build and item and language.
    pub fn list_row(&self, plan: usize, item: usize, lang: usize) -> &ListRow {
        let nlang = self.site.config.languages.len();
        self.rows[plan][item * nlang + lang].get_or_init(|| ListRow {
            number: self.site.plans[plan].items[item].item.number,
            row_html: self.item_row_html(plan, item, lang),
        })
    }

    /// A section without its items, built at most once per build and
    /// section and language.
    pub fn section_head(&self, plan: usize, section: usize, lang: usize) -> &SectionHead {
        let nlang = self.site.config.languages.len();
        self.sections[plan][section * nlang + lang]
            .get_or_init(|| section_head(self.site, plan, section, lang))
    }

    fn item_row_html(&self, plan: usize, item: usize, lang: usize) -> String {
        if self.cancelled.is_some_and(|c| c()) {
            return String::new();
        }
        if !self.templates.paths.contains_key(ITEM_ROW_TEMPLATE) {
            return String::new();
        }
        let row = item_summary(self.site, plan, item, lang);
        if self.templates.native.item_row
            && let Some(strings) = &self.strings[lang]
        {
            let mut html = Vec::with_capacity(ROW_CAPACITY);
            super::native::item_row(&mut html, self.globals[lang].lang, strings, &row);
            return String::from_utf8(html).expect("written from strings");
        }
        let context = ItemRowPage { row };
        let values = serde_json::to_value(context).expect("contexts have string keys only");
        let rendered = self
            .render_with_globals(ITEM_ROW_TEMPLATE, lang, values, ROW_CAPACITY, None)
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|e| tera::Error::msg(e.to_string()))
            });
        match rendered {
            Ok(html) => html,
            Err(e) => {
                let mut first = self.row_error.lock().expect("row error lock");
                if first.is_none() {
                    *first = Some(e);
                }
                String::new()
            }
        }
    }

    /// Renders `template` with the language's globals and `values` (an
    /// object whose keys are not globals), in a context from the pool,
    /// into a buffer of `capacity` bytes to start with. Bytes, not a
    /// `String`: they are written as they are, and tera's `render` checks
    /// the UTF-8 of every page again (3 % of a 10,000-item build).
    fn render_with_globals(
        &self,
        template: &str,
        lang: usize,
        values: serde_json::Value,
        capacity: usize,
        cancelled: Option<Cancelled<'_>>,
    ) -> tera::Result<Vec<u8>> {
        let pooled = self.context_pool.lock().expect("context pool lock")[lang].pop();
        let mut ctx = pooled.unwrap_or_else(|| self.global_contexts[lang].clone());
        let keys: Vec<String> = values
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let page = tera::Context::from_value(values).expect("a context is an object");
        // Removing a shadowing key after the render would take the global
        // out of the pooled context for every later page.
        assert!(
            keys.iter()
                .all(|k| !self.global_contexts[lang].contains_key(k)),
            "page values must not shadow the globals"
        );
        ctx.extend(page);
        let mut bytes = Vec::with_capacity(capacity);
        let tera = &self.templates.tera;
        let result = match cancelled {
            None => tera.render_to(template, &ctx, &mut bytes),
            Some(cancelled) => tera.render_to(
                template,
                &ctx,
                GiveWay {
                    bytes: &mut bytes,
                    cancelled,
                },
            ),
        }
        .map(|()| bytes);
        for k in &keys {
            ctx.remove(k);
        }
        self.context_pool.lock().expect("context pool lock")[lang].push(ctx);
        result
    }

    /// Renders one page. Errors are template errors, mapped to the
    /// template's file and line.
    pub fn render_page(&self, page: Page) -> Result<(String, Vec<u8>), Diagnostics> {
        self.render_page_unless(page, None)
    }

    /// [`RenderEnv::render_page`], stopped at its next write once
    /// `cancelled` says so (an HTML page or `items.json`, the pages that
    /// take long at 10,000 items): an error with no diagnostic then.
    pub fn render_page_unless(
        &self,
        page: Page,
        cancelled: Option<Cancelled<'_>>,
    ) -> Result<(String, Vec<u8>), Diagnostics> {
        let path = page_output_path(self.site, page);
        let bytes = match page {
            Page::Badge { plan, item, lang } => {
                badge::render_badge(self.site, plan, item, lang).into_bytes()
            }
            Page::Feed { plan, lang } => feeds::render_feed(self.site, plan, lang).into_bytes(),
            Page::ItemsJson { plan } => match cancelled {
                None => data::render_items_json(self.site, self.bodies, plan).into_bytes(),
                Some(cancelled) => {
                    let mut bytes = Vec::new();
                    let out = GiveWay {
                        bytes: &mut bytes,
                        cancelled,
                    };
                    if data::write_items_json(self.site, self.bodies, plan, out).is_err() {
                        return Err(Diagnostics::new());
                    }
                    bytes.push(b'\n');
                    bytes
                }
            },
            Page::ItemsCsv { plan } => {
                data::render_items_csv_unless(self.site, self.bodies, plan, cancelled)
                    .ok_or_else(Diagnostics::new)?
            }
            Page::Sitemap => feeds::render_sitemap(self.site).into_bytes(),
            Page::TagRedirect {
                plan, tag, lang, ..
            } => super::redirect::render_tag_redirect(self.site, plan, tag, lang).into_bytes(),
            Page::Robots => feeds::render_robots(self.site).into_bytes(),
            Page::Moved { plan, moved, lang } => {
                moved::render_moved_page(self.site, plan, moved, lang).into_bytes()
            }
            Page::MovedBadge { plan, moved, lang } => {
                let item = self.site.plans[plan].moves[moved].item;
                badge::render_badge(self.site, plan, item, lang).into_bytes()
            }
            Page::Redirects => moved::render_redirects(self.site).into_bytes(),
            Page::NginxRedirects => moved::render_nginx_redirects(self.site).into_bytes(),
            Page::Home { .. }
            | Page::Plan { .. }
            | Page::Section { .. }
            | Page::Item { .. }
            | Page::TagIndex { .. }
            | Page::Tag { .. }
            | Page::Status { .. }
            | Page::Search { .. }
            | Page::NotFound { .. }
            | Page::Method { .. } => self.render_html(page, cancelled)?,
        };
        Ok((path, bytes))
    }

    /// The error of a list row a page shows, reported by that page.
    fn take_row_error(&self) -> Result<(), Diagnostics> {
        match self.row_error.lock().expect("row error lock").take() {
            None => Ok(()),
            Some(e) => {
                let mut d = Diagnostics::new();
                report_tera_error(&e, &self.templates.paths, Some(ITEM_ROW_TEMPLATE), &mut d);
                Err(d)
            }
        }
    }

    /// Renders an HTML page with its template.
    fn render_html(
        &self,
        page: Page,
        cancelled: Option<Cancelled<'_>>,
    ) -> Result<Vec<u8>, Diagnostics> {
        if let Page::Item { plan, item, lang } = page
            && self.templates.native.item_page
            && let Some(strings) = &self.strings[lang]
        {
            let context = item_page(self, page, plan, item, lang);
            self.take_row_error()?;
            let mut bytes = Vec::with_capacity(PAGE_CAPACITY);
            super::native::item_page(&mut bytes, &self.globals[lang], strings, &context);
            return Ok(bytes);
        }
        let Some((template, values)) = page_context(self, page) else {
            return Ok(Vec::new());
        };
        self.take_row_error()?;
        let lang = page.lang().unwrap_or(0);
        self.render_with_globals(template, lang, values, PAGE_CAPACITY, cancelled)
            .map_err(|e| {
                if cancelled.is_some_and(|c| c()) {
                    return Diagnostics::new();
                }
                let mut d = Diagnostics::new();
                report_tera_error(&e, &self.templates.paths, Some(template), &mut d);
                d
            })
    }
}

/// A page's buffer that takes no more bytes once `cancelled` says so, so
/// that a long render stops at its next write (serve giving way to a new
/// edit, issue #21.2).
struct GiveWay<'a> {
    bytes: &'a mut Vec<u8>,
    cancelled: Cancelled<'a>,
}

impl std::io::Write for GiveWay<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.cancelled)() {
            // Not `Interrupted`: `write_all` would try again.
            return Err(std::io::Error::other("given way to a new edit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
