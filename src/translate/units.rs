//! The one adapter between the validated content and translation: the
//! text units of a site, in a fixed order, with stable, readable ids.
//!
//! A text unit is one thing said in words in a default-language file: a
//! plan's title, issuer and preamble, a section's title and introduction,
//! an item's title and body, a target's label and unit, an update's text;
//! and a tag's name, from site.toml. Numbers, dates, statuses and links are
//! never units: translations do not repeat them.
//!
//! ```text
//! 2023/title                                 plan: title, issuer, preamble
//! 2023/section/3/title                       section: title, body
//! 2023/16/title                              item: title, body,
//! 2023/16/target/boarding-schools/label        target/<key>/label, target/<key>/unit,
//! 2023/16/update/2023-06-30/text               update/<date>/text
//! tag/学校建设/name                           a tag's name (site.toml)
//! ```
//!
//! Everything else in `translate` (export, import, the stale check in
//! validate, the count at the end of `check`) reads units through here.
//!
//! The source hash (`source_hash` in a translation's front matter) is
//! defined here too, over a file's units: see [`source_hash`].

use crate::config::SiteConfig;
use crate::model::{Item, Plan, Section};
pub use crate::source_text::{
    Field, FileText, item_source_hash, item_texts, normalize, plan_source_hash, plan_texts,
    section_source_hash, section_texts, source_hash,
};
use crate::validate::ValidatedSite;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How far a unit is translated into a language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnitState {
    /// No translation.
    Missing,
    /// Translated, but the file's source changed since (its `source_hash`
    /// is not the current one).
    Stale,
    /// Translated (from the current source, or with no `source_hash` to
    /// tell otherwise).
    Done,
}

impl UnitState {
    pub fn key(self) -> &'static str {
        match self {
            UnitState::Missing => "missing",
            UnitState::Stale => "stale",
            UnitState::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<UnitState> {
        [UnitState::Missing, UnitState::Stale, UnitState::Done]
            .into_iter()
            .find(|st| st.key() == s)
    }
}

/// A unit of a site, as a translator sees it in one language.
#[derive(Clone, Debug)]
pub struct TextUnit<'a> {
    /// `2023/16/target/boarding-schools/label`: stable as long as the item
    /// number, target key or update date is.
    pub id: String,
    pub field: Field,
    /// The default-language file it comes from (relative to the site;
    /// `site.toml` for a tag's name).
    pub source_path: PathBuf,
    /// The default-language text, [`normalize`]d.
    pub source: String,
    /// The current translation, if any.
    pub translation: Option<&'a str>,
    pub state: UnitState,
    /// The current source hash of its file (`None` for a tag's name,
    /// which is its own source).
    pub file_hash: Option<String>,
}

impl TextUnit<'_> {
    /// Where a translation of this unit is written: the file's
    /// translation (`16-school-projects.en.md`), or site.toml.
    pub fn translation_path(&self, lang: &str) -> PathBuf {
        match self.field {
            Field::TagName(_) => self.source_path.clone(),
            Field::Title
            | Field::Issuer
            | Field::Preamble
            | Field::Body
            | Field::TargetLabel(_)
            | Field::TargetUnit(_)
            | Field::UpdateText(_) => translation_path(&self.source_path, lang),
        }
    }
}

/// `X.md` → `X.<lang>.md`.
pub fn translation_path(path: &Path, lang: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.{lang}.md"))
}

/// One plan as the units need it: the plan, and each section with its
/// items, in order (from a validated or a linked site alike).
pub struct PlanParts<'a> {
    pub plan: &'a Plan,
    pub sections: Vec<(&'a Section, Vec<&'a Item>)>,
}

impl<'a> PlanParts<'a> {
    pub fn of_validated(plan: &'a Plan) -> Self {
        PlanParts {
            plan,
            sections: plan
                .sections
                .iter()
                .map(|s| (s, s.items.iter().collect()))
                .collect(),
        }
    }

    pub fn of_linked(plan: &'a crate::link::LinkedPlan) -> Self {
        PlanParts {
            plan: &plan.plan,
            sections: plan
                .sections
                .iter()
                .map(|s| {
                    let items = s.items.iter().map(|&i| &plan.items[i].item).collect();
                    (&s.section, items)
                })
                .collect(),
        }
    }
}

/// The current translation of a text in `lang` (an empty one counts only
/// where it may be empty), and its state.
fn translation_state<'a>(
    t: &FileText<'a>,
    stale: &BTreeSet<String>,
    lang: &str,
) -> (Option<&'a str>, UnitState) {
    let translation = t
        .text
        .translations
        .get(lang)
        .map(String::as_str)
        .filter(|s| t.field.may_be_empty() || !s.trim().is_empty());
    let state = match translation {
        None => UnitState::Missing,
        Some(_) if stale.contains(lang) => UnitState::Stale,
        Some(_) => UnitState::Done,
    };
    (translation, state)
}

/// The units of one file, with `prefix` (`2023/16/`) before their names.
fn file_units<'a>(
    out: &mut Vec<TextUnit<'a>>,
    prefix: &str,
    path: &Path,
    texts: Vec<FileText<'a>>,
    stale: &BTreeSet<String>,
    lang: &str,
) {
    let hash = source_hash(&texts);
    for t in texts {
        let (translation, state) = translation_state(&t, stale, lang);
        out.push(TextUnit {
            id: format!("{prefix}{}", t.field.local_name()),
            field: t.field,
            source_path: path.to_path_buf(),
            source: normalize(&t.text.default),
            translation,
            state,
            file_hash: Some(hash.clone()),
        });
    }
}

/// The units of a plan in `lang`, in their fixed order: the plan, then
/// each section followed by its items; the tags its items use (defined in
/// site.toml) are [`tag_units`].
pub fn plan_units<'a>(parts: &PlanParts<'a>, lang: &str) -> Vec<TextUnit<'a>> {
    let plan = parts.plan;
    let mut out = Vec::new();
    let p = format!("{}/", plan.id);
    let stale = &plan.stale_translations;
    file_units(&mut out, &p, &plan.path, plan_texts(plan), stale, lang);
    for (section, items) in &parts.sections {
        let prefix = format!("{}/section/{}/", plan.id, section.number);
        let texts = section_texts(section);
        let stale = &section.stale_translations;
        file_units(&mut out, &prefix, &section.path, texts, stale, lang);
        for item in items {
            let prefix = format!("{}/{}/", plan.id, item.number);
            let stale = &item.stale_translations;
            file_units(&mut out, &prefix, &item.path, item_texts(item), stale, lang);
        }
    }
    out
}

/// The names of the tags the plans' items use that site.toml defines, in
/// the order they are first used; `tag/<name>/name`.
pub fn tag_units<'a>(
    config: &'a SiteConfig,
    plans: &[PlanParts<'_>],
    lang: &str,
) -> Vec<TextUnit<'a>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let items = plans
        .iter()
        .flat_map(|p| p.sections.iter().flat_map(|(_, items)| items.iter()));
    for item in items {
        for tag in &item.tags {
            let Some((name, defined)) = config.tags.get_key_value(tag) else {
                continue;
            };
            if !seen.insert(name.as_str()) || name.trim().is_empty() {
                continue;
            }
            let translation = defined
                .names
                .get(lang)
                .map(String::as_str)
                .filter(|s| !s.trim().is_empty());
            out.push(TextUnit {
                id: format!("tag/{name}/name"),
                field: Field::TagName(name.clone()),
                source_path: PathBuf::from("site.toml"),
                source: normalize(name),
                translation,
                state: if translation.is_some() {
                    UnitState::Done
                } else {
                    UnitState::Missing
                },
                file_hash: None,
            });
        }
    }
    out
}

/// Every unit of the site in `lang`: each plan's in turn, then the tags.
pub fn site_units<'a>(
    config: &'a SiteConfig,
    plans: &[PlanParts<'a>],
    lang: &str,
) -> Vec<TextUnit<'a>> {
    let mut out: Vec<TextUnit<'a>> = plans.iter().flat_map(|p| plan_units(p, lang)).collect();
    out.extend(tag_units(config, plans, lang));
    out
}

/// The parts of every plan of a validated site.
pub fn validated_parts(site: &ValidatedSite) -> Vec<PlanParts<'_>> {
    site.plans.iter().map(PlanParts::of_validated).collect()
}

/// How much of a site is translated, per language other than the default:
/// what `check` prints at its end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Language → counts of text units, in site.toml's order.
    pub languages: Vec<(String, BTreeMap<UnitState, usize>)>,
}

impl Coverage {
    pub fn of_linked_site(site: &crate::link::LinkedSite) -> Coverage {
        let parts: Vec<PlanParts<'_>> = site.plans.iter().map(PlanParts::of_linked).collect();
        let mut languages = Vec::new();
        for lang in &site.config.languages {
            if lang.code == site.config.default_language {
                continue;
            }
            // Counted without building the units (ids, hashes): `check`
            // runs this on every site, however large.
            let mut counts = BTreeMap::new();
            let mut count = |texts: Vec<FileText<'_>>, stale: &BTreeSet<String>| {
                for t in &texts {
                    *counts
                        .entry(translation_state(t, stale, &lang.code).1)
                        .or_insert(0) += 1;
                }
            };
            for p in &parts {
                count(plan_texts(p.plan), &p.plan.stale_translations);
                for (section, items) in &p.sections {
                    count(section_texts(section), &section.stale_translations);
                    for item in items {
                        count(item_texts(item), &item.stale_translations);
                    }
                }
            }
            for u in tag_units(&site.config, &parts, &lang.code) {
                *counts.entry(u.state).or_insert(0) += 1;
            }
            languages.push((lang.code.clone(), counts));
        }
        Coverage { languages }
    }
}

impl std::fmt::Display for Coverage {
    /// `en: 236 translated, 4 missing, 2 stale (text units)`, a line per
    /// language.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (lang, counts) in &self.languages {
            let n = |s| counts.get(&s).copied().unwrap_or(0);
            writeln!(
                f,
                "{lang}: {} translated, {} missing, {} stale (text units)",
                n(UnitState::Done),
                n(UnitState::Missing),
                n(UnitState::Stale)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Localized;

    fn text(s: &str) -> Localized {
        Localized::new(s.to_string())
    }

    #[test]
    fn source_hash_is_sha256_of_names_and_normalized_texts() {
        let title = text("抓好项目谋划建设");
        let body = text("\r\n推进建设。\r\n第二段。\n");
        let texts = [
            FileText {
                field: Field::Title,
                text: &title,
            },
            FileText {
                field: Field::Body,
                text: &body,
            },
        ];
        // The documented recipe, run in a shell:
        // printf 'title\0抓好项目谋划建设\0body\0推进建设。\n第二段。\0' | sha256sum | cut -c1-16
        assert_eq!(source_hash(&texts), "2c8496c0327d9b0b");
        assert_eq!(source_hash(&texts).len(), 16);
    }

    #[test]
    fn translation_paths_keep_the_folder() {
        assert_eq!(
            translation_path(Path::new("content/2023/3-q/16-x.md"), "en"),
            PathBuf::from("content/2023/3-q/16-x.en.md")
        );
    }
}
