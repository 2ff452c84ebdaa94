//! The pages of the site: every output file by what it shows ([`Page`]),
//! its path and URL, and the content file behind it.
//!
//! Architecture invariant: the URLs of the contract (docs/content-format.md)
//! are built here and nowhere else, and never move (`pages::tests` and the
//! integration tests check them). Matches on [`Page`] have no catch-all
//! arm, so that a new kind of page makes the compiler list every place to
//! update.

use crate::diagnostics::Location;
use crate::link::LinkedSite;
use std::path::{Path, PathBuf};

/// One output file of the site, by what it shows. Indices point into the
/// linked site (`plans[plan].items[item]`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Page {
    Home {
        lang: usize,
    },
    Plan {
        plan: usize,
        lang: usize,
    },
    Section {
        plan: usize,
        section: usize,
        lang: usize,
    },
    Item {
        plan: usize,
        item: usize,
        lang: usize,
    },
    Badge {
        plan: usize,
        item: usize,
        lang: usize,
    },
    TagIndex {
        plan: usize,
        lang: usize,
    },
    Tag {
        plan: usize,
        tag: usize,
        lang: usize,
    },
    Status {
        plan: usize,
        status: usize,
        lang: usize,
    },
    /// The page at a tag's former slug (`former_slugs`): a redirect to
    /// the tag's page.
    TagRedirect {
        plan: usize,
        tag: usize,
        /// Index into the tag's `former_slugs`.
        former: usize,
        lang: usize,
    },
    Feed {
        plan: usize,
        lang: usize,
    },
    ItemsJson {
        plan: usize,
    },
    ItemsCsv {
        plan: usize,
    },
    Search {
        lang: usize,
    },
    NotFound {
        lang: usize,
    },
    /// How progress is shown: statuses, percent, pace, staleness
    /// (`/method/`, issue #20.2).
    Method {
        lang: usize,
    },
    Sitemap,
    Robots,
    /// An old item URL (a former number, `LinkedPlan::moves[moved]`):
    /// a small page that names the item it leads to and redirects there.
    Moved {
        plan: usize,
        moved: usize,
        lang: usize,
    },
    /// The badge at an old item URL: the current badge of the item.
    MovedBadge {
        plan: usize,
        moved: usize,
        lang: usize,
    },
    /// `_redirects`: every old item URL → its item, for static hosts.
    Redirects,
    /// `redirects.nginx.conf`: the same as an nginx `map`.
    NginxRedirects,
}

impl Page {
    /// The page's language (an index into the site's languages); `None`
    /// for the files that serve every language (data files, sitemap).
    pub fn lang(self) -> Option<usize> {
        match self {
            Page::Home { lang }
            | Page::Plan { lang, .. }
            | Page::Section { lang, .. }
            | Page::Item { lang, .. }
            | Page::Badge { lang, .. }
            | Page::TagIndex { lang, .. }
            | Page::Tag { lang, .. }
            | Page::Status { lang, .. }
            | Page::TagRedirect { lang, .. }
            | Page::Feed { lang, .. }
            | Page::Search { lang }
            | Page::NotFound { lang }
            | Page::Moved { lang, .. }
            | Page::MovedBadge { lang, .. }
            | Page::Method { lang } => Some(lang),
            Page::ItemsJson { .. }
            | Page::ItemsCsv { .. }
            | Page::Sitemap
            | Page::Robots
            | Page::Redirects
            | Page::NginxRedirects => None,
        }
    }

    /// The same page in another language (the language switch target);
    /// a page for every language stays itself.
    pub fn with_lang(self, lang: usize) -> Page {
        match self {
            Page::Home { .. } => Page::Home { lang },
            Page::Plan { plan, .. } => Page::Plan { plan, lang },
            Page::Section { plan, section, .. } => Page::Section {
                plan,
                section,
                lang,
            },
            Page::Item { plan, item, .. } => Page::Item { plan, item, lang },
            Page::Badge { plan, item, .. } => Page::Badge { plan, item, lang },
            Page::TagIndex { plan, .. } => Page::TagIndex { plan, lang },
            Page::Tag { plan, tag, .. } => Page::Tag { plan, tag, lang },
            Page::Status { plan, status, .. } => Page::Status { plan, status, lang },
            Page::TagRedirect {
                plan, tag, former, ..
            } => Page::TagRedirect {
                plan,
                tag,
                former,
                lang,
            },
            Page::Feed { plan, .. } => Page::Feed { plan, lang },
            Page::Search { .. } => Page::Search { lang },
            Page::NotFound { .. } => Page::NotFound { lang },
            Page::Method { .. } => Page::Method { lang },
            Page::Moved { plan, moved, .. } => Page::Moved { plan, moved, lang },
            Page::MovedBadge { plan, moved, .. } => Page::MovedBadge { plan, moved, lang },
            Page::ItemsJson { .. }
            | Page::ItemsCsv { .. }
            | Page::Sitemap
            | Page::Robots
            | Page::Redirects
            | Page::NginxRedirects => self,
        }
    }

    /// The template an HTML page is rendered with; `None` for the files
    /// planpub writes without a template (badges, feeds, data, sitemap,
    /// and the pages at old item URLs, which only lead on).
    pub fn template(self) -> Option<&'static str> {
        match self {
            Page::Home { .. } => Some("home.html"),
            Page::Plan { .. } => Some("plan.html"),
            Page::Item { .. } => Some("item.html"),
            Page::Section { .. }
            | Page::TagIndex { .. }
            | Page::Tag { .. }
            | Page::Status { .. } => Some("list.html"),
            Page::Search { .. } => Some("search.html"),
            Page::NotFound { .. } => Some("404.html"),
            Page::Method { .. } => Some("method.html"),
            Page::Badge { .. }
            | Page::TagRedirect { .. }
            | Page::Feed { .. }
            | Page::ItemsJson { .. }
            | Page::ItemsCsv { .. }
            | Page::Sitemap
            | Page::Robots
            | Page::Moved { .. }
            | Page::MovedBadge { .. }
            | Page::Redirects
            | Page::NginxRedirects => None,
        }
    }

    /// Whether the page is HTML (has alternates, goes in the sitemap).
    pub fn is_html(self) -> bool {
        self.template().is_some()
    }

    /// The plan the page belongs to; `None` for the pages of the whole
    /// site (home, search, 404, sitemap).
    pub fn plan(self) -> Option<usize> {
        match self {
            Page::Plan { plan, .. }
            | Page::Section { plan, .. }
            | Page::Item { plan, .. }
            | Page::Badge { plan, .. }
            | Page::TagIndex { plan, .. }
            | Page::Tag { plan, .. }
            | Page::Status { plan, .. }
            | Page::TagRedirect { plan, .. }
            | Page::Feed { plan, .. }
            | Page::ItemsJson { plan }
            | Page::ItemsCsv { plan }
            | Page::Moved { plan, .. }
            | Page::MovedBadge { plan, .. } => Some(plan),
            Page::Redirects | Page::NginxRedirects => None,
            Page::Home { .. }
            | Page::Search { .. }
            | Page::NotFound { .. }
            | Page::Method { .. }
            | Page::Sitemap
            | Page::Robots => None,
        }
    }

    /// Whether the page shows progress figures, and so the notice that
    /// they are illustrative when they are.
    pub fn shows_progress(self) -> bool {
        match self {
            Page::Home { .. }
            | Page::Plan { .. }
            | Page::Item { .. }
            | Page::Section { .. }
            | Page::Tag { .. }
            | Page::Status { .. }
            | Page::Search { .. } => true,
            Page::TagIndex { .. }
            | Page::NotFound { .. }
            | Page::Method { .. }
            | Page::Badge { .. }
            | Page::TagRedirect { .. }
            | Page::Feed { .. }
            | Page::ItemsJson { .. }
            | Page::ItemsCsv { .. }
            | Page::Sitemap
            | Page::Robots
            | Page::Moved { .. }
            | Page::MovedBadge { .. }
            | Page::Redirects
            | Page::NginxRedirects => false,
        }
    }
}

/// Every page of the site, in a fixed order.
pub fn all_pages(site: &LinkedSite) -> Vec<Page> {
    let langs = site.config.languages.len();
    let mut pages = Vec::new();
    for lang in 0..langs {
        pages.push(Page::Home { lang });
        pages.push(Page::Search { lang });
        pages.push(Page::NotFound { lang });
        pages.push(Page::Method { lang });
    }
    for (plan, p) in site.plans.iter().enumerate() {
        pages.push(Page::ItemsJson { plan });
        pages.push(Page::ItemsCsv { plan });
        for lang in 0..langs {
            pages.push(Page::Plan { plan, lang });
            pages.push(Page::Feed { plan, lang });
            pages.push(Page::TagIndex { plan, lang });
            for section in 0..p.sections.len() {
                pages.push(Page::Section {
                    plan,
                    section,
                    lang,
                });
            }
            for tag in 0..p.tags.len() {
                pages.push(Page::Tag { plan, tag, lang });
                for former in 0..p.tags[tag].former_slugs.len() {
                    pages.push(Page::TagRedirect {
                        plan,
                        tag,
                        former,
                        lang,
                    });
                }
            }
            for status in 0..p.statuses.len() {
                pages.push(Page::Status { plan, status, lang });
            }
            for item in 0..p.items.len() {
                pages.push(Page::Item { plan, item, lang });
                pages.push(Page::Badge { plan, item, lang });
            }
            for moved in 0..p.moves.len() {
                pages.push(Page::Moved { plan, moved, lang });
                pages.push(Page::MovedBadge { plan, moved, lang });
            }
        }
    }
    pages.push(Page::Sitemap);
    pages.push(Page::Robots);
    pages.push(Page::Redirects);
    pages.push(Page::NginxRedirects);
    pages
}

/// Every HTML page of the site, in the order of [`all_pages`].
pub fn all_html_pages(site: &LinkedSite) -> Vec<Page> {
    all_pages(site)
        .into_iter()
        .filter(|p| p.is_html())
        .collect()
}

/// The code of the language at `lang` (`zh`).
pub fn lang_code(site: &LinkedSite, lang: usize) -> &str {
    &site.config.languages[lang].code
}

/// `""` or `"en/"`.
pub fn prefix(site: &LinkedSite, lang: usize) -> String {
    site.config.language_prefix(lang_code(site, lang))
}

/// Root-relative URL of a site-relative path: `/plan/` + path.
pub fn href(site: &LinkedSite, path: &str) -> String {
    format!("{}{}", site.config.base_path, path)
}

/// Absolute URL of a site-relative path.
pub fn absolute(site: &LinkedSite, path: &str) -> String {
    format!("{}{}", site.config.base_url, path)
}

/// The path of an item's page: `<prefix><plan>/<number>/`.
pub fn item_path(site: &LinkedSite, plan: usize, item: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    format!(
        "{}{}/{}/",
        prefix(site, lang),
        p.plan.id,
        p.items[item].item.number
    )
}

/// The path of an old item URL (a former number):
/// `<prefix><plan>/<former number>/`.
pub fn moved_path(site: &LinkedSite, plan: usize, moved: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    format!(
        "{}{}/{}/",
        prefix(site, lang),
        p.plan.id,
        p.moves[moved].number
    )
}

/// The site-relative path (the URL path, without base) of a page.
pub fn page_path(site: &LinkedSite, page: Page) -> String {
    let plan_id = |plan: usize| site.plans[plan].plan.id.as_str();
    match page {
        Page::Home { lang } => prefix(site, lang),
        Page::Plan { plan, lang } => format!("{}{}/", prefix(site, lang), plan_id(plan)),
        Page::Section {
            plan,
            section,
            lang,
        } => format!(
            "{}{}/sections/{}/",
            prefix(site, lang),
            plan_id(plan),
            site.plans[plan].sections[section].section.number
        ),
        Page::Item { plan, item, lang } => item_path(site, plan, item, lang),
        Page::Badge { plan, item, lang } => {
            format!("{}badge.svg", item_path(site, plan, item, lang))
        }
        Page::TagIndex { plan, lang } => format!("{}{}/tags/", prefix(site, lang), plan_id(plan)),
        Page::Tag { plan, tag, lang } => format!(
            "{}{}/tags/{}/",
            prefix(site, lang),
            plan_id(plan),
            site.plans[plan].tags[tag].slug
        ),
        Page::TagRedirect {
            plan,
            tag,
            former,
            lang,
        } => format!(
            "{}{}/tags/{}/",
            prefix(site, lang),
            plan_id(plan),
            site.plans[plan].tags[tag].former_slugs[former]
        ),
        Page::Status { plan, status, lang } => format!(
            "{}{}/status/{}/",
            prefix(site, lang),
            plan_id(plan),
            site.plans[plan].statuses[status].key
        ),
        Page::Feed { plan, lang } => format!("{}{}/updates.xml", prefix(site, lang), plan_id(plan)),
        Page::ItemsJson { plan } => format!("{}/items.json", plan_id(plan)),
        Page::ItemsCsv { plan } => format!("{}/items.csv", plan_id(plan)),
        Page::Search { lang } => format!("{}search/", prefix(site, lang)),
        Page::NotFound { lang } => format!("{}404.html", prefix(site, lang)),
        Page::Method { lang } => format!("{}method/", prefix(site, lang)),
        Page::Sitemap => "sitemap.xml".into(),
        Page::Robots => "robots.txt".into(),
        Page::Moved { plan, moved, lang } => moved_path(site, plan, moved, lang),
        Page::MovedBadge { plan, moved, lang } => {
            format!("{}badge.svg", moved_path(site, plan, moved, lang))
        }
        Page::Redirects => "_redirects".into(),
        Page::NginxRedirects => "redirects.nginx.conf".into(),
    }
}

/// The output file of a page: directories get `index.html`. Paths are
/// never percent-decoded here: every segment is already a safe name.
pub fn page_output_path(site: &LinkedSite, page: Page) -> String {
    let path = page_path(site, page);
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    }
}

/// The anchor of a target on its item's page: `target-<key>`.
pub fn target_anchor(key: &str) -> String {
    format!("target-{key}")
}

/// The anchor of an update on its item's page: `update-<date>`.
pub fn update_anchor(date: crate::model::Date) -> String {
    format!("update-{}", date.iso())
}

/// The anchor of a section on its plan's page: `section-<number>`.
pub fn section_anchor(number: u32) -> String {
    format!("section-{number}")
}

/// The folder of a language's search index, relative to the site root.
pub fn search_index_path(site: &LinkedSite, lang: usize) -> String {
    format!("{}search/index/", prefix(site, lang))
}

/// The page an output file is, for the pages whose content a broken link
/// may come from (item and plan pages).
pub fn page_of_output(site: &LinkedSite, output_path: &str) -> Option<Page> {
    for (plan, p) in site.plans.iter().enumerate() {
        for item in 0..p.items.len() {
            for lang in 0..site.config.languages.len() {
                let page = Page::Item { plan, item, lang };
                if output_path == page_output_path(site, page) {
                    return Some(page);
                }
            }
        }
        for lang in 0..site.config.languages.len() {
            let page = Page::Plan { plan, lang };
            if output_path == page_output_path(site, page) {
                return Some(page);
            }
        }
    }
    None
}

/// The content behind a page: the file that says what the page shows in
/// its language, and the Markdown of its body.
pub struct PageSource<'a> {
    pub path: PathBuf,
    pub body: &'a str,
}

/// The content file of an item or plan page (a plan's pages all point at
/// its default-language file); `None` for other pages.
pub fn content_source(site: &LinkedSite, page: Page) -> Option<PageSource<'_>> {
    let dl = &site.config.default_language;
    match page {
        Page::Item { plan, item, lang } => {
            let it = &site.plans[plan].items[item].item;
            let code = lang_code(site, lang);
            if code == dl || !it.languages.contains(code) {
                return Some(PageSource {
                    path: it.path.clone(),
                    body: &it.body.default,
                });
            }
            Some(PageSource {
                path: crate::load::translation_path(&it.path, code),
                body: it.body.get(code, dl).0,
            })
        }
        Page::Plan { plan, .. } => {
            let p = &site.plans[plan].plan;
            Some(PageSource {
                path: p.path.clone(),
                body: &p.body.default,
            })
        }
        Page::Home { .. }
        | Page::Section { .. }
        | Page::Badge { .. }
        | Page::TagIndex { .. }
        | Page::Tag { .. }
        | Page::Status { .. }
        | Page::TagRedirect { .. }
        | Page::Feed { .. }
        | Page::ItemsJson { .. }
        | Page::ItemsCsv { .. }
        | Page::Search { .. }
        | Page::NotFound { .. }
        | Page::Method { .. }
        | Page::Sitemap
        | Page::Robots
        | Page::Moved { .. }
        | Page::MovedBadge { .. }
        | Page::Redirects
        | Page::NginxRedirects => None,
    }
}

/// Where an output file comes from: the content file behind it where
/// there is one (item and plan pages), else the output path itself.
pub fn output_location(site: &LinkedSite, output_path: &str) -> Location {
    page_of_output(site, output_path)
        .and_then(|page| content_source(site, page))
        .map(|s| Location::file(&s.path))
        .unwrap_or_else(|| Location::file(Path::new(output_path)))
}

/// at and the words that name it.
pub fn describe_source(site: &LinkedSite, page: Page) -> (Location, String) {
    let file = |p: &Path| Location::file(p);
    let generated = |what: &str, path: &str| {
        (
            Location::file(Path::new("site.toml")),
            format!("{what} planpub generates (`{path}`)"),
        )
    };
    let lang = |l: usize| lang_code(site, l).to_string();
    match page {
        Page::Item {
            plan,
            item,
            lang: l,
        }
        | Page::Badge {
            plan,
            item,
            lang: l,
        } => {
            let it = &site.plans[plan].items[item].item;
            let what = if matches!(page, Page::Badge { .. }) {
                "badge"
            } else {
                "page"
            };
            (
                file(&it.path),
                format!(
                    "the {} {what} of item {} ({})",
                    lang(l),
                    it.number,
                    it.path.display()
                ),
            )
        }
        Page::Section {
            plan,
            section,
            lang: l,
        } => {
            let s = &site.plans[plan].sections[section].section;
            (
                file(&s.path),
                format!(
                    "the {} page of section {} ({})",
                    lang(l),
                    s.number,
                    s.path.display()
                ),
            )
        }
        Page::Plan { plan, lang: l }
        | Page::TagIndex { plan, lang: l }
        | Page::Tag { plan, lang: l, .. }
        | Page::TagRedirect { plan, lang: l, .. }
        | Page::Status { plan, lang: l, .. }
        | Page::Feed { plan, lang: l } => {
            let p = &site.plans[plan].plan;
            (
                file(&p.path),
                format!("a {} page of plan {} ({})", lang(l), p.id, p.path.display()),
            )
        }
        Page::ItemsJson { plan } | Page::ItemsCsv { plan } => {
            let p = &site.plans[plan].plan;
            (
                file(&p.path),
                format!("a data file of plan {} ({})", p.id, p.path.display()),
            )
        }
        Page::Home { lang: l } => generated(
            &format!("the {} home page", lang(l)),
            &page_path(site, page),
        ),
        Page::Search { lang: l } => generated(
            &format!("the {} search page", lang(l)),
            &page_path(site, page),
        ),
        Page::NotFound { lang: l } => {
            generated(&format!("the {} 404 page", lang(l)), &page_path(site, page))
        }
        Page::Method { lang: l } => generated(
            &format!("the {} method page", lang(l)),
            &page_path(site, page),
        ),
        Page::Sitemap => generated("the sitemap", "sitemap.xml"),
        Page::Robots => generated("the robots.txt", "robots.txt"),
        Page::Moved { plan, moved, lang } | Page::MovedBadge { plan, moved, lang } => {
            describe_moved(site, plan, moved, lang)
        }
        Page::Redirects => generated("the redirects for static hosts", "_redirects"),
        Page::NginxRedirects => generated("the nginx redirects", "redirects.nginx.conf"),
    }
}

/// The content file behind the page (or badge) at an old item URL,
/// and the words that name it.
fn describe_moved(site: &LinkedSite, plan: usize, moved: usize, lang: usize) -> (Location, String) {
    let m = &site.plans[plan].moves[moved];
    let it = &site.plans[plan].items[m.item].item;
    (
        Location::file(&it.path),
        format!(
            "the {} page at former number {} of item {} ({})",
            lang_code(site, lang),
            m.number,
            it.number,
            it.path.display()
        ),
    )
}

mod affected;
pub use affected::{Change, own_pages_of_item, pages_affected_by};
