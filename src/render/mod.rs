//! Stage 4, render: every page, badge, feed and data file of the site, in
//! memory, as `path → bytes`.
//!
//! The site is a list of [`Page`]s; each renders on its own from the linked
//! site, so that all of them render in parallel and `serve` can re-render
//! just the pages a change touches. Nothing under src/render reads or
//! writes the file system.

pub mod badge;
pub mod charts;
pub mod data;
pub mod feeds;
pub mod format;
pub mod link_check;
pub mod markdown;
pub mod templates;
pub mod ui;
pub mod views;

use crate::diagnostics::{Code, Diagnostics, Location};
use crate::link::LinkedSite;
use crate::pages::{Page, all_pages, describe_source, page_output_path};
use markdown::{RenderedMarkdown, render_markdown};
use rayon::prelude::*;
use std::collections::BTreeMap;
use templates::{Templates, compile_templates, report_tera_error};

/// The built site, in memory: output path (relative, `/`-separated) →
/// bytes. A BTreeMap so that iteration, and so the written tree, is in a
/// fixed order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteOutput {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The rendered Markdown of every document, per language (falling back to
/// the default language where there is no translation).
#[derive(Clone, Debug, Default)]
pub struct RenderedBodies {
    pub plans: Vec<PlanBodies>,
}

#[derive(Clone, Debug, Default)]
pub struct PlanBodies {
    pub preamble: Vec<RenderedMarkdown>,
    pub sections: Vec<Vec<RenderedMarkdown>>,
    /// `items[item][lang]`.
    pub items: Vec<Vec<RenderedMarkdown>>,
}

/// The output of the render stage: the linked site it was rendered from,
/// the rendered bodies (which the index stage reads) and the files.
pub struct RenderedSite {
    pub site: LinkedSite,
    pub bodies: RenderedBodies,
    pub output: SiteOutput,
}

/// Renders the Markdown of every document in every language.
pub fn render_bodies(site: &LinkedSite) -> RenderedBodies {
    let base = &site.config.base_path;
    let dl = &site.config.default_language;
    let langs: Vec<&str> = site
        .config
        .languages
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    let plans = site
        .plans
        .iter()
        .map(|p| {
            let preamble = langs
                .iter()
                .map(|l| render_markdown(p.plan.body.get(l, dl).0, base))
                .collect();
            let sections = p
                .sections
                .iter()
                .map(|s| {
                    langs
                        .iter()
                        .map(|l| render_markdown(s.section.body.get(l, dl).0, base))
                        .collect()
                })
                .collect();
            let items = p
                .items
                .par_iter()
                .map(|it| render_item_bodies(&it.item, &langs, dl, base))
                .collect();
            PlanBodies {
                preamble,
                sections,
                items,
            }
        })
        .collect();
    RenderedBodies { plans }
}

/// One item's body in every language: rendered once when the translation
/// is missing (the fallback is the default-language body).
pub fn render_item_bodies(
    item: &crate::model::Item,
    langs: &[&str],
    dl: &str,
    base: &str,
) -> Vec<RenderedMarkdown> {
    let default = render_markdown(&item.body.default, base);
    langs
        .iter()
        .map(|l| match item.body.get(l, dl) {
            (_, true) => default.clone(),
            (text, false) if *l == dl => {
                let _ = text;
                default.clone()
            }
            (text, false) => render_markdown(text, base),
        })
        .collect()
}

/// What every page render needs: the site, compiled templates, rendered
/// bodies and the per-language values shared by all pages.
pub struct RenderEnv<'a> {
    pub site: &'a LinkedSite,
    pub templates: &'a Templates,
    pub bodies: &'a RenderedBodies,
    pub globals: Vec<serde_json::Value>,
    /// An item as lists show it (`number` and `row_html`, the rendered
    /// `partials/item_row.html`), built once per item and language when a
    /// page first lists the item (`rows[plan][item * languages + lang]`):
    /// the same row appears on a dozen pages or more, and cloning it is
    /// several times cheaper than building it again. Rows hold no more:
    /// tera needs owned values, and cloning the whole summary into the
    /// 400,000 list places of a 10,000-item plan was 14 % of its build.
    rows: Vec<Vec<std::sync::OnceLock<serde_json::Value>>>,
    /// A section as pages show it, without its items
    /// (`sections[plan][section * languages + lang]`): every item page
    /// shows its section's progress, which is a sum over the section's
    /// items, so building it for each page would grow with the square of
    /// the section's size.
    sections: Vec<Vec<std::sync::OnceLock<serde_json::Value>>>,
    /// The globals as a tera context, one per language.
    global_contexts: Vec<tera::Context>,
    /// Contexts holding a language's globals, reused page after page
    /// (`[lang]`): a page's own values are moved in for its render and
    /// taken out again. Cloning the globals (~120 UI strings) for each of
    /// 40,000 pages was a tenth of the engine's time.
    context_pool: std::sync::Mutex<Vec<Vec<tera::Context>>>,
    /// The first error rendering a row, reported by the page that needed it.
    row_error: std::sync::Mutex<Option<tera::Error>>,
}

/// The item row partial (see [`RenderEnv::list_row`]).
pub const ITEM_ROW_TEMPLATE: &str = "partials/item_row.html";

impl<'a> RenderEnv<'a> {
    pub fn new(site: &'a LinkedSite, templates: &'a Templates, bodies: &'a RenderedBodies) -> Self {
        let globals: Vec<serde_json::Value> = (0..site.config.languages.len())
            .map(|l| views::language_globals(site, l))
            .collect();
        // One empty slot per plan, thing and language.
        let slots = |count: fn(&crate::link::LinkedPlan) -> usize| {
            let nlang = site.config.languages.len();
            site.plans
                .iter()
                .map(|p| {
                    (0..count(p) * nlang)
                        .map(|_| std::sync::OnceLock::new())
                        .collect()
                })
                .collect()
        };
        let rows = slots(|p| p.items.len());
        let sections = slots(|p| p.sections.len());
        let global_contexts: Vec<tera::Context> = globals
            .iter()
            .map(|g| tera::Context::from_value(g.clone()).expect("globals are a JSON object"))
            .collect();
        let context_pool = std::sync::Mutex::new(vec![Vec::new(); global_contexts.len()]);
        RenderEnv {
            site,
            templates,
            bodies,
            globals,
            rows,
            sections,
            global_contexts,
            context_pool,
            row_error: std::sync::Mutex::new(None),
        }
    }

    /// An item's row in lists: its `number` and `row_html`, the HTML of
    /// `partials/item_row.html` with `row` = the item's summary
    /// ([`views::item_summary`]) and the language's globals (empty when
    /// the theme has no such partial). Built at most once per build and
    /// item and language.
    pub fn list_row(&self, plan: usize, item: usize, lang: usize) -> &serde_json::Value {
        let nlang = self.site.config.languages.len();
        self.rows[plan][item * nlang + lang].get_or_init(|| {
            let summary = views::item_summary(self.site, plan, item, lang);
            let mut row = serde_json::Map::new();
            row.insert("number".into(), summary["number"].clone());
            row.insert(
                "row_html".into(),
                serde_json::Value::String(self.item_row_html(lang, summary)),
            );
            serde_json::Value::Object(row)
        })
    }

    /// A section without its items ([`views::section_head`]), built at
    /// most once per build and section and language.
    pub fn section_head(&self, plan: usize, section: usize, lang: usize) -> &serde_json::Value {
        let nlang = self.site.config.languages.len();
        self.sections[plan][section * nlang + lang]
            .get_or_init(|| views::section_head(self, plan, section, lang))
    }

    fn item_row_html(&self, lang: usize, summary: serde_json::Value) -> String {
        if !self.templates.paths.contains_key(ITEM_ROW_TEMPLATE) {
            return String::new();
        }
        let mut values = serde_json::Map::new();
        values.insert("row".into(), summary);
        match self.render_with_globals(ITEM_ROW_TEMPLATE, lang, values) {
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

    /// Renders `template` with the language's globals and `values` (keys
    /// that are not globals), in a context from the pool.
    fn render_with_globals(
        &self,
        template: &str,
        lang: usize,
        values: serde_json::Map<String, serde_json::Value>,
    ) -> tera::Result<String> {
        let pooled = self.context_pool.lock().expect("context pool lock")[lang].pop();
        let mut ctx = pooled.unwrap_or_else(|| self.global_contexts[lang].clone());
        let keys: Vec<String> = values.keys().cloned().collect();
        // Removing a shadowing key after the render would take the global
        // out of the pooled context for every later page.
        assert!(
            keys.iter()
                .all(|k| !self.global_contexts[lang].contains_key(k)),
            "page values must not shadow the globals"
        );
        ctx.extend(
            tera::Context::from_value(serde_json::Value::Object(values))
                .expect("an object is a context"),
        );
        let result = self.templates.tera.render(template, &ctx);
        for k in &keys {
            ctx.remove(k);
        }
        self.context_pool.lock().expect("context pool lock")[lang].push(ctx);
        result
    }

    /// Renders one page. Errors are template errors, mapped to the
    /// template's file and line.
    pub fn render_page(&self, page: Page) -> Result<(String, Vec<u8>), Diagnostics> {
        let path = page_output_path(self.site, page);
        let bytes = match page {
            Page::Badge { plan, item, lang } => {
                badge::render_badge(self.site, plan, item, lang).into_bytes()
            }
            Page::Feed { plan, lang } => feeds::render_feed(self.site, plan, lang).into_bytes(),
            Page::ItemsJson { plan } => {
                data::render_items_json(self.site, self.bodies, plan).into_bytes()
            }
            Page::ItemsCsv { plan } => data::render_items_csv(self.site, self.bodies, plan),
            Page::Sitemap => feeds::render_sitemap(self.site).into_bytes(),
            Page::Robots => feeds::render_robots(self.site).into_bytes(),
            _ => {
                let (template, values) = views::page_context(self, page);
                if let Some(e) = self.row_error.lock().expect("row error lock").take() {
                    let mut d = Diagnostics::new();
                    report_tera_error(&e, &self.templates.paths, Some(ITEM_ROW_TEMPLATE), &mut d);
                    return Err(d);
                }
                let lang = page.lang().unwrap_or(0);
                match self.render_with_globals(template, lang, values) {
                    Ok(html) => html.into_bytes(),
                    Err(e) => {
                        let mut d = Diagnostics::new();
                        report_tera_error(&e, &self.templates.paths, Some(template), &mut d);
                        return Err(d);
                    }
                }
            }
        };
        Ok((path, bytes))
    }
}

/// Renders the given pages in parallel into `output`, collecting template
/// errors (once per template and message, not once per page).
pub fn render_pages(
    env: &RenderEnv<'_>,
    pages: &[Page],
    output: &mut SiteOutput,
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut written = Vec::with_capacity(pages.len());
    let results: Vec<Result<(String, Vec<u8>), Diagnostics>> =
        pages.par_iter().map(|p| env.render_page(*p)).collect();
    let mut errors = Diagnostics::new();
    for r in results {
        match r {
            Ok((path, bytes)) => {
                written.push(path.clone());
                output.files.insert(path, bytes);
            }
            Err(d) => errors.extend(d),
        }
    }
    report_render_errors(errors, diags);
    written
}

/// Adds page rendering errors to `diags`: the same template error on
/// 20,000 pages is one problem.
fn report_render_errors(errors: Diagnostics, diags: &mut Diagnostics) {
    let mut seen = std::collections::BTreeSet::new();
    for d in errors.iter() {
        if seen.insert((d.path.clone(), d.line, d.column)) {
            diags.push(d.clone());
        }
    }
}

/// Stage 4 entry point: compile templates, render bodies and every page,
/// copy static files and content assets, then check internal links.
pub fn render_site(site: LinkedSite, diags: &mut Diagnostics) -> Option<RenderedSite> {
    let templates = compile_templates(&site.theme.templates, diags)?;
    report_asset_clashes(&site, diags);
    let bodies = render_bodies(&site);
    let mut output = SiteOutput::default();
    {
        let env = RenderEnv::new(&site, &templates, &bodies);
        render_pages(&env, &all_pages(&site), &mut output, diags);
    }
    add_static_files(&site, &mut output);
    if diags.has_errors() {
        return None;
    }
    link_check::check_links(&site, &output, None, diags);
    if diags.has_errors() {
        return None;
    }
    Some(RenderedSite {
        site,
        bodies,
        output,
    })
}

/// Pages rendered and written per chunk by [`render_site_to`]: enough to
/// keep both cores busy, small enough that the site is never all in memory.
const PAGES_PER_CHUNK: usize = 1024;

/// The output of the render stage when pages go straight to disk: what the
/// index stage and the link check still need, not the pages themselves.
pub struct WrittenSite {
    pub site: LinkedSite,
    pub bodies: RenderedBodies,
    /// Every HTML page's links, checked as far as they could be while the
    /// site was being written (see [`link_check::WrittenPageLinks`]).
    pub links: Vec<link_check::WrittenPageLinks>,
    pub paths: std::collections::BTreeSet<String>,
}

/// Stage 4 for `build`: renders every page like [`render_site`], writing
/// each chunk into `staging` as soon as it is rendered and keeping only
/// its links. The link check runs in the index stage, once every file
/// exists (`indexing::finish_written_site`).
///
/// `alongside` runs in parallel with the rendering, on the linked site and
/// the rendered bodies (`build` builds the search index there: it needs
/// only those, and the rendering leaves a core idle now and then while a
/// thread waits on the file system); its result is returned with the
/// written site. Its third argument says whether the rendering has
/// failed: the build waits for `alongside` before it reports, so it
/// should then stop early.
pub fn render_site_to<T: Send>(
    site: LinkedSite,
    staging: &crate::write::Staging,
    diags: &mut Diagnostics,
    alongside: impl FnOnce(&LinkedSite, &RenderedBodies, crate::index::Cancelled<'_>) -> T + Send,
) -> Option<(WrittenSite, T)> {
    let templates = compile_templates(&site.theme.templates, diags)?;
    let page_set = page_paths(&site);
    let assets = static_files(&site);
    output_clashes(&site, &assets, diags);
    if diags.has_errors() {
        return None;
    }
    let bodies = render_bodies(&site);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let (pages, beside) = rayon::join(
        || {
            let pages = render_pages_to(&site, &templates, &bodies, staging, page_set, assets);
            failed.store(pages.is_err(), std::sync::atomic::Ordering::Relaxed);
            pages
        },
        || {
            alongside(&site, &bodies, &|| {
                failed.load(std::sync::atomic::Ordering::Relaxed)
            })
        },
    );
    let (links, paths, notes) = pages.map_err(|d| diags.extend(d)).ok()?;
    diags.extend(notes);
    Some((
        WrittenSite {
            site,
            bodies,
            links,
            paths,
        },
        beside,
    ))
}

/// What [`render_pages_to`] leaves: every HTML page's links, the paths
/// written, and any warnings.
type RenderedPages = (
    Vec<link_check::WrittenPageLinks>,
    std::collections::BTreeSet<String>,
    Diagnostics,
);

/// The pages and files of [`render_site_to`]: each page rendered,
/// its links checked as far as they can be, and written.
fn render_pages_to(
    site: &LinkedSite,
    templates: &Templates,
    bodies: &RenderedBodies,
    staging: &crate::write::Staging,
    mut page_paths: std::collections::HashSet<String>,
    assets: SiteOutput,
) -> Result<RenderedPages, Diagnostics> {
    let mut diags_here = Diagnostics::new();
    let diags = &mut diags_here;
    let mut links = Vec::new();
    let mut paths = std::collections::BTreeSet::new();
    // Every file the pages may link to, known before they are rendered,
    // so that each chunk's links are checked (and dropped) at once.
    page_paths.extend(assets.files.keys().cloned());
    let expected = link_check::ExpectedPaths(page_paths);
    let base = site.config.base_path.clone();
    // Each page is written, and its links checked, as soon as it is
    // rendered: no more than one page per thread is held in memory (the
    // 35 MB items.json and the 10,000-row list pages of a large plan came
    // together in the first chunk and made the build's peak).
    let check_and_write =
        |path: &str, bytes: &[u8]| -> std::io::Result<Option<link_check::WrittenPageLinks>> {
            let links = path.ends_with(".html").then(|| {
                link_check::WrittenPageLinks::check(
                    &base,
                    link_check::extract_page_links(path, bytes),
                    &expected,
                )
            });
            staging.write_file(path, bytes)?;
            Ok(links)
        };
    let mut write_error = None;
    {
        let env = RenderEnv::new(site, templates, bodies);
        for pages in all_pages(site).chunks(PAGES_PER_CHUNK) {
            let results: Vec<Result<(String, Option<link_check::WrittenPageLinks>), Diagnostics>> =
                pages
                    .par_iter()
                    .map(|p| {
                        let (path, bytes) = env.render_page(*p)?;
                        match check_and_write(&path, &bytes) {
                            Ok(l) => Ok((path, l)),
                            Err(e) => {
                                let mut d = Diagnostics::new();
                                d.error(
                                    Code::CannotWrite,
                                    Location::file(std::path::Path::new(&path)),
                                    format!("cannot write the site: {e}"),
                                    None,
                                );
                                Err(d)
                            }
                        }
                    })
                    .collect();
            let mut errors = Diagnostics::new();
            for r in results {
                match r {
                    Ok((path, l)) => {
                        links.extend(l);
                        paths.insert(path);
                    }
                    Err(d) => errors.extend(d),
                }
            }
            report_render_errors(errors, diags);
            if diags.has_errors() {
                return Err(diags_here);
            }
        }
    }
    for (path, bytes) in &assets.files {
        match check_and_write(path, bytes) {
            Ok(l) => {
                links.extend(l);
                paths.insert(path.clone());
            }
            Err(e) => {
                write_error = Some(e);
                break;
            }
        }
    }
    if let Some(e) = write_error {
        diags.error(Code::CannotWrite, Location::file(std::path::Path::new("public")), format!("cannot write the site: {e}"), Some("check that the output folder's parent is writable; the previous site was left as it was".into()));
    }
    if diags.has_errors() {
        return Err(diags_here);
    }
    Ok((links, paths, diags_here))
}

/// Reports every output path that two sources would write (a page and a
/// content attachment, two pages), and every path written as a file that
/// another output needs as a folder: either would lose a page in silence.
/// (`serve` calls it by this name; it checks every output, not only assets.)
pub fn report_asset_clashes(site: &LinkedSite, diags: &mut Diagnostics) {
    output_clashes(site, &static_files(site), diags);
}

/// Every generated page's output path.
fn page_paths(site: &LinkedSite) -> std::collections::HashSet<String> {
    all_pages(site)
        .iter()
        .map(|p| page_output_path(site, *p))
        .collect()
}

/// The theme's static files and the content assets, at their paths.
fn static_files(site: &LinkedSite) -> SiteOutput {
    let mut assets = SiteOutput::default();
    add_static_files(site, &mut assets);
    assets
}

/// [`report_asset_clashes`] with the static files and assets at hand.
fn output_clashes(site: &LinkedSite, assets: &SiteOutput, diags: &mut Diagnostics) {
    use std::collections::HashMap;
    let mut sources: HashMap<String, (Location, String)> = HashMap::new();
    let mut clash = |path: String, source: (Location, String), diags: &mut Diagnostics| {
        match sources.get(&path) {
            Some((_, first)) => diags.error(
                Code::OutputClash,
                source.0.clone(),
                format!(
                    "two files would be written to `{path}`: {first} and {}",
                    source.1
                ),
                Some("rename or move one of them; a generated page keeps its path".into()),
            ),
            None => {
                sources.insert(path, source);
            }
        }
    };
    for page in all_pages(site) {
        clash(
            page_output_path(site, page),
            describe_source(site, page),
            diags,
        );
    }
    let content: std::collections::BTreeMap<&str, &std::path::Path> = site
        .assets
        .iter()
        .map(|a| (a.output_path.as_str(), a.source.as_path()))
        .collect();
    for path in assets.files.keys() {
        let source = match content.get(path.as_str()) {
            Some(from) => (Location::file(from), from.display().to_string()),
            None => (
                Location::file(std::path::Path::new(path)),
                format!("the theme's {path}"),
            ),
        };
        clash(path.clone(), source, diags);
    }
    // A path that is a file for one source and a folder for another (a
    // page `2023/updates.xml` and an attachment `2023/updates.xml/a.pdf`),
    // and anything put where the search index goes.
    let index_dirs: Vec<String> = (0..site.config.languages.len())
        .map(|l| crate::indexing::search_index_dir(site, l))
        .collect();
    let mut paths: Vec<&String> = sources.keys().collect();
    paths.sort();
    for path in paths {
        let (at, what) = &sources[path];
        if index_dirs.iter().any(|d| path.starts_with(d.as_str())) {
            diags.error(
                Code::OutputClash,
                at.clone(),
                format!("{what} would be written to `{path}`, inside the search index folder"),
                Some("rename or move it; that folder is planpub's".into()),
            );
        }
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash;
            if let Some((_, file)) = sources.get(&path[..end]) {
                diags.error(
                    Code::OutputClash,
                    at.clone(),
                    format!(
                        "{what} would be written under `{}/`, which is a file: {file}",
                        &path[..end]
                    ),
                    Some("rename or move one of them".into()),
                );
            }
            end += 1;
        }
    }
}

/// Theme static files under `static/`, content assets at their place.
pub fn add_static_files(site: &LinkedSite, output: &mut SiteOutput) {
    for (path, bytes) in &site.theme.static_files {
        output.files.insert(path.clone(), bytes.clone());
    }
    for asset in &site.assets {
        output
            .files
            .insert(asset.output_path.clone(), asset.bytes.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The basic test fixture, linked.
    fn basic_site() -> LinkedSite {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let mut diags = Diagnostics::new();
        let loaded = crate::load::load_site(&root, &mut diags).expect("the fixture loads");
        let validated = crate::validate::validate_site(loaded, &mut diags).expect("it validates");
        crate::link::link_site(validated)
    }

    // issue #15.4
    #[test]
    fn two_pages_with_one_path_are_an_error_naming_both_sources() {
        // Validation refuses a plan named `en`; behind it, the clash check
        // still sees its pages land on the English ones.
        let mut site = basic_site();
        let mut diags = Diagnostics::new();
        report_asset_clashes(&site, &mut diags);
        assert!(diags.is_empty(), "{}", diags.render());
        site.plans[0].plan.id = "en".into();
        report_asset_clashes(&site, &mut diags);
        let text = diags.render();
        assert!(
            text.contains(
                "content/2023/_index.md:1:1: error: two files would be written to `en/index.html`: \
                 the en home page planpub generates (`en/`) and a zh page of plan en (content/2023/_index.md)"
            ),
            "{text}"
        );
    }
}
