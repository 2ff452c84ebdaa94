//! The Markdown of every document rendered once per build and language:
//! pages, the data files and the search index read it from here.

use super::markdown::{RenderedMarkdown, render_markdown};
use crate::link::LinkedSite;
use rayon::prelude::*;

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

/// Renders the Markdown of every document in every language.
pub fn render_bodies(site: &LinkedSite) -> RenderedBodies {
    let base = &site.config.base_path;
    let dl = &site.config.default_language;
    let langs = site.config.language_codes();
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
                .map(|it| render_item_bodies(&it.item, &langs, &site.config))
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
    config: &crate::config::SiteConfig,
) -> Vec<RenderedMarkdown> {
    let (dl, base) = (config.default_language.as_str(), config.base_path.as_str());
    // Long one-paragraph bodies are shown a sentence to a paragraph, when
    // the site keeps `[display] split_paragraphs` on (issue #20.7).
    let render = |text: &str| {
        if config.split_paragraphs {
            render_markdown(&super::typography::split_long_paragraphs(text), base)
        } else {
            render_markdown(text, base)
        }
    };
    let default = render(&item.body.default);
    langs
        .iter()
        .map(|l| match item.body.get(l, dl) {
            (_, true) => default.clone(),
            (text, false) if *l == dl => {
                let _ = text;
                default.clone()
            }
            (text, false) => render(text),
        })
        .collect()
}
