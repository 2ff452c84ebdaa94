//! The link checker: every internal link and asset reference in every
//! generated page (from content and from templates alike) must resolve to
//! a generated file, and every `#fragment` to an `id` on that page.
//!
//! It works in two steps, so that a build can write pages as it renders
//! them: [`extract_page_links`] keeps what one page links to and the ids it
//! has; [`verify_links`] then resolves every link against the files that
//! exist ([`LinkTargets`]). Linear in the size of the output.

use crate::diagnostics::{Code, Diagnostics};
use crate::link::LinkedSite;
use crate::output::SiteOutput;
use crate::pages::{content_source, output_location, page_of_output};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Attribute values of `attr="…"` in an HTML text.
#[cfg(test)]
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let start = i + needle.len();
        let Some(len) = rest[start..].find('"') else {
            break;
        };
        out.push(&rest[start..start + len]);
        rest = &rest[start + len..];
    }
    out
}

/// `s` with its `%XX` escapes decoded (invalid UTF-8 replaced).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The values of every ` href="…"` and ` src="…"` (in that order), and of
/// every ` id="…"`, in one pass over the page: what three
/// [`attribute_values`] calls give.
fn link_attributes(bytes: &[u8]) -> (Vec<&str>, Vec<&str>) {
    let (mut hrefs, mut srcs, mut ids) = (Vec::new(), Vec::new(), Vec::new());
    let finder = memchr::memmem::Finder::new(b"=\"");
    let mut from = 0;
    while let Some(i) = finder.find(&bytes[from..]) {
        let eq = from + i;
        let start = eq + 2;
        let Some(len) = memchr::memchr(b'"', &bytes[start..]) else {
            break;
        };
        let value = &bytes[start..start + len];
        let before = &bytes[..eq];
        // Quotes and `=` are ASCII: both ends are character boundaries,
        // so only the values kept are checked for UTF-8, not the whole
        // page again (pages are our own UTF-8; a value that is not is no
        // link).
        let list = if before.ends_with(b" href") {
            Some(&mut hrefs)
        } else if before.ends_with(b" src") {
            Some(&mut srcs)
        } else if before.ends_with(b" id") {
            Some(&mut ids)
        } else {
            None
        };
        if let Some(list) = list
            && let Ok(value) = std::str::from_utf8(value)
        {
            list.push(value);
        }
        from = start + len;
    }
    hrefs.extend(srcs);
    (hrefs, ids)
}

/// Decodes the character references an escaper may put in a URL.
fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    // One pass (tera escapes every `/` of a URL as `&#x2F;`).
    const ENTITIES: [(&str, char); 7] = [
        ("&#x2F;", '/'),
        ("&#47;", '/'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => {
                out.push(*c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// At most this many broken links are listed one by one.
const MAX_BROKEN_LINKS_LISTED: usize = 50;

/// The output file a site path points at, if any.
fn resolve(files: &dyn LinkTargets, path: &str) -> Option<String> {
    // One buffer for both candidates: a page links some sixty times, and
    // this runs for every link of every page.
    let mut candidate = if path.contains('%') {
        percent_decode(path)
    } else {
        path.to_string()
    };
    if candidate.is_empty() || candidate.ends_with('/') {
        candidate.push_str("index.html");
        return files.exists(&candidate).then_some(candidate);
    }
    if files.exists(&candidate) {
        return Some(candidate);
    }
    candidate.push_str("/index.html");
    files.exists(&candidate).then_some(candidate)
}

/// Joins a relative reference onto the directory of `page`.
fn join_relative(page: &str, reference: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in reference.split('/') {
        match seg {
            "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// What the checker keeps of one HTML page: its internal link targets
/// (external ones are dropped) and its element ids.
#[derive(Clone, Debug, Default)]
pub struct PageLinks {
    pub page: String,
    pub links: Vec<String>,
    pub ids: Vec<String>,
}

/// Reads one page's links and ids.
pub fn extract_page_links(page: &str, bytes: &[u8]) -> PageLinks {
    // Values are borrowed from the page, not copied.
    let (urls, ids) = link_attributes(bytes);
    let mut links: Vec<std::borrow::Cow<'_, str>> = urls
        .into_iter()
        .map(decode_entities)
        .filter(|v| {
            let no_frag = v.split('#').next().unwrap_or("");
            // Another site, mailto:, data: — not ours to check.
            !(no_frag.starts_with("//") || no_frag.split('?').next().unwrap_or("").contains(':'))
        })
        .collect();
    // Deduplicated before they are copied: a page links to the same few
    // pages many times (its section, the plan, the search page).
    links.sort_unstable();
    links.dedup();
    let links: Vec<String> = links
        .into_iter()
        .map(std::borrow::Cow::into_owned)
        .collect();
    let ids = ids.into_iter().map(str::to_string).collect();
    PageLinks {
        page: page.to_string(),
        links,
        ids,
    }
}

/// The files a link may point at.
pub trait LinkTargets: Sync {
    /// Whether an output file exists.
    fn exists(&self, path: &str) -> bool;
    /// The element ids of an HTML output page.
    fn ids(&self, page: &str) -> BTreeSet<String>;
}

/// The site as `serve` sees it mid-rebuild: the served output with the
/// re-rendered pages laid over it.
#[derive(Clone, Copy)]
pub struct OutputView<'a> {
    pub base: &'a SiteOutput,
    pub overlay: Option<&'a SiteOutput>,
}

impl<'a> OutputView<'a> {
    fn get(&self, path: &str) -> Option<&'a Vec<u8>> {
        self.overlay
            .and_then(|o| o.files.get(path))
            .or_else(|| self.base.files.get(path))
    }
}

impl LinkTargets for OutputView<'_> {
    fn exists(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    fn ids(&self, page: &str) -> BTreeSet<String> {
        self.get(page)
            .map(|b| extract_page_links(page, b).ids.into_iter().collect())
            .unwrap_or_default()
    }
}

/// Checks every internal link of the HTML pages of `output` (or only of
/// `only`); problems go to `diags`.
pub fn check_links_in(
    site: &LinkedSite,
    output: OutputView<'_>,
    only: Option<&[String]>,
    diags: &mut Diagnostics,
) {
    check_links_unless(site, output, only, diags, &|| false);
}

/// [`check_links_in`], given up (`None`, nothing checked) as soon as
/// `cancelled` says so; it is asked before each page is read.
pub fn check_links_unless(
    site: &LinkedSite,
    output: OutputView<'_>,
    only: Option<&[String]>,
    diags: &mut Diagnostics,
    cancelled: crate::index::Cancelled<'_>,
) -> Option<()> {
    let pages: Vec<(&str, &Vec<u8>)> = match only {
        Some(list) => list
            .iter()
            .filter(|p| p.ends_with(".html"))
            .filter_map(|p| output.get(p).map(|b| (p.as_str(), b)))
            .collect(),
        None => output
            .base
            .files
            .iter()
            .filter(|(p, _)| p.ends_with(".html"))
            .map(|(p, b)| (p.as_str(), b))
            .collect(),
    };
    let links: Vec<PageLinks> = pages
        .par_iter()
        .map(|(p, b)| (!cancelled()).then(|| extract_page_links(p, b)))
        .collect::<Option<_>>()?;
    verify_links_unless(site, &links, &output, diags, cancelled)
}

/// One page's links checked against the files of the site: the broken
/// ones (page, link), and those with a fragment, whose target page's ids
/// are checked later (page, target file, fragment).
pub type ResolvedLinks = (Vec<(String, String)>, Vec<(String, String, String)>);

/// The output paths a site will have, known before it is written.
///
/// A hash set with rustc-hash (FxHash) rather than SipHash: a
/// page's sixty links are each looked up here, and the paths are ours,
/// not an attacker's.
pub struct ExpectedPaths(pub rustc_hash::FxHashSet<String>);

impl LinkTargets for ExpectedPaths {
    fn exists(&self, path: &str) -> bool {
        self.0.contains(path)
    }

    fn ids(&self, _page: &str) -> BTreeSet<String> {
        BTreeSet::new()
    }
}

/// A written page's links, checked while the site was being written:
/// only what could not be settled then is kept, so that `build` does not
/// hold every link of every page until the end.
pub struct WrittenPageLinks {
    pub page: String,
    /// Links to no file expected then (checked again once every file,
    /// the search index included, is written).
    pub unresolved: Vec<String>,
    /// (page, target, fragment) on another page.
    pub fragments: Vec<(String, String, String)>,
    /// (page, link) whose fragment is not on this very page.
    pub broken: Vec<(String, String)>,
    /// The page's ids, one per line.
    pub ids: String,
}

impl WrittenPageLinks {
    pub fn check(base: &str, pl: PageLinks, expected: &ExpectedPaths) -> WrittenPageLinks {
        let (unresolved, fragments) = resolve_page_links(base, &pl, expected);
        let mut broken = Vec::new();
        let mut far = Vec::new();
        for (page, target, frag) in fragments {
            if target == page {
                if !pl.ids.contains(&frag) {
                    broken.push((page, format!("{target}#{frag}")));
                }
            } else {
                far.push((page, target, frag));
            }
        }
        WrittenPageLinks {
            unresolved: unresolved.into_iter().map(|(_, l)| l).collect(),
            fragments: far,
            broken,
            ids: pl.ids.join("\n"),
            page: pl.page,
        }
    }
}

/// Finishes the check of [`WrittenPageLinks`] once every file is written.
pub fn verify_written_links(
    site: &LinkedSite,
    pages: Vec<WrittenPageLinks>,
    targets: &dyn LinkTargets,
    diags: &mut Diagnostics,
) {
    let base = site.config.base_path.as_str();
    let mut broken_all = Vec::new();
    let mut frag_links = Vec::new();
    for p in pages {
        if !p.unresolved.is_empty() {
            let again = PageLinks {
                page: p.page,
                links: p.unresolved,
                ids: Vec::new(),
            };
            let (b, f) = resolve_page_links(base, &again, targets);
            broken_all.extend(b);
            frag_links.extend(f);
        }
        broken_all.extend(p.broken);
        frag_links.extend(p.fragments);
    }
    report_links(site, broken_all, frag_links, targets, diags);
}

/// Finishes the check of the pages put (see [`WrittenPageLinks`]) once
/// every file of the site is: `paths` are all of them.
pub fn verify_put_links(
    site: &LinkedSite,
    mut pages: Vec<WrittenPageLinks>,
    paths: &BTreeSet<String>,
    diags: &mut Diagnostics,
) {
    let ids: std::collections::HashMap<String, String> = pages
        .iter_mut()
        .map(|l| (l.page.clone(), std::mem::take(&mut l.ids)))
        .collect();
    let targets = PutTargets {
        paths,
        ids: ids.iter().map(|(p, i)| (p.as_str(), i.as_str())).collect(),
    };
    verify_written_links(site, pages, &targets, diags);
}

/// The site as put, as link targets: its paths, and the ids kept of each
/// HTML page.
struct PutTargets<'a> {
    paths: &'a BTreeSet<String>,
    /// Page → its ids, one per line.
    ids: std::collections::HashMap<&'a str, &'a str>,
}

impl LinkTargets for PutTargets<'_> {
    fn exists(&self, path: &str) -> bool {
        self.paths.contains(path)
    }

    fn ids(&self, page: &str) -> BTreeSet<String> {
        self.ids
            .get(page)
            .map(|v| v.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

/// Resolves one page's links against `targets` (see [`ResolvedLinks`]).
pub fn resolve_page_links(base: &str, pl: &PageLinks, targets: &dyn LinkTargets) -> ResolvedLinks {
    let page = pl.page.as_str();
    let mut broken = Vec::new();
    let mut fragments = Vec::new();
    for value in &pl.links {
        let (no_frag, frag) = match value.split_once('#') {
            Some((a, b)) => (a, Some(b)),
            None => (value.as_str(), None),
        };
        let no_query = no_frag.split('?').next().unwrap_or("");
        let target: Option<String> = if value.starts_with('#') {
            Some(page.to_string())
        } else if let Some(rest) = no_query.strip_prefix(base) {
            resolve(targets, rest)
        } else if no_query.starts_with('/') {
            None
        } else {
            resolve(targets, &join_relative(page, no_query))
        };
        match (target, frag) {
            (None, _) => broken.push((page.to_string(), value.clone())),
            (Some(t), Some(f)) if !f.is_empty() && t.ends_with(".html") => {
                fragments.push((page.to_string(), t, percent_decode(f)))
            }
            _ => {}
        }
    }
    (broken, fragments)
}

/// Resolves every link of `pages` against `targets`; problems go to
/// `diags`, the first [`MAX_BROKEN_LINKS_LISTED`] one by one.
pub fn verify_links(
    site: &LinkedSite,
    pages: &[PageLinks],
    targets: &dyn LinkTargets,
    diags: &mut Diagnostics,
) {
    verify_links_unless(site, pages, targets, diags, &|| false);
}

/// [`verify_links`], given up (`None`, nothing reported) as soon as
/// `cancelled` says so; it is asked before each page's links are
/// resolved and each target page's ids are read.
fn verify_links_unless(
    site: &LinkedSite,
    pages: &[PageLinks],
    targets: &dyn LinkTargets,
    diags: &mut Diagnostics,
    cancelled: crate::index::Cancelled<'_>,
) -> Option<()> {
    let base = site.config.base_path.as_str();
    let found: Vec<ResolvedLinks> = pages
        .par_iter()
        .map(|pl| (!cancelled()).then(|| resolve_page_links(base, pl, targets)))
        .collect::<Option<_>>()?;
    let mut broken_all = Vec::new();
    let mut frag_links = Vec::new();
    for (b, f) in found {
        broken_all.extend(b);
        frag_links.extend(f);
    }
    report_links_unless(site, broken_all, frag_links, targets, diags, cancelled)
}

/// Checks the fragments against their target pages' ids, then reports
/// every broken link (the first [`MAX_BROKEN_LINKS_LISTED`] one by one).
pub fn report_links(
    site: &LinkedSite,
    broken_all: Vec<(String, String)>,
    frag_links: Vec<(String, String, String)>,
    targets: &dyn LinkTargets,
    diags: &mut Diagnostics,
) {
    report_links_unless(site, broken_all, frag_links, targets, diags, &|| false);
}

/// [`report_links`], given up (`None`, nothing reported) as soon as
/// `cancelled` says so before a target page's ids are read.
fn report_links_unless(
    site: &LinkedSite,
    mut broken_all: Vec<(String, String)>,
    frag_links: Vec<(String, String, String)>,
    targets: &dyn LinkTargets,
    diags: &mut Diagnostics,
    cancelled: crate::index::Cancelled<'_>,
) -> Option<()> {
    let wanted: BTreeSet<&String> = frag_links.iter().map(|(_, t, _)| t).collect();
    let ids: BTreeMap<&String, BTreeSet<String>> = wanted
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|t| (!cancelled()).then(|| (t, targets.ids(t))))
        .collect::<Option<_>>()?;
    for (page, target, frag) in &frag_links {
        if !ids.get(target).is_some_and(|s| s.contains(frag)) {
            broken_all.push((page.clone(), format!("{target}#{frag}")));
        }
    }
    let mut seen = BTreeSet::new();
    let total = broken_all.len();
    if total > MAX_BROKEN_LINKS_LISTED {
        diags.error(
            Code::BrokenLink,
            crate::diagnostics::Location::file(std::path::Path::new(&site.config.theme)),
            format!("{total} broken internal links; the first {MAX_BROKEN_LINKS_LISTED} follow"),
            Some(
                "many broken links on every page usually mean a template builds URLs wrongly"
                    .into(),
            ),
        );
    }
    for (page, link) in broken_all.into_iter().take(MAX_BROKEN_LINKS_LISTED) {
        let at = link_location(site, &page, &link);
        if seen.insert((at.path.clone(), link.clone())) {
            diags.error(Code::BrokenLink,
                at,
                format!("broken internal link `{link}` on page {page}"),
                Some("link to a page the site generates (e.g. /2023/16/ or /2023/16/#target-key), or fix the template".into()),
            );
        }
    }
    Some(())
}

/// Where a broken link was written: the line and column of its first
/// occurrence in the content file behind `page`, as the author wrote it
/// (with or without the site's base path, percent-encoded or not, `&` as
/// `&amp;` or not); the template that renders the page when the link is
/// not in the content file (a template made it); the content file alone
/// when neither is known; the output page when no content file is behind
/// it.
fn link_location(site: &LinkedSite, page: &str, link: &str) -> crate::diagnostics::Location {
    let Some((page, source)) =
        page_of_output(site, page).and_then(|p| content_source(site, p).map(|source| (p, source)))
    else {
        return output_location(site, page);
    };
    let at = crate::diagnostics::Location::file(&source.path);
    let text = source.body;
    let mut written = vec![link.to_string()];
    if let Some(rest) = link.strip_prefix(site.config.base_path.as_str()) {
        written.push(format!("/{rest}"));
    }
    for w in written.clone() {
        let decoded = percent_decode(&w.replace("&amp;", "&"));
        written.push(decoded.clone());
        written.push(decoded.replace('&', "&amp;"));
    }
    // In Markdown a link target ends at `)`, `>`, `"`, a quote or a space.
    let found = written.iter().find_map(|w| {
        text.match_indices(w.as_str())
            .find(|(i, _)| {
                let next = text[i + w.len()..].chars().next();
                matches!(next, None | Some(')' | '>' | '"' | '\'' | ' ' | '\n'))
            })
            .map(|(i, _)| i)
    });
    let body_line = site.body_lines.get(&source.path).copied().unwrap_or(1);
    match found {
        Some(offset) => {
            crate::diagnostics::LineIndex::new(&source.path, text, body_line).location(offset)
        }
        None => site
            .theme
            .templates
            .iter()
            .find(|t| Some(t.name.as_str()) == page.template())
            .map(|t| crate::diagnostics::Location::file(&t.path))
            .unwrap_or(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_finds_what_three_passes_find() {
        let html = "<a href=\"/a/\" id=\"x\"> <img src=\"x.svg\" alt=\"a=b\"> <p data-id=\"no\" id=\"y\"><a href=\"#y\">";
        let (urls, ids) = link_attributes(html.as_bytes());
        let mut three = attribute_values(html, "href");
        three.extend(attribute_values(html, "src"));
        assert_eq!(urls, three);
        assert_eq!(ids, attribute_values(html, "id"));
        assert_eq!(ids, vec!["x", "y"]);
    }

    #[test]
    fn entities_are_decoded_once() {
        assert_eq!(
            decode_entities("&#x2F;2023&#x2F;tags&#x2F;a&amp;b&#x2F;"),
            "/2023/tags/a&b/"
        );
        // `&amp;lt;` is the text `&lt;`, not `<`.
        assert_eq!(decode_entities("a&amp;lt;b &x &#39;"), "a&lt;b &x '");
        assert_eq!(decode_entities("plain"), "plain");
    }

    #[test]
    fn attribute_values_are_found() {
        assert_eq!(
            attribute_values("<a href=\"/a/\"> <img src=\"x.svg\">", "href"),
            vec!["/a/"]
        );
        assert_eq!(join_relative("2023/16/index.html", "../17/"), "2023/17/");
    }
}
