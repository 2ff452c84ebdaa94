//! Rendering pages into an [`Output`]: each page is rendered, its links
//! checked as far as they can be, and put, chunk by chunk, so that no more
//! than one page per thread is held in memory when the output is a
//! folder. The one render path of `build`, `check` and `serve`.

use super::env::RenderEnv;
use super::link_check::{self, ExpectedPaths, WrittenPageLinks};
use crate::diagnostics::{Code, Diagnostics, Location};
use crate::index::Cancelled;
use crate::output::{Output, SiteOutput};
use crate::pages::Page;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

/// Pages rendered and put per chunk: enough to keep both cores busy,
/// small enough that the site is never all in memory.
pub const PAGES_PER_CHUNK: usize = 1024;

/// What putting pages left: every HTML page's links, checked as far as
/// they could be (see [`WrittenPageLinks`]), and the paths put.
#[derive(Default)]
pub struct PutPages {
    pub links: Vec<WrittenPageLinks>,
    pub paths: BTreeSet<String>,
}

impl PutPages {
    /// Takes in what another round of putting left.
    pub fn extend(&mut self, other: PutPages) {
        self.links.extend(other.links);
        self.paths.extend(other.paths);
    }
}

/// Renders `pages` into `output`, checking each HTML page's links against
/// `expected` as it goes. Template errors are reported once per place in
/// a template, however many pages they broke; after the first error,
/// pages are still rendered (to find every error) but no longer put.
pub fn render_pages_into(
    env: &RenderEnv<'_>,
    pages: &[Page],
    output: &dyn Output,
    expected: &ExpectedPaths,
    diags: &mut Diagnostics,
) -> PutPages {
    render_pages(env, pages, output, expected, diags, None).unwrap_or_default()
}

/// [`render_pages_into`], given up as soon as `cancelled` says so (it is
/// asked before each page): `None` then, and whatever was put is to be
/// thrown away. `serve` gives way to a new edit so (issue #21.2).
pub fn render_pages_unless(
    env: &RenderEnv<'_>,
    pages: &[Page],
    output: &dyn Output,
    expected: &ExpectedPaths,
    diags: &mut Diagnostics,
    cancelled: Cancelled<'_>,
) -> Option<PutPages> {
    render_pages(env, pages, output, expected, diags, Some(cancelled))
}

fn render_pages(
    env: &RenderEnv<'_>,
    pages: &[Page],
    output: &dyn Output,
    expected: &ExpectedPaths,
    diags: &mut Diagnostics,
    cancelled: Option<Cancelled<'_>>,
) -> Option<PutPages> {
    let given_way = || cancelled.is_some_and(|c| c());
    let mut put = PutPages::default();
    let base = env.site.config.base_path.as_str();
    let mut errors = Diagnostics::new();
    for chunk in pages.chunks(PAGES_PER_CHUNK) {
        let failed = diags.has_errors() || errors.has_errors();
        let results: Vec<Result<(String, Option<WrittenPageLinks>), Diagnostics>> = chunk
            .par_iter()
            .map(|p| {
                if given_way() {
                    return Err(Diagnostics::new());
                }
                let (path, bytes) = env.render_page_unless(*p, cancelled)?;
                if failed {
                    return Ok((path, None));
                }
                check_and_put(base, expected, output, &path, bytes)
                    .map(|links| (path.clone(), links))
                    .map_err(|e| {
                        let mut d = Diagnostics::new();
                        d.error(
                            Code::CannotWrite,
                            Location::file(Path::new(&path)),
                            format!("cannot write the site: {e}"),
                            None,
                        );
                        d
                    })
            })
            .collect();
        if given_way() {
            return None;
        }
        for r in results {
            match r {
                Ok((path, links)) => {
                    put.links.extend(links);
                    put.paths.insert(path);
                }
                Err(d) => errors.extend(d),
            }
        }
    }
    report_render_errors(errors, diags);
    Some(put)
}

/// Puts the theme's static files and the content's attachments.
pub fn put_files(
    files: SiteOutput,
    base: &str,
    output: &dyn Output,
    expected: &ExpectedPaths,
    diags: &mut Diagnostics,
) -> PutPages {
    let mut put = PutPages::default();
    for (path, bytes) in files.files {
        match check_and_put(base, expected, output, &path, bytes) {
            Ok(links) => {
                put.links.extend(links);
                put.paths.insert(path);
            }
            Err(e) => {
                diags.error(
                    Code::CannotWrite,
                    Location::file(Path::new("public")),
                    format!("cannot write the site: {e}"),
                    Some("check that the output folder's parent is writable; the previous site was left as it was".into()),
                );
                break;
            }
        }
    }
    put
}

/// Checks an HTML file's links as far as `expected` allows, then puts it.
fn check_and_put(
    base: &str,
    expected: &ExpectedPaths,
    output: &dyn Output,
    path: &str,
    bytes: Vec<u8>,
) -> std::io::Result<Option<WrittenPageLinks>> {
    let links = path.ends_with(".html").then(|| {
        WrittenPageLinks::check(base, link_check::extract_page_links(path, &bytes), expected)
    });
    output.put(path, bytes)?;
    Ok(links)
}

/// Adds page rendering errors to `diags`: the same template error on
/// 20,000 pages is one problem.
fn report_render_errors(errors: Diagnostics, diags: &mut Diagnostics) {
    let mut seen = BTreeSet::new();
    for d in errors.iter() {
        if seen.insert((d.path.clone(), d.line, d.column)) {
            diags.push(d.clone());
        }
    }
}
