//! The first build's pages on demand (issue #21.3): while `serve` renders
//! the whole site for the first time (seconds at 10,000 items), a page
//! that is asked for is rendered on its own, from the same prepared site
//! the whole render uses, and answered at once.
//!
//! Only the first build, and only once the site has validated and linked
//! without an error, is offered so: a page answered early has the bytes
//! the whole render gives it. Later rebuilds keep serving the last good
//! site while they work, as before.

use crate::output::SiteOutput;
use crate::pages::{Page, all_pages, page_output_path};
use crate::render::{Prepared, RenderEnv, clashes};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A prepared site whose pages can be rendered one at a time.
pub struct EarlyPages {
    pub(super) prepared: Prepared,
    /// Output path → page.
    pages: HashMap<String, Page>,
    /// The theme's static files and the content's attachments.
    files: SiteOutput,
    /// The path the site is served under (`/plan/`).
    base_path: String,
}

impl EarlyPages {
    pub(super) fn new(prepared: Prepared) -> EarlyPages {
        let site = &prepared.site;
        let pages = all_pages(site)
            .into_iter()
            .map(|p| (page_output_path(site, p), p))
            .collect();
        let files = clashes::static_files(site);
        let base_path = site.config.base_path.clone();
        EarlyPages {
            prepared,
            pages,
            files,
            base_path,
        }
    }

    /// The file at `path` (relative to the site root), rendered now;
    /// `None` when the site has no such file or its template fails (the
    /// whole render reports that).
    fn file(&self, path: &str) -> Option<Vec<u8>> {
        if let Some(bytes) = self.files.files.get(path) {
            return Some(bytes.clone());
        }
        let page = *self.pages.get(path)?;
        let p = &self.prepared;
        let env = RenderEnv::new(&p.site, &p.templates, &p.bodies);
        env.render_page(page).ok().map(|(_, bytes)| bytes)
    }
}

/// Where the first build offers its pages, shared with the HTTP side.
#[derive(Default)]
pub struct EarlySlot(RwLock<Option<Arc<EarlyPages>>>);

impl EarlySlot {
    pub fn new() -> EarlySlot {
        EarlySlot::default()
    }

    /// Offers `pages` until [`EarlySlot::withdraw`].
    pub(super) fn offer(&self, pages: Arc<EarlyPages>) {
        *self.0.write().expect("early pages lock") = Some(pages);
    }

    /// Takes the offer back and returns the prepared site, once no request
    /// is rendering from it any more.
    pub(super) fn withdraw(&self, pages: Arc<EarlyPages>) -> Prepared {
        self.0.write().expect("early pages lock").take();
        let mut pages = pages;
        loop {
            match Arc::try_unwrap(pages) {
                Ok(early) => return early.prepared,
                // A request renders a page from it: a few milliseconds.
                Err(shared) => {
                    pages = shared;
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
    }

    /// The path the offered site is served under, if one is offered.
    pub fn base_path(&self) -> Option<String> {
        let pages = self.0.read().expect("early pages lock");
        pages.as_ref().map(|p| p.base_path.clone())
    }

    /// Whether the offered site has a file at `rel`.
    pub fn has(&self, rel: &str) -> bool {
        let pages = self.0.read().expect("early pages lock");
        pages
            .as_ref()
            .is_some_and(|p| p.pages.contains_key(rel) || p.files.files.contains_key(rel))
    }

    /// `None` when no site is offered; else the file at `rel` (relative
    /// to the site's root), rendered now, or `None` if there is none.
    pub fn file(&self, rel: &str) -> Option<Option<Vec<u8>>> {
        let pages = self.0.read().expect("early pages lock").clone()?;
        Some(pages.file(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;
    use crate::output::MemoryOutput;
    use crate::pipeline::{NoHooks, link_stage, render_and_index};
    use crate::{BuildOptions, render};

    // issue #21.3: a page answered before the first build is done has the
    // bytes that build gives it, in every language; so do the static
    // files; a path the site does not have is not made up.
    #[test]
    fn early_pages_are_the_whole_builds_pages() {
        let options = BuildOptions {
            root: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan2023"),
            base_url: None,
        };
        let mut diags = Diagnostics::new();
        let linked = link_stage(&options, &mut diags, &NoHooks).expect("the fixture links");
        let prepared = render::prepare(linked, &mut diags).expect("the fixture prepares");
        let slot = EarlySlot::new();
        assert!(
            slot.file("2023/16/index.html").is_none(),
            "nothing offered yet"
        );
        let early = Arc::new(EarlyPages::new(prepared));
        slot.offer(early.clone());
        let output = MemoryOutput::new();
        render_and_index(&early.prepared, &output, &mut diags, &NoHooks).expect("it builds");
        let site = output.into_site();
        let mut compared = 0;
        for (path, bytes) in &site.files {
            if path.starts_with("search/index/") || path.contains("/search/index/") {
                continue; // the search index comes with the whole build
            }
            let early_bytes = slot.file(path).flatten();
            assert!(early_bytes.as_ref() == Some(bytes), "{path} differs early");
            compared += 1;
        }
        assert!(compared > 200, "only {compared} files compared");
        for path in [
            "2023/16/index.html",
            "en/2023/16/index.html",
            "en/2023/16/badge.svg",
        ] {
            assert!(site.files.contains_key(path), "{path} is in the build");
        }
        assert_eq!(slot.file("2023/999/index.html"), Some(None));
        let prepared = slot.withdraw(early);
        assert_eq!(prepared.site.plans.len(), 1);
        assert!(slot.file("2023/16/index.html").is_none(), "withdrawn");
    }
}
