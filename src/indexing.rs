//! Stage 5, index: gather one search document per item and language from
//! the rendered site and add the search index (see src/index/) to the
//! output, under `search/index/` for the default language and
//! `<lang>/search/index/` for the others.

use crate::index::{Cancelled, SearchDocument, SearchUiLabels, build_search_indexes};
use crate::link::LinkedSite;
use crate::output::SiteOutput;
use crate::pages::{item_path, lang_code, prefix};
use crate::render::RenderedBodies;
use crate::render::ui::status_label;

/// The search folder of a language, relative to the site root.
pub fn search_index_dir(site: &LinkedSite, lang: usize) -> String {
    format!("{}search/index/", prefix(site, lang))
}

/// The search documents of one language, in plan and item order.
pub fn search_documents(
    site: &LinkedSite,
    bodies: &RenderedBodies,
    lang: usize,
) -> Vec<SearchDocument> {
    let code = lang_code(site, lang);
    let dl = &site.config.default_language;
    let mut documents = Vec::new();
    for (pi, p) in site.plans.iter().enumerate() {
        for (ii, it) in p.items.iter().enumerate() {
            let section = &p.sections[it.section_index].section;
            documents.push(SearchDocument {
                number: it.item.number,
                url: item_path(site, pi, ii, lang),
                title: it.item.title.get(code, dl).0.to_string(),
                body: bodies.plans[pi].items[ii][lang].text.clone(),
                tags: it
                    .tags
                    .iter()
                    .map(|&t| p.tags[t].names.get(code).unwrap_or(&p.tags[t].name).clone())
                    .collect(),
                target_labels: it
                    .item
                    .targets
                    .iter()
                    .map(|t| t.label.get(code, dl).0.to_string())
                    .collect(),
                section_number: section.number,
                section_title: section.title.get(code, dl).0.to_string(),
                status: it.progress.status.map(|s| s.key().to_string()),
                lang: (!it.item.languages.contains(code)).then(|| dl.clone()),
            });
        }
    }
    documents
}

/// Everything the search index is made from, owned, so that it can be
/// built away from the site (`serve` builds it on another thread).
pub struct IndexInputs {
    /// Per language: code, search index folder, documents, UI labels.
    languages: Vec<(String, String, Vec<SearchDocument>, SearchUiLabels)>,
}

impl IndexInputs {
    pub fn new(site: &LinkedSite, bodies: &RenderedBodies) -> IndexInputs {
        let languages = (0..site.config.languages.len())
            .map(|lang| {
                let labels = SearchUiLabels {
                    statuses: crate::link::status_keys()
                        .into_iter()
                        .map(|k| (k.to_string(), status_label(site, lang, k).to_string()))
                        .collect(),
                };
                (
                    lang_code(site, lang).to_string(),
                    search_index_dir(site, lang),
                    search_documents(site, bodies, lang),
                    labels,
                )
            })
            .collect();
        IndexInputs { languages }
    }

    /// The search index folders (one per language).
    pub fn dirs(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().map(|(_, dir, _, _)| dir.as_str())
    }

    /// Builds the index files of every language, the languages in
    /// parallel.
    pub fn build(&self) -> SiteOutput {
        self.build_unless(&|| false).unwrap_or_default()
    }

    /// [`IndexInputs::build`], given up (`None`) as soon as `cancelled`
    /// says so.
    pub fn build_unless(&self, cancelled: Cancelled<'_>) -> Option<SiteOutput> {
        let inputs: Vec<(&str, &[SearchDocument], &SearchUiLabels)> = self
            .languages
            .iter()
            .map(|(code, _, docs, labels)| (code.as_str(), docs.as_slice(), labels))
            .collect();
        let built = build_search_indexes(&inputs, cancelled)?;
        let mut output = SiteOutput::default();
        for ((_, dir, _, _), files) in self.languages.iter().zip(built) {
            for (path, bytes) in files {
                let path = path.strip_prefix("index/").unwrap_or(&path);
                output.files.insert(format!("{dir}{path}"), bytes);
            }
        }
        Some(output)
    }
}

/// Replaces the search index files of every language in `output`.
pub fn add_search_index(site: &LinkedSite, bodies: &RenderedBodies, output: &mut SiteOutput) {
    let inputs = IndexInputs::new(site, bodies);
    for dir in inputs.dirs() {
        for p in files_under(output, dir) {
            output.files.remove(&p);
        }
    }
    output.files.extend(inputs.build().files);
}

/// The paths of `output` under the folder `dir` (which ends with `/`).
pub fn files_under(output: &SiteOutput, dir: &str) -> Vec<String> {
    output
        .files
        .range(dir.to_string()..)
        .take_while(|(p, _)| p.starts_with(dir))
        .map(|(p, _)| p.clone())
        .collect()
}
