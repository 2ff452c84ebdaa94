//! Progress rounds: `content/<plan>/progress/<YYYY-MM-DD>.toml`, one file
//! per reporting round, every language side by side (the contract's
//! "Progress round"). [`parse_round`] reads one file (pure, cached by
//! `serve` like any document); [`merge_rounds`] makes each entry its
//! item's update on the round's date, and each `actual` a dated point of
//! its target's history, once all files are read.

use super::assemble::PlacedItem;
use super::fields::{RoundFields, RoundItemFields};
use crate::diagnostics::{Code, Diagnostics, LineIndex, Location};
use crate::load::SourceDocument;
use crate::model::{ActualPoint, Date, Localized, Status, Update};
use crate::toml_fields::{FieldReader, key_str, parse_toml};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One progress round file as read.
#[derive(Clone, Debug)]
pub struct ParsedRound {
    /// The file name's date.
    pub date: Date,
    pub entries: Vec<RoundEntry>,
}

/// One `[[item]]` of a round, each value with where it was written.
#[derive(Clone, Debug)]
pub struct RoundEntry {
    /// Where the `[[item]]` table starts.
    pub at: Location,
    pub number: u32,
    pub number_at: Location,
    /// A status key or its label in the default language, as written.
    pub status: Option<(String, Location)>,
    /// Target key → value.
    pub actual: Vec<(String, f64, Location)>,
    /// Language → text.
    pub text: Vec<(String, String, Location)>,
}

/// A round read from its file, with the plan it belongs to.
#[derive(Clone, Debug)]
pub(super) struct RoundFile {
    pub plan: String,
    pub path: PathBuf,
    pub round: ParsedRound,
}

/// Reads one round file; `None` when its name is not a date or its TOML
/// does not parse.
pub fn parse_round(doc: &SourceDocument, diags: &mut Diagnostics) -> Option<ParsedRound> {
    let date = Date::parse_iso(&doc.stem);
    if date.is_none() {
        diags.error(
            Code::InvalidValue,
            Location::file(&doc.path),
            format!(
                "a progress round's file name must be its date, found `{}.toml`",
                doc.stem
            ),
            Some(
                "name the file by the round's date, `YYYY-MM-DD.toml`, e.g. `2023-12-31.toml`"
                    .into(),
            ),
        );
    }
    let lines = LineIndex::new(&doc.path, &doc.text, 1);
    let parsed = parse_toml(lines, &doc.text, diags)?;
    let mut r = FieldReader::new(parsed.table.get_ref(), parsed.table.span(), &parsed.lines);
    let fields = RoundFields::read(&mut r, diags);
    let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
    for e in &fields.item {
        if let Some(first) = seen.insert(e.number, e.number_at.line) {
            diags.error(
                Code::Duplicate,
                e.number_at.clone(),
                format!(
                    "item {} is listed twice in this round (first on line {first})",
                    e.number
                ),
                Some("merge the two `[[item]]` entries into one".into()),
            );
        }
    }
    // A value that could not be read was reported and left out; what
    // was read is still merged, so that its problems show in the same run.
    Some(ParsedRound {
        date: date?,
        entries: fields.item,
    })
}

/// A round's `[[item]]` entries.
pub fn round_entries(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<RoundEntry> {
    let lines = r.lines();
    let mut out = Vec::new();
    for (t, span) in r.table_array(key, diags) {
        let mut er = FieldReader::new(t, span.clone(), lines);
        let f = RoundItemFields::read(&mut er, diags);
        if let Some((number, number_at)) = f.number {
            out.push(RoundEntry {
                at: lines.span(&span),
                number,
                number_at,
                status: f.status,
                actual: f.actual,
                text: f.text,
            });
        }
    }
    out
}

/// An inline table of numbers (`actual = { places = 3600 }`), none
/// negative, each with where it was written.
pub fn located_numbers(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<(String, f64, Location)> {
    let lines = r.lines();
    let Some((t, span)) = r.table(key, diags) else {
        return Vec::new();
    };
    let mut tr = FieldReader::new(t, span, lines);
    let mut out = Vec::new();
    for (k, _) in t.iter() {
        let name = key_str(k);
        let Some(v) = tr.number(name, diags) else {
            continue;
        };
        let at = lines.span(&v.span());
        if *v.get_ref() < 0.0 {
            diags.error(
                Code::InvalidValue,
                at,
                format!("`{key}.{name}` must not be negative"),
                None,
            );
            continue;
        }
        out.push((name.to_string(), v.into_inner(), at));
    }
    out
}

/// An inline table of texts (`text = { zh = "…", en = "…" }`), each with
/// where it was written.
pub fn located_texts_by_key(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<(String, String, Location)> {
    let lines = r.lines();
    let Some((t, span)) = r.table(key, diags) else {
        return Vec::new();
    };
    let mut tr = FieldReader::new(t, span, lines);
    let mut out = Vec::new();
    for (k, _) in t.iter() {
        let name = key_str(k);
        if let Some(v) = tr.string(name, diags) {
            let at = lines.span(&v.span());
            out.push((name.to_string(), v.into_inner(), at));
        }
    }
    out
}

/// What merging needs to know of the site.
pub(super) struct RoundContext<'a> {
    pub default_language: &'a str,
    /// Every language of the site, the default first.
    pub languages: &'a [String],
    /// A status's label in the default language → the status.
    pub labels: &'a BTreeMap<String, Status>,
    /// Item files that could not be read, per plan, by number.
    pub unreadable: &'a BTreeSet<(String, u32)>,
}

/// Each round entry into its item: an update on the round's date, and a
/// point of each reported target's history; then every target's
/// `actual` is its latest point.
pub(super) fn merge_rounds(
    rounds: Vec<RoundFile>,
    items: &mut [PlacedItem],
    cx: &RoundContext<'_>,
    diags: &mut Diagnostics,
) {
    for file in rounds {
        for entry in file.round.entries {
            let found = items
                .iter_mut()
                .find(|p| p.plan == file.plan && p.item.number == entry.number);
            match found {
                Some(placed) => merge_entry(placed, &file.path, file.round.date, entry, cx, diags),
                None if cx.unreadable.contains(&(file.plan.clone(), entry.number)) => {}
                None => diags.error(
                    Code::DanglingReference,
                    entry.number_at,
                    format!(
                        "plan {} has no item {}; this round entry updates nothing",
                        file.plan, entry.number
                    ),
                    Some(format!(
                        "use the `number` of a work item in content/{}/",
                        file.plan
                    )),
                ),
            }
        }
    }
    for placed in items.iter_mut() {
        placed.item.updates.sort_by_key(|u| u.date);
        for t in &mut placed.item.targets {
            t.history.sort_by_key(|p| p.date);
            if let Some(last) = t.history.last() {
                t.actual = Some(last.value);
            }
        }
    }
}

/// One entry into its item, every problem reported; nothing of the entry
/// is merged if it has one.
fn merge_entry(
    placed: &mut PlacedItem,
    path: &std::path::Path,
    date: Date,
    entry: RoundEntry,
    cx: &RoundContext<'_>,
    diags: &mut Diagnostics,
) {
    let before = diags.error_count();
    let number = entry.number;
    if let Some(at) = placed.update_at.get(&date) {
        diags.error(
            Code::Duplicate,
            entry.number_at.clone(),
            format!(
                "item {number} has an update dated {date} both in this round and in {}:{}:{}",
                at.path.display(),
                at.line,
                at.column
            ),
            Some(format!(
                "keep one: remove the `[[updates]]` entry dated {date} from {}, or this `[[item]]`",
                at.path.display()
            )),
        );
    }
    let status = entry
        .status
        .as_ref()
        .and_then(|(s, at)| resolve_status(s, at, cx, diags));
    let mut points = Vec::new();
    for (key, value, at) in &entry.actual {
        match placed.item.targets.iter().position(|t| t.key == *key) {
            Some(i) => points.push((i, *value)),
            None => {
                let keys: Vec<&str> = placed.item.targets.iter().map(|t| t.key.as_str()).collect();
                diags.error(
                    Code::DanglingReference,
                    at.clone(),
                    format!("item {number} has no target `{key}`"),
                    Some(if keys.is_empty() {
                        "the item has no `[[targets]]`: remove `actual`".into()
                    } else {
                        format!("its targets are: {}", keys.join(", "))
                    }),
                );
            }
        }
    }
    let text = entry_text(&entry, path, date, cx, diags);
    if diags.error_count() > before {
        return;
    }
    let Some(text) = text else { return };
    placed.update_at.insert(date, entry.number_at.clone());
    placed.item.updates.push(Update { date, status, text });
    for (i, value) in points {
        placed.item.targets[i]
            .history
            .push(ActualPoint { date, value });
    }
}

/// A status key, or a status's label in the default language.
fn resolve_status(
    s: &str,
    at: &Location,
    cx: &RoundContext<'_>,
    diags: &mut Diagnostics,
) -> Option<Status> {
    if let Some(st) = Status::from_key(s).or_else(|| cx.labels.get(s).copied()) {
        return Some(st);
    }
    let mut known: Vec<&str> = Status::ALL.iter().map(|s| s.key()).collect();
    known.extend(Status::ALL.iter().filter_map(|st| {
        cx.labels
            .iter()
            .find(|(_, s)| *s == st)
            .map(|(l, _)| l.as_str())
    }));
    diags.error(
        Code::InvalidValue,
        at.clone(),
        format!("unknown status \"{s}\"; expected one of {}", known.join(", ")),
        Some("write a status key (in-progress) or its label; leave `status` out if it did not change".into()),
    );
    None
}

/// The entry's text in every language: the default language's is
/// required; a missing translation is shown in the default language,
/// with a warning.
fn entry_text(
    entry: &RoundEntry,
    path: &std::path::Path,
    date: Date,
    cx: &RoundContext<'_>,
    diags: &mut Diagnostics,
) -> Option<Localized> {
    let mut default = None;
    let mut translations = BTreeMap::new();
    for (lang, text, at) in &entry.text {
        if lang == cx.default_language {
            default = Some(text.clone());
        } else if cx.languages.contains(lang) {
            translations.insert(lang.clone(), text.clone());
        } else {
            diags.warning(
                Code::UnknownLanguage,
                at.clone(),
                format!("language `{lang}` is not in site.toml; this text is ignored"),
                Some(format!("the site's languages: {}", cx.languages.join(", "))),
            );
        }
    }
    let Some(default) = default else {
        diags.error(
            Code::MissingField,
            entry.at.clone(),
            format!(
                "the entry for item {} has no `text.{}`",
                entry.number, cx.default_language
            ),
            Some(format!(
                "add `text = {{ {} = \"…\" }}`: what was done by {date}",
                cx.default_language
            )),
        );
        return None;
    };
    for lang in cx.languages.iter().filter(|l| *l != cx.default_language) {
        if !translations.contains_key(lang) {
            diags.warning(
                Code::MissingTranslation,
                entry.at.clone(),
                format!(
                    "the update of {date} to item {} has no `{lang}` text; the default-language text is shown",
                    entry.number
                ),
                Some(format!("add `{lang} = \"…\"` to `text` in {}", path.display())),
            );
        }
    }
    Some(Localized {
        default,
        translations,
    })
}
