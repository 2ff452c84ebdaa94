//! Putting parsed files together: translations attached to their
//! default-language files, items placed in their sections, sections in
//! their plans, then the checks that need the whole content (see
//! `checks.rs`). A named pass over [`Assembly`] each.

use super::checks;
use super::fields::ItemTranslationFields;
use super::parse::{Parsed, ParsedDocument, ParsedFile};
use super::rounds::{RoundContext, RoundFile, merge_rounds};
use crate::config::SiteConfig;
use crate::diagnostics::{Code, Diagnostics, Location};
use crate::load::{DocumentKind, SourceDocument, default_language_path};
use crate::model::{ActualPoint, Date, Item, ItemRef, Localized, Plan, Section, Status};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A document's identity: translations attach to the default-language
/// document with the same key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct DocKey {
    plan: String,
    section_dir: Option<String>,
    kind: DocumentKind,
    stem: String,
}

impl DocKey {
    fn of(d: &SourceDocument) -> DocKey {
        DocKey {
            plan: d.plan.clone(),
            section_dir: d.section_dir.clone(),
            kind: d.kind,
            stem: d.stem.clone(),
        }
    }
}

/// A translation that parsed, with its file.
type Translation<'d> = (&'d SourceDocument, ParsedDocument);

/// The `source_hash` each translation of a file records: (language, hash,
/// where it is written). Compared with the file's current hash by
/// `stale.rs` (issue #18.3).
pub(super) type RecordedHashes = Vec<(String, String, Location)>;

/// An item read from its files, not yet in its section: what the checks
/// of the whole content need besides the item.
pub(super) struct PlacedItem {
    pub plan: String,
    /// The section folder holding the file.
    pub section_dir: String,
    pub item: Item,
    /// Where its number was written.
    pub number_at: Location,
    /// Its tags as written, each where it was written.
    pub tags: Vec<(String, Location)>,
    /// Its `related` numbers as written, each where it was written.
    pub related: Vec<(u32, Location)>,
    /// The `source_hash` its translations record.
    pub source_hashes: RecordedHashes,
    /// Its `continues` as written, where it was written.
    pub continues: Option<(ItemRef, Location)>,
    /// Its dates, each where it was written: `due`, then the updates'.
    pub dates: ItemDates,
    /// Its `former_numbers` as written, each where it was written.
    pub former_numbers: Vec<(u32, Location)>,
    /// Where its own `status` was written, if it was.
    pub status_at: Option<Location>,
    /// Where each update's date was written: in the item's file, or in
    /// a progress round.
    pub update_at: BTreeMap<Date, Location>,
}

/// An item's dates with where each was written, for the checks against
/// the plan's period and the item's `due`.
#[derive(Clone, Debug, Default)]
pub(super) struct ItemDates {
    pub due: Option<(crate::model::Date, Location)>,
    pub updates: Vec<(crate::model::Date, Location)>,
}

/// The content as it is put together, pass by pass.
pub(super) struct Assembly<'c> {
    pub config: &'c SiteConfig,
    pub plans: BTreeMap<String, Plan>,
    /// By (plan, section folder).
    pub sections: BTreeMap<(String, String), Section>,
    pub items: Vec<PlacedItem>,
    /// Plan folders with an `_index.md` that was read.
    pub plan_dirs_seen: BTreeSet<String>,
    /// (plan, section folder) with an `_index.md` that was read.
    pub section_dirs_seen: BTreeSet<(String, String)>,
    /// Every folder that holds content: (plan, None) or (plan, section).
    pub folders_with_content: BTreeSet<(String, Option<String>)>,
    /// Item files that could not be read, per plan, by the number their
    /// file name starts with (`31-work-style.md`): a `related` link to
    /// that number is not reported again as pointing at nothing.
    pub unreadable_items: BTreeSet<(String, u32)>,
    /// The line each document's body starts on, by file.
    pub body_lines: BTreeMap<PathBuf, usize>,
    /// The progress rounds, by file.
    pub rounds: Vec<RoundFile>,
    /// The `source_hash` the translations of plans and sections record,
    /// by default-language file (items keep theirs in [`PlacedItem`]).
    pub source_hashes: BTreeMap<PathBuf, RecordedHashes>,
}

impl<'c> Assembly<'c> {
    /// Groups the parsed files by identity, default-language file first,
    /// and builds plans, sections and items from them.
    pub fn from_documents(
        config: &'c SiteConfig,
        documents: &[SourceDocument],
        parsed: Vec<ParsedFile>,
        diags: &mut Diagnostics,
    ) -> Self {
        let mut assembly = Assembly {
            config,
            plans: BTreeMap::new(),
            sections: BTreeMap::new(),
            items: Vec::new(),
            plan_dirs_seen: BTreeSet::new(),
            section_dirs_seen: BTreeSet::new(),
            folders_with_content: BTreeSet::new(),
            unreadable_items: BTreeSet::new(),
            body_lines: BTreeMap::new(),
            rounds: Vec::new(),
            source_hashes: BTreeMap::new(),
        };
        let (defaults, mut translations) = assembly.group_by_identity(documents, parsed, diags);
        for (key, (doc, parsed)) in defaults {
            let trans = translations.remove(&key).unwrap_or_default();
            assembly.take_document(doc, parsed, trans, diags);
        }
        assembly
    }

    /// Default-language documents by identity, and the translations of
    /// each; a translation without its default-language file is an error.
    #[allow(clippy::type_complexity)]
    fn group_by_identity<'d>(
        &mut self,
        documents: &'d [SourceDocument],
        parsed: Vec<ParsedFile>,
        diags: &mut Diagnostics,
    ) -> (
        BTreeMap<DocKey, (&'d SourceDocument, Option<ParsedDocument>)>,
        BTreeMap<DocKey, Vec<Translation<'d>>>,
    ) {
        let default_language = &self.config.default_language;
        let mut defaults = BTreeMap::new();
        let mut translations: Vec<(&SourceDocument, Option<ParsedDocument>)> = Vec::new();
        for (doc, p) in documents.iter().zip(parsed) {
            diags.extend(p.diagnostics);
            if let Some(line) = p.parsed.as_ref().map(ParsedDocument::body_line) {
                self.body_lines.insert(doc.path.clone(), line);
            }
            if doc.language == *default_language {
                defaults.insert(DocKey::of(doc), (doc, p.parsed));
            } else {
                translations.push((doc, p.parsed));
            }
        }
        let mut by_key: BTreeMap<DocKey, Vec<Translation<'d>>> = BTreeMap::new();
        for (doc, p) in translations {
            let key = DocKey::of(doc);
            if !defaults.contains_key(&key) {
                let original = default_language_path(doc);
                diags.error(
                    Code::TranslationWithoutOriginal,
                    Location::file(&doc.path),
                    format!(
                        "translation has no default-language file {}",
                        original.display()
                    ),
                    Some(format!(
                        "create {} or rename this file to match an existing one",
                        original.display()
                    )),
                );
                continue;
            }
            if let Some(p) = p {
                by_key.entry(key).or_default().push((doc, p));
            }
        }
        (defaults, by_key)
    }

    /// One default-language document with its translations: a plan, a
    /// section or an item.
    fn take_document(
        &mut self,
        doc: &SourceDocument,
        parsed: Option<ParsedDocument>,
        trans: Vec<Translation<'_>>,
        diags: &mut Diagnostics,
    ) {
        match doc.kind {
            DocumentKind::Plan => {
                self.plan_dirs_seen.insert(doc.plan.clone());
            }
            DocumentKind::Section => {
                if let Some(dir) = &doc.section_dir {
                    self.section_dirs_seen
                        .insert((doc.plan.clone(), dir.clone()));
                }
                self.folders_with_content.insert((doc.plan.clone(), None));
            }
            DocumentKind::Item => {
                self.folders_with_content.insert((doc.plan.clone(), None));
                self.folders_with_content
                    .insert((doc.plan.clone(), doc.section_dir.clone()));
            }
            DocumentKind::Round => {
                self.folders_with_content.insert((doc.plan.clone(), None));
            }
        }
        let mut languages: BTreeSet<String> =
            trans.iter().map(|(d, _)| d.language.clone()).collect();
        languages.insert(self.config.default_language.clone());
        let Some(parsed) = parsed else {
            self.note_unreadable(doc);
            return;
        };
        match parsed {
            ParsedDocument::Plan(plan) => {
                let (plan, hashes) = merge_plan(doc, *plan, trans, languages, diags);
                self.source_hashes.insert(doc.path.clone(), hashes);
                self.plans.insert(doc.plan.clone(), plan);
            }
            ParsedDocument::Section(section) => {
                let (section, hashes) = merge_section(doc, *section, trans, languages, diags);
                self.source_hashes.insert(doc.path.clone(), hashes);
                if let Some(section) = section {
                    self.sections
                        .insert((doc.plan.clone(), section.dir.clone()), section);
                }
            }
            ParsedDocument::Item(item) => match merge_item(doc, *item, trans, languages, diags) {
                Some(placed) => self.items.push(placed),
                None => self.note_unreadable(doc),
            },
            ParsedDocument::Round(round) => self.rounds.push(RoundFile {
                plan: doc.plan.clone(),
                path: doc.path.clone(),
                round: *round,
            }),
            ParsedDocument::PlanTranslation(_)
            | ParsedDocument::SectionTranslation(_)
            | ParsedDocument::ItemTranslation(_) => {}
        }
    }

    /// Remembers an item file that could not be read, by the number its
    /// name starts with.
    fn note_unreadable(&mut self, doc: &SourceDocument) {
        if doc.kind == DocumentKind::Item
            && let Some(n) = number_in_file_name(&doc.stem)
        {
            self.unreadable_items.insert((doc.plan.clone(), n));
        }
    }

    /// The progress rounds into their items (see [`merge_rounds`]).
    pub fn merge_rounds(&mut self, strings: &super::UiStrings, diags: &mut Diagnostics) {
        let default_language = self.config.default_language.as_str();
        let labels: BTreeMap<String, Status> = strings
            .get(default_language)
            .map(|t| {
                Status::ALL
                    .into_iter()
                    .filter_map(|s| Some((t.get(&format!("status-{}", s.key()))?.clone(), s)))
                    .collect()
            })
            .unwrap_or_default();
        let mut languages: Vec<String> = vec![default_language.to_string()];
        languages.extend(
            self.config
                .languages
                .iter()
                .map(|l| l.code.clone())
                .filter(|c| c != default_language),
        );
        let cx = RoundContext {
            default_language,
            languages: &languages,
            labels: &labels,
            unreadable: &self.unreadable_items,
        };
        // A round's date is its file name: it must lie in its plan's
        // period (issue #19.3), as an update's date in front matter.
        self.rounds.retain(|r| {
            self.plans.get(&r.plan).is_none_or(|plan| {
                super::checks::check_date_in_period(
                    plan,
                    r.round.date,
                    Location::file(&r.path),
                    "the round's date",
                    diags,
                )
            })
        });
        merge_rounds(
            std::mem::take(&mut self.rounds),
            &mut self.items,
            &cx,
            diags,
        );
    }

    /// The last pass: items into their sections (`related` resolved, tags
    /// checked), sections into their plans, all in number order.
    pub fn into_plans(
        mut self,
        duplicates: &BTreeSet<PathBuf>,
        diags: &mut Diagnostics,
    ) -> Vec<Plan> {
        let numbers: BTreeSet<(String, u32)> = self
            .items
            .iter()
            .map(|p| (p.plan.clone(), p.item.number))
            .collect();
        let mut unknown_tags: BTreeSet<String> = BTreeSet::new();
        let ages: BTreeMap<String, (Option<Date>, String)> = self
            .plans
            .values()
            .map(|p| {
                let (end, id) = p.age_key();
                (p.id.clone(), (end, id.to_string()))
            })
            .collect();
        for placed in std::mem::take(&mut self.items) {
            if duplicates.contains(&placed.item.path) {
                continue;
            }
            let PlacedItem {
                plan,
                section_dir,
                mut item,
                related,
                tags,
                continues,
                ..
            } = placed;
            item.continues = checks::resolve_continues(
                &plan,
                continues,
                &numbers,
                &self.unreadable_items,
                &ages,
                diags,
            );
            item.related = checks::resolve_related(
                &item,
                &plan,
                related,
                &numbers,
                &self.unreadable_items,
                diags,
            );
            checks::report_undefined_tags(self.config, tags, &mut unknown_tags, diags);
            let Some(section) = self.sections.get_mut(&(plan, section_dir)) else {
                continue;
            };
            item.section_number = section.number;
            section.items.push(item);
        }
        for ((plan, _), mut section) in std::mem::take(&mut self.sections) {
            section.items.sort_by_key(|i| i.number);
            if let Some(p) = self.plans.get_mut(&plan) {
                p.sections.push(section);
            }
        }
        let mut plans: Vec<Plan> = std::mem::take(&mut self.plans).into_values().collect();
        for p in &mut plans {
            p.sections.sort_by_key(|s| s.number);
        }
        plans
    }
}

/// A plan from its `_index.md` and its translations.
fn merge_plan(
    doc: &SourceDocument,
    plan: Parsed<super::fields::PlanFields>,
    trans: Vec<Translation<'_>>,
    languages: BTreeSet<String>,
    diags: &mut Diagnostics,
) -> (Plan, RecordedHashes) {
    let Parsed { fields, body, .. } = plan;
    // An `end` before `start` is reported once; the plan then has the
    // default period, so that its dates are not reported again against
    // half of a period that does not exist.
    let end_written = fields.end.is_some();
    let end = checked_end(fields.start, fields.end, diags);
    let start = fields.start.filter(|_| end.is_some() || !end_written);
    let mut title = Localized::new(fields.title.unwrap_or_default());
    let mut issuer = fields.issuer.map(Localized::new);
    let mut body = Localized::new(body);
    let mut hashes = RecordedHashes::new();
    for (d, t) in trans {
        if let ParsedDocument::PlanTranslation(t) = t {
            let Parsed {
                fields: tf,
                body: tb,
                ..
            } = *t;
            put_translation(&mut title, &d.language, tf.title, &d.path, "title", diags);
            if let (Some(i), Some(ti)) = (issuer.as_mut(), tf.issuer) {
                i.translations.insert(d.language.clone(), ti);
            }
            body.translations.insert(d.language.clone(), tb);
            record_hash(&mut hashes, &d.language, tf.source_hash);
        }
    }
    let plan = Plan {
        id: doc.plan.clone(),
        path: doc.path.clone(),
        title,
        issuer,
        published: fields.published,
        source: fields.source,
        illustrative: fields.illustrative,
        start,
        end,
        body,
        sections: Vec::new(),
        languages,
        stale_translations: BTreeSet::new(),
    };
    (plan, hashes)
}

/// A translation's `source_hash`, if it records one, into `hashes`.
fn record_hash(hashes: &mut RecordedHashes, lang: &str, hash: Option<(String, Location)>) {
    if let Some((hash, at)) = hash {
        hashes.push((lang.to_string(), hash, at));
    }
}

/// A plan's `end`, when it is not before its `start`.
fn checked_end(
    start: Option<Date>,
    end: Option<(Date, Location)>,
    diags: &mut Diagnostics,
) -> Option<Date> {
    let (end, at) = end?;
    if let Some(start) = start.filter(|s| end < *s) {
        diags.error(
            Code::InvalidValue,
            at,
            format!("the plan's period ends ({end}) before it starts ({start})"),
            Some("`end` is the last day of the plan's period: a date on or after `start`".into()),
        );
        return None;
    }
    Some(end)
}

/// A section from its `_index.md` and its translations; `None` without a
/// usable number.
/// A section from its `_index.md` and its translations (`None` without a
/// usable number), and the `source_hash` they record.
fn merge_section(
    doc: &SourceDocument,
    section: Parsed<super::fields::SectionFields>,
    trans: Vec<Translation<'_>>,
    languages: BTreeSet<String>,
    diags: &mut Diagnostics,
) -> (Option<Section>, RecordedHashes) {
    let Parsed { fields, body, .. } = section;
    let mut title = Localized::new(fields.title.unwrap_or_default());
    let mut body = Localized::new(body);
    let mut hashes = RecordedHashes::new();
    for (d, t) in trans {
        if let ParsedDocument::SectionTranslation(t) = t {
            let Parsed {
                fields: tf,
                body: tb,
                ..
            } = *t;
            put_translation(&mut title, &d.language, tf.title, &d.path, "title", diags);
            body.translations.insert(d.language.clone(), tb);
            record_hash(&mut hashes, &d.language, tf.source_hash);
        }
    }
    let section = fields.number.map(|(number, _)| Section {
        number,
        dir: doc.section_dir.clone().unwrap_or_default(),
        path: doc.path.clone(),
        title,
        body,
        items: Vec::new(),
        languages,
        stale_translations: BTreeSet::new(),
    });
    (section, hashes)
}

/// One work item from its default-language file and its translations,
/// `related` and the section still unresolved (see
/// [`Assembly::into_plans`]). `None` when the file has no usable number.
pub(super) fn merge_item(
    doc: &SourceDocument,
    parsed: Parsed<super::fields::ItemFields>,
    trans: Vec<Translation<'_>>,
    languages: BTreeSet<String>,
    diags: &mut Diagnostics,
) -> Option<PlacedItem> {
    let Parsed {
        mut fields, body, ..
    } = parsed;
    let (number, number_at) = fields.number.take()?;
    let (updates, update_at): (Vec<_>, BTreeMap<_, _>) = std::mem::take(&mut fields.updates)
        .into_iter()
        .map(|(u, at)| {
            let date = u.date;
            (u, (date, at))
        })
        .unzip();
    let mut item = Item {
        number,
        path: doc.path.clone(),
        title: Localized::new(fields.title.take().unwrap_or_default()),
        body: Localized::new(body),
        tags: fields.tags.iter().map(|(t, _)| t.clone()).collect(),
        status: fields.status.as_ref().map(|(s, _)| *s),
        updates,
        languages,
        ..Item::default()
    };
    fields.copy_into(&mut item);
    item.due = fields.due.as_ref().map(|(d, _)| *d);
    let dates = ItemDates {
        due: fields.due.take(),
        updates: update_at.iter().map(|(d, at)| (*d, at.clone())).collect(),
    };
    for (n, _) in &fields.former_numbers {
        if !item.former_numbers.contains(n) {
            item.former_numbers.push(*n);
        }
    }
    // The front matter's `actual` is as of the item's latest own update.
    if let Some(date) = item.updates.last().map(|u| u.date) {
        for t in &mut item.targets {
            t.history = t
                .actual
                .map(|value| ActualPoint { date, value })
                .into_iter()
                .collect();
        }
    }
    let mut source_hashes = RecordedHashes::new();
    for (d, t) in trans {
        let ParsedDocument::ItemTranslation(t) = t else {
            continue;
        };
        let Parsed {
            fields: tf,
            body: tb,
            ..
        } = *t;
        put_translation(
            &mut item.title,
            &d.language,
            tf.title.clone(),
            &d.path,
            "title",
            diags,
        );
        item.body.translations.insert(d.language.clone(), tb);
        record_hash(&mut source_hashes, &d.language, tf.source_hash.clone());
        attach_item_translation(&mut item, doc, d, tf, diags);
    }
    Some(PlacedItem {
        plan: doc.plan.clone(),
        section_dir: doc.section_dir.clone().unwrap_or_default(),
        item,
        number_at,
        tags: fields.tags,
        related: fields.related,
        continues: fields.continues,
        dates,
        former_numbers: fields.former_numbers,
        status_at: fields.status.map(|(_, at)| at),
        update_at,
        source_hashes,
    })
}

/// A translation's target labels and update texts into the item; what
/// it translates that the item lacks, and what it leaves untranslated,
/// is reported.
fn attach_item_translation(
    item: &mut Item,
    doc: &SourceDocument,
    d: &SourceDocument,
    tf: ItemTranslationFields,
    diags: &mut Diagnostics,
) {
    match (item.withdrawn.as_mut(), tf.withdrawn) {
        (Some(w), Some((reason, _))) => {
            w.reason.translations.insert(d.language.clone(), reason);
        }
        (None, Some((_, at))) => diags.warning(
            Code::DanglingReference,
            at,
            format!(
                "`withdrawn` translates a reason, but {} is not withdrawn",
                default_language_path(d).display()
            ),
            Some("add `withdrawn = { date = …, reason = \"…\" }` to the default-language file, or remove it here".into()),
        ),
        (Some(_), None) => diags.warning(
            Code::MissingTranslation,
            Location::file(&d.path),
            format!(
                "the item is withdrawn but this file gives no `{}` reason; the default-language reason is shown",
                d.language
            ),
            Some("add `withdrawn = { reason = \"…\" }`".into()),
        ),
        (None, None) => {}
    }
    for (k, (label, unit, at)) in tf.targets {
        match item.targets.iter_mut().find(|t| t.key == k) {
            Some(t) => {
                if let Some(l) = label {
                    t.label.translations.insert(d.language.clone(), l);
                }
                if let Some(u) = unit {
                    t.unit.translations.insert(d.language.clone(), u);
                }
            }
            None => diags.warning(
                Code::DanglingReference,
                at,
                format!(
                    "`targets.{k}` translates a target that {} does not have",
                    default_language_path(d).display()
                ),
                Some("use the `key` of a target in the default-language file".into()),
            ),
        }
    }
    for (date, (text, at)) in tf.updates {
        match item.updates.iter_mut().find(|u| u.date.iso() == date) {
            Some(u) => {
                u.text.translations.insert(d.language.clone(), text);
            }
            None => report_unmatched_update_translation(item, doc, &date, at, diags),
        }
    }
    for t in &item.targets {
        if !t.label.translations.contains_key(&d.language) {
            diags.warning(
                Code::MissingTranslation,
                Location::file(&d.path),
                format!(
                    "target `{}` has no `{}` label; the default-language label is shown",
                    t.key, d.language
                ),
                Some(format!("add `[targets.{}]` with `label = \"…\"`", t.key)),
            );
        }
    }
    for u in &item.updates {
        if !u.text.translations.contains_key(&d.language) {
            diags.warning(
                Code::MissingTranslation,
                Location::file(&d.path),
                format!(
                    "the update of {} has no `{}` text; the default-language text is shown",
                    u.date, d.language
                ),
                Some(format!("add `[updates.{}]` with `text = \"…\"`", u.date)),
            );
        }
    }
}

/// A translation's `[updates.<date>]` that matches no update: an error,
/// since the page would otherwise show the default-language text in its
/// place without a word. The hint shows the date written right when it
/// is not a `YYYY-MM-DD` date, else the dates the item has.
fn report_unmatched_update_translation(
    item: &Item,
    doc: &SourceDocument,
    date: &str,
    at: Location,
    diags: &mut Diagnostics,
) {
    let original = default_language_path(doc);
    let dates: Vec<String> = item.updates.iter().map(|u| u.date.iso()).collect();
    let known = if dates.is_empty() {
        format!("{} has no updates", original.display())
    } else {
        format!(
            "the updates of {} are dated {}",
            original.display(),
            dates.join(", ")
        )
    };
    let (message, hint) = match (
        crate::dates::parse_iso_date(date),
        crate::dates::loose_date(date),
    ) {
        (Some(_), _) => (
            format!(
                "`[updates.{date}]` translates an update that {} does not have",
                original.display()
            ),
            format!("use the `date` of an update in the default-language file; {known}"),
        ),
        (None, Some(fixed)) => (
            format!(
                "`[updates.{date}]` is not a date written year-month-day, so it translates no update"
            ),
            format!("write `[updates.{fixed}]`; {known}"),
        ),
        (None, None) => (
            format!("`[updates.{date}]` is not a date, so it translates no update"),
            format!("write the update's date as `[updates.2023-06-30]`; {known}"),
        ),
    };
    diags.error(Code::DanglingReference, at, message, Some(hint));
}

/// A translated title (or other text) into `field`; a translation
/// without it keeps the default-language text, with a warning.
fn put_translation(
    field: &mut Localized,
    lang: &str,
    value: Option<String>,
    path: &Path,
    name: &str,
    diags: &mut Diagnostics,
) {
    match value {
        Some(v) if !v.trim().is_empty() => {
            field.translations.insert(lang.to_string(), v);
        }
        _ => diags.warning(
            Code::MissingTranslation,
            Location::file(path),
            format!("translation has no `{name}`; the default-language {name} is shown"),
            Some(format!("add `{name} = \"…\"` to the front matter")),
        ),
    }
}

/// The number an item's file name starts with (`31` for `31-work-style`),
/// by the content convention; the front matter's `number` is what counts.
fn number_in_file_name(stem: &str) -> Option<u32> {
    let digits: &str = &stem[..stem
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(stem.len())];
    digits.parse().ok()
}
