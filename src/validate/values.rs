//! How each kind of front-matter value is read: the readers the field
//! tables in `fields.rs` name. Each takes the table's reader, the field's
//! key and the diagnostics, reports every problem with the value, and
//! returns what could be read.

use super::fields::{
    ItemFields, ItemTranslationFields, TargetFields, TargetTranslationFields, UpdateFields,
    UpdateTranslationFields, WithdrawnFields, WithdrawnTranslationFields,
};
use crate::config::is_slug;
use crate::diagnostics::{Code, Diagnostics, Location};
use crate::model::{Date, ItemRef, Localized, Status, Target, Update, Withdrawn};
use crate::toml_fields::{FieldReader, closest, key_str};
use std::collections::BTreeMap;
use toml::Spanned;
use toml::de::DeValue;

/// The largest section or item number: numbers are kept as `u32`.
pub const MAX_NUMBER: i64 = u32::MAX as i64;

/// A reader: a field's value from its table.
type Reader<T> = fn(&mut FieldReader<'_, '_>, &'static str, &mut Diagnostics) -> T;

/// Optional text.
pub fn text(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<String> {
    r.string(key, diags).map(Spanned::into_inner)
}

/// Required text; a missing field's hint shows `example`.
pub fn required_text(
    example: &'static str,
) -> impl Fn(&mut FieldReader<'_, '_>, &'static str, &mut Diagnostics) -> Option<String> {
    move |r, key, diags| {
        r.required_string(key, example, diags)
            .map(Spanned::into_inner)
    }
}

/// An optional date (a TOML date, no quotes).
pub fn date(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Date> {
    r.date(key, diags).map(Spanned::into_inner)
}

/// An optional date, with where it was written.
pub fn located_date(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<(Date, Location)> {
    let lines = r.lines();
    r.date(key, diags)
        .map(|d| (*d.get_ref(), lines.span(&d.span())))
}

/// An item of another plan, `"<plan>/<number>"` (`continues = "2023/16"`),
/// with where it was written (resolved once all files are read).
pub fn item_ref(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<(ItemRef, Location)> {
    let s = r.string(key, diags)?;
    let at = r.lines().span(&s.span());
    match ItemRef::parse(s.get_ref()) {
        Some(reference) => Some((reference, at)),
        None => {
            diags.error(
                Code::InvalidValue,
                at,
                format!(
                    "`{key}` is \"{}\", which does not name an item of a plan",
                    s.get_ref()
                ),
                Some(format!(
                    "write the plan's folder name, a slash and the item's number, e.g. {key} = \"2023/16\""
                )),
            );
            None
        }
    }
}

/// An optional boolean.
pub fn boolean(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<bool> {
    r.boolean(key, diags)
}

/// An optional number, where it was written.
pub fn number(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Spanned<f64>> {
    r.number(key, diags)
}

/// A list of texts.
pub fn texts(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<String> {
    r.string_array(key, diags)
        .into_iter()
        .map(Spanned::into_inner)
        .collect()
}

/// A list of texts, each with where it was written.
pub fn located_texts(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<(String, Location)> {
    let lines = r.lines();
    r.string_array(key, diags)
        .into_iter()
        .map(|s| (s.get_ref().clone(), lines.span(&s.span())))
        .collect()
}

/// Optional text, with where it was written.
pub fn located_text(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<(String, Location)> {
    let s = r.string(key, diags)?;
    let at = r.lines().span(&s.span());
    Some((s.into_inner(), at))
}

/// A status key (`in-progress`), checked.
pub fn status(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Status> {
    let s = r.string(key, diags)?;
    if let Some(st) = Status::from_key(s.get_ref()) {
        return Some(st);
    }
    let known: Vec<&str> = Status::ALL.iter().map(|s| s.key()).collect();
    let suggestion = closest(s.get_ref(), &known)
        .map(|k| format!("did you mean \"{k}\"? "))
        .unwrap_or_default();
    diags.error(
        Code::InvalidValue,
        r.lines().span(&s.span()),
        format!(
            "unknown status \"{}\"; expected one of {}",
            s.get_ref(),
            known.join(", ")
        ),
        Some(format!(
            "{suggestion}leave `{key}` out if no progress has been reported"
        )),
    );
    None
}

/// A status key, with where it was written.
pub fn located_status(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<(Status, Location)> {
    let at = r.lines().span(&r.raw(key)?.span());
    status(r, key, diags).map(|s| (s, at))
}

/// A required section or item number, from 1 to [`MAX_NUMBER`], with
/// where it was written.
pub fn required_number(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<(u32, Location)> {
    let n = r.required_integer(key, 1, MAX_NUMBER, diags)?;
    let at = r.lines().span(&n.span());
    match u32::try_from(*n.get_ref()) {
        Ok(v) => Some((v, at)),
        Err(_) => {
            diags.error(
                Code::OutOfRange,
                at,
                format!(
                    "`number` must be from 1 to {MAX_NUMBER}, found {}",
                    n.get_ref()
                ),
                None,
            );
            None
        }
    }
}

/// Item numbers (`related`), each with where it was written.
pub fn item_numbers(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<(u32, Location)> {
    let lines = r.lines();
    r.integer_array(key, diags)
        .into_iter()
        .filter_map(|n| match u32::try_from(*n.get_ref()) {
            Ok(v) if v >= 1 => Some((v, lines.span(&n.span()))),
            _ => {
                diags.error(
                    Code::InvalidValue,
                    lines.span(&n.span()),
                    format!("`{key}` holds {}, which is not an item number", n.get_ref()),
                    Some(format!(
                        "item numbers are whole numbers from 1 to {MAX_NUMBER}"
                    )),
                );
                None
            }
        })
        .collect()
}

/// A target's key, required.
pub fn target_key(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Spanned<String>> {
    r.required_string(key, "\"public-kindergartens\"", diags)
}

/// A target's goal: a required number.
pub fn target_goal(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Spanned<f64>> {
    let goal = r.number(key, diags);
    if !r.has(key) {
        diags.error(
            Code::MissingField,
            r.table_location(),
            "missing required field `goal` (a number) in a target",
            Some("add `goal = 16`: the planned quantity".into()),
        );
    }
    goal
}

/// An update's date: required.
pub fn update_date(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Spanned<Date>> {
    let date = r.date(key, diags);
    if !r.has(key) {
        diags.error(
            Code::MissingField,
            r.table_location(),
            "missing required field `date` in an update",
            Some("add `date = 2023-06-30` (no quotes)".into()),
        );
    }
    date
}

/// An item's `[[targets]]`, each checked: goal above 0, actual not
/// negative, a key fit for an anchor and unique in the item.
pub fn targets(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<Target> {
    let lines = r.lines();
    let mut targets: Vec<Target> = Vec::new();
    let mut keys: BTreeMap<String, Location> = BTreeMap::new();
    for (t, span) in r.table_array(key, diags) {
        let mut tr = FieldReader::new(t, span, lines);
        let TargetFields {
            key,
            label,
            goal,
            actual,
            unit,
        } = TargetFields::read_fields(&mut tr, diags);
        report_misplaced_item_fields(&mut tr, "[[targets]]", TargetFields::NAMES, diags);
        tr.warn_unknown("a target", TargetFields::NAMES, diags);
        if let Some(g) = &goal
            && *g.get_ref() <= 0.0
        {
            diags.error(
                Code::InvalidValue,
                lines.span(&g.span()),
                format!("a target's `goal` must be above 0, found {}", g.get_ref()),
                Some("the goal is the planned quantity, e.g. 16".into()),
            );
        }
        if let Some(a) = &actual
            && *a.get_ref() < 0.0
        {
            diags.error(
                Code::InvalidValue,
                lines.span(&a.span()),
                "a target's `actual` must not be negative",
                None,
            );
        }
        let Some(key) = key else { continue };
        let at = lines.span(&key.span());
        if !is_slug(key.get_ref()) {
            diags.error(
                Code::InvalidValue,
                at.clone(),
                format!("target key \"{}\" may hold only a-z, 0-9 and -", key.get_ref()),
                Some("the key gives the anchor #target-<key>; write it like \"public-kindergartens\"".into()),
            );
            continue;
        }
        if let Some(first) = keys.get(key.get_ref()) {
            diags.error(
                Code::Duplicate,
                at,
                format!(
                    "target key \"{}\" is used twice in this item (first on line {})",
                    key.get_ref(),
                    first.line
                ),
                Some("give every target of an item its own key".into()),
            );
            continue;
        }
        keys.insert(key.get_ref().clone(), at);
        if let (Some(label), Some(goal)) = (label, goal) {
            targets.push(Target {
                key: key.into_inner(),
                label: Localized::new(label),
                goal: goal.into_inner(),
                actual: actual.map(Spanned::into_inner),
                unit: Localized::new(unit.unwrap_or_default()),
                history: Vec::new(),
            });
        }
    }
    targets
}

/// An item's `[[updates]]`, oldest first, each date once and with where
/// it was written.
pub fn updates(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Vec<(Update, Location)> {
    let lines = r.lines();
    let mut updates: Vec<(Update, Location)> = Vec::new();
    let mut dates: BTreeMap<Date, Location> = BTreeMap::new();
    for (u, span) in r.table_array(key, diags) {
        let mut ur = FieldReader::new(u, span, lines);
        let UpdateFields { date, status, text } = UpdateFields::read_fields(&mut ur, diags);
        report_misplaced_item_fields(&mut ur, "[[updates]]", UpdateFields::NAMES, diags);
        ur.warn_unknown("an update", UpdateFields::NAMES, diags);
        let Some(date) = date else { continue };
        let at = lines.span(&date.span());
        if let Some(first) = dates.get(date.get_ref()) {
            diags.error(
                Code::Duplicate,
                at,
                format!(
                    "two updates are dated {} (first on line {})",
                    date.get_ref(),
                    first.line
                ),
                Some("merge them into one update, or correct the date".into()),
            );
            continue;
        }
        dates.insert(*date.get_ref(), at.clone());
        if let Some(text) = text {
            let update = Update {
                date: date.into_inner(),
                status,
                text: Localized::new(text),
            };
            updates.push((update, at));
        }
    }
    updates.sort_by_key(|(u, _)| u.date);
    updates
}

/// An item's field written below a `[[targets]]` or `[[updates]]` line
/// (`header`): TOML puts every key after a table header into that table
/// (here the last one), so the item would silently lack the field. An
/// error for each such key of the table `r` reads, which is then marked
/// as read; `own` are the table's own fields (an update's `status` is
/// its own).
fn report_misplaced_item_fields(
    r: &mut FieldReader<'_, '_>,
    header: &str,
    own: &[&str],
    diags: &mut Diagnostics,
) {
    report_misplaced_fields(r, header, ItemFields::NAMES, own, diags);
}

/// [`report_misplaced_item_fields`] for any file: `outer` are the fields
/// of the file's top level.
fn report_misplaced_fields(
    r: &mut FieldReader<'_, '_>,
    header: &str,
    outer: &'static [&'static str],
    own: &[&str],
    diags: &mut Diagnostics,
) {
    let lines = r.lines();
    for field in outer.iter().filter(|f| !own.contains(f)) {
        let Some(v) = r.raw(field) else { continue };
        let at = lines.span(&v.span());
        let line = at.line;
        let hint = match lines.first_table_header() {
            Some((first, text)) => format!(
                "move this line up, above line {first} (`{text}`, the first table): the file's own fields go before any table"
            ),
            None => "move this line up, above the first table".to_string(),
        };
        diags.error(
            Code::MisplacedField,
            Location {
                column: line_text_indent(lines.line_text(v.span().start)) + 1,
                ..at
            },
            format!(
                "`{field}` on line {line} is a field of the item, but it belongs to the last {header} table above it: in TOML every key after a {header} line is part of that table, so the item does not get it"
            ),
            Some(hint),
        );
    }
}

/// How many characters of indentation a line has.
fn line_text_indent(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// The sub-tables of a translation's `[<key>.<name>]` tables (`[targets.x]`,
/// `[updates.2023-06-30]`), each read by `read`.
fn translation_tables<T>(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    (field, own): (&str, &[&str]),
    diags: &mut Diagnostics,
    read: Reader<Option<T>>,
) -> BTreeMap<String, (T, Location)> {
    let lines = r.lines();
    let mut out = BTreeMap::new();
    let Some((t, _)) = r.table(key, diags) else {
        return out;
    };
    for (name, value) in t.iter() {
        let DeValue::Table(tt) = value.get_ref() else {
            diags.error(
                Code::WrongType,
                lines.span(&value.span()),
                format!("`{key}.{}` must be a table", key_str(name)),
                Some(format!(
                    "write `[{key}.{}]` then `{field} = \"…\"`",
                    key_str(name)
                )),
            );
            continue;
        };
        let mut tr = FieldReader::new(tt, value.span(), lines);
        let header = format!("[{key}.{}]", key_str(name));
        report_misplaced_fields(&mut tr, &header, ItemTranslationFields::NAMES, own, diags);
        if let Some(v) = read(&mut tr, key, diags) {
            out.insert(key_str(name).to_string(), (v, lines.span(&name.span())));
        }
    }
    out
}

/// A translation's `[targets.<key>]` tables: label and unit per key.
pub fn target_translations(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, (Option<String>, Option<String>, Location)> {
    let own = ("label", TargetTranslationFields::NAMES);
    translation_tables(r, key, own, diags, |tr, _, diags| {
        let TargetTranslationFields { label, unit } = TargetTranslationFields::read(tr, diags);
        Some((label, unit))
    })
    .into_iter()
    .map(|(k, ((label, unit), at))| (k, (label, unit, at)))
    .collect()
}

/// A translation's `[updates.<date>]` tables: the text per date.
pub fn update_translations(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> BTreeMap<String, (String, Location)> {
    let own = ("text", UpdateTranslationFields::NAMES);
    translation_tables(r, key, own, diags, |ur, _, diags| {
        UpdateTranslationFields::read(ur, diags).text
    })
}

/// An item's `withdrawn = { date, reason }`: both required.
pub fn withdrawn(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Withdrawn> {
    let lines = r.lines();
    let (t, span) = r.table(key, diags)?;
    let mut wr = FieldReader::new(t, span, lines);
    let WithdrawnFields { date, reason } = WithdrawnFields::read(&mut wr, diags);
    Some(Withdrawn {
        date: date?.into_inner(),
        reason: Localized::new(reason?),
    })
}

/// A translation's `withdrawn = { reason = "…" }`: the reason, where the
/// table was written.
pub fn withdrawn_translation(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<(String, Location)> {
    let lines = r.lines();
    let (t, span) = r.table(key, diags)?;
    let at = lines.span(&span);
    let mut wr = FieldReader::new(t, span, lines);
    let reason = WithdrawnTranslationFields::read(&mut wr, diags).reason?;
    Some((reason, at))
}

/// `withdrawn`'s date: required.
pub fn withdrawn_date(
    r: &mut FieldReader<'_, '_>,
    key: &'static str,
    diags: &mut Diagnostics,
) -> Option<Spanned<Date>> {
    let date = r.date(key, diags);
    if !r.has(key) {
        diags.error(
            Code::MissingField,
            r.table_location(),
            "missing required field `date` in `withdrawn`",
            Some("write `withdrawn = { date = 2023-07-01, reason = \"…\" }` (the date without quotes)".into()),
        );
    }
    date
}
