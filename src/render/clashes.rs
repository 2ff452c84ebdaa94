//! Output paths that two sources would write, checked before anything is
//! rendered; and the theme's static files and content attachments, which
//! are put as they are.

use crate::diagnostics::{Code, Diagnostics, Location};
use crate::link::LinkedSite;
use crate::output::SiteOutput;
use crate::pages::{all_pages, describe_source, page_output_path};

/// Reports every output path that two sources would write (a page and a
/// content attachment, two pages), and every path written as a file that
/// another output needs as a folder: either would lose a page in silence.
pub fn report_output_clashes(site: &LinkedSite, diags: &mut Diagnostics) {
    output_clashes(site, &static_files(site), diags);
}

/// The theme's static files and the content assets, at their paths.
pub fn static_files(site: &LinkedSite) -> SiteOutput {
    let mut assets = SiteOutput::default();
    add_static_files(site, &mut assets);
    assets
}

/// [`report_output_clashes`] with the static files and assets at hand.
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
        .map(|l| crate::pages::search_index_path(site, l))
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
        report_output_clashes(&site, &mut diags);
        assert!(diags.is_empty(), "{}", diags.render());
        site.plans[0].plan.id = "en".into();
        report_output_clashes(&site, &mut diags);
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
