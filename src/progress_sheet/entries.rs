//! The cells of a filled sheet → the entries of a round, every cell
//! checked against what the sheet was written with ([`super::layout`]):
//! the header, each row's reference cells (a moved or edited row is
//! refused, not guessed at), and each fill cell's value. Then the round
//! as the contract's TOML.

use super::layout::{Column, FIRST_ITEM_ROW, HEADER_ROW, Layout, format_number};
use super::read::ReadSheet;
use crate::model::{Date, Item, Status};
use crate::sheet::{Problem, short};
use std::collections::BTreeMap;

/// One row with something filled in: an `[[item]]` of the round.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundRow {
    pub number: u32,
    pub status: Option<Status>,
    /// Target key → value, in the item's target order.
    pub actual: Vec<(String, f64)>,
    /// Language → text, the default language first.
    pub text: Vec<(String, String)>,
}

/// The header row as written, and nothing right of the last column.
pub fn check_header(sheet: &ReadSheet, layout: &Layout<'_>, problems: &mut Vec<Problem>) {
    let lang = layout.default_language();
    for (i, col) in layout.columns.iter().enumerate() {
        let want = layout.header(*col, lang);
        let found = sheet.get(HEADER_ROW, i as u32).unwrap_or_default();
        if found != want {
            problems.push(Problem::new(
                &sheet.at(HEADER_ROW, i as u32),
                format!(
                    "the header is \"{}\"; the sheet was made with \"{want}\" here",
                    short(found)
                ),
                "columns must not be inserted, deleted, moved or renamed: fill in a sheet `planpub progress sheet` made, as it was",
            ));
        }
    }
    let width = layout.columns.len() as u32;
    for (&(row, col), text) in &sheet.cells {
        if col >= width && row >= HEADER_ROW {
            problems.push(Problem::new(
                &sheet.at(row, col),
                format!(
                    "extra column: the sheet has {width} columns, but this cell holds \"{}\"",
                    short(text)
                ),
                "delete what is right of the last column; write progress only in the yellow cells",
            ));
        }
    }
}

/// Every item row, checked; the rows with something filled in.
pub fn read_rows(
    sheet: &ReadSheet,
    layout: &Layout<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<RoundRow> {
    let items = layout.all_items();
    let last_row = sheet.cells.keys().map(|&(r, _)| r).max().unwrap_or(0);
    let mut seen: BTreeMap<u32, u32> = BTreeMap::new();
    let mut out = Vec::new();
    for row in FIRST_ITEM_ROW..=last_row {
        let filled = |c: Column| {
            let i = layout.columns.iter().position(|x| *x == c)?;
            sheet.get(row, i as u32).map(|t| (t, i as u32))
        };
        if layout.columns.iter().all(|c| filled(*c).is_none()) {
            continue;
        }
        let Some(item) = row_item(sheet, layout, &items, row, problems) else {
            continue;
        };
        if let Some(first) = seen.insert(item.number, row) {
            problems.push(Problem::new(
                &sheet.at(row, 0),
                format!("item {} is on row {} too", item.number, first + 1),
                "keep one row per item, as the sheet was made",
            ));
            continue;
        }
        let entry = row_entry(sheet, layout, item, row, problems);
        if layout
            .columns
            .iter()
            .any(|c| c.is_fill() && filled(*c).is_some())
        {
            if !entry
                .text
                .iter()
                .any(|(l, _)| l == layout.default_language())
            {
                let col = layout.columns.iter().position(|c| *c == Column::Text(0));
                problems.push(Problem::new(
                    &sheet.at(row, col.unwrap_or(0) as u32),
                    format!(
                        "item {} has progress filled in but no {}",
                        item.number,
                        layout.header(Column::Text(0), layout.default_language())
                    ),
                    "say in a sentence what was done by the round's date; it is what the item's page shows",
                ));
            }
            out.push(entry);
        }
    }
    out.sort_by_key(|r| r.number);
    out
}

/// The item a row is about: its number, checked against its title and
/// target names (a row moved, or edited, is refused).
fn row_item<'a>(
    sheet: &ReadSheet,
    layout: &Layout<'a>,
    items: &BTreeMap<u32, &'a Item>,
    row: u32,
    problems: &mut Vec<Problem>,
) -> Option<&'a Item> {
    let moved_hint = "the grey columns are locked: rows must not be moved, sorted or edited; fill in a new sheet from `planpub progress sheet`";
    let Some(text) = sheet.get(row, 0) else {
        problems.push(Problem::new(
            &sheet.at(row, 0),
            "this row has no item number",
            moved_hint,
        ));
        return None;
    };
    let number = text
        .parse::<f64>()
        .ok()
        .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32);
    let Some(number) = number else {
        problems.push(Problem::new(
            &sheet.at(row, 0),
            format!("\"{}\" is not an item number", short(text)),
            moved_hint,
        ));
        return None;
    };
    let Some(item) = items.get(&number).copied() else {
        problems.push(Problem::new(
            &sheet.at(row, 0),
            format!("plan {} has no item {number}", layout.plan.id),
            moved_hint,
        ));
        return None;
    };
    if item.withdrawn.is_some() {
        problems.push(Problem::new(
            &sheet.at(row, 0),
            format!("item {number} is withdrawn: a round does not update it"),
            "delete the row",
        ));
        return None;
    }
    let mut ok = true;
    for (i, col) in layout.columns.iter().enumerate() {
        let want = match col {
            Column::Title => item.title.default.clone(),
            Column::Target(k) => item
                .targets
                .get(*k)
                .map(|t| layout.target_name(t))
                .unwrap_or_default(),
            Column::Number
            | Column::Lead
            | Column::LastStatus
            | Column::Status
            | Column::Goal(_)
            | Column::LastActual(_)
            | Column::Actual(_)
            | Column::Text(_) => continue,
        };
        let found = sheet.get(row, i as u32).unwrap_or_default();
        if found != want.trim() {
            ok = false;
            problems.push(Problem::new(
                &sheet.at(row, i as u32),
                format!(
                    "this cell says \"{}\", but item {number}'s {} is \"{}\": the row was moved or edited",
                    short(found),
                    layout.header(*col, layout.default_language()),
                    short(&want)
                ),
                moved_hint,
            ));
        }
    }
    ok.then_some(item)
}

/// A row's fill cells, each checked.
fn row_entry(
    sheet: &ReadSheet,
    layout: &Layout<'_>,
    item: &Item,
    row: u32,
    problems: &mut Vec<Problem>,
) -> RoundRow {
    let mut entry = RoundRow {
        number: item.number,
        status: None,
        actual: Vec::new(),
        text: Vec::new(),
    };
    for (i, col) in layout.columns.iter().enumerate() {
        let Some(text) = sheet.get(row, i as u32) else {
            continue;
        };
        let at = sheet.at(row, i as u32);
        match col {
            Column::Status => match layout.status_of(text) {
                Some(s) => entry.status = Some(s),
                None => {
                    let labels: Vec<String> =
                        layout.status_labels().into_iter().map(|(_, l)| l).collect();
                    problems.push(Problem::new(
                        &at,
                        format!(
                            "unknown status \"{}\"; expected one of {}",
                            short(text),
                            labels.join(", ")
                        ),
                        "choose the status from the cell's list; leave it empty if it did not change",
                    ));
                }
            },
            Column::Actual(k) => match item.targets.get(*k) {
                Some(t) => match parse_actual(text) {
                    Some(v) => entry.actual.push((t.key.clone(), v)),
                    None => problems.push(Problem::new(
                        &at,
                        format!(
                            "\"{}\" is not a number; {} needs the figure reached by the round's date",
                            short(text),
                            layout.target_name(t)
                        ),
                        "write a number only, without unit or words (e.g. 3600 or 2.5); put words in the progress text",
                    )),
                },
                None => problems.push(Problem::new(
                    &at,
                    format!("item {} has no target {}", item.number, k + 1),
                    "leave the grey cells empty",
                )),
            },
            Column::Text(n) => entry
                .text
                .push((layout.languages[*n].clone(), text.to_string())),
            Column::Number
            | Column::Title
            | Column::Lead
            | Column::LastStatus
            | Column::Target(_)
            | Column::Goal(_)
            | Column::LastActual(_) => {}
        }
    }
    entry
}

/// A figure as a lead unit types it: `3600`, `3,600`, `2.5`; not
/// negative.
fn parse_actual(text: &str) -> Option<f64> {
    let plain: String = text.chars().filter(|c| *c != ',').collect();
    plain
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// The round as the contract writes it: readable TOML, items in number
/// order, status as its key.
pub fn round_toml(rows: &[RoundRow], plan: &str, date: Date, source: &str) -> String {
    let quote = |s: &str| toml_edit::Value::from(s).to_string();
    let mut out = format!(
        "# Progress round of plan {plan} as of {date}, imported from {source}\n\
         # by `planpub progress import`.\n"
    );
    for r in rows {
        out.push_str(&format!("\n[[item]]\nnumber = {}\n", r.number));
        if let Some(s) = r.status {
            out.push_str(&format!("status = {}\n", quote(s.key())));
        }
        if !r.actual.is_empty() {
            let pairs: Vec<String> = r
                .actual
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{} = {}",
                        toml_edit::Key::new(k.as_str()),
                        format_number(*v)
                    )
                })
                .collect();
            out.push_str(&format!("actual = {{ {} }}\n", pairs.join(", ")));
        }
        if !r.text.is_empty() {
            let pairs: Vec<String> = r
                .text
                .iter()
                .map(|(l, t)| format!("{} = {}", toml_edit::Key::new(l.as_str()), quote(t)))
                .collect();
            out.push_str(&format!("text = {{ {} }}\n", pairs.join(", ")));
        }
    }
    out
}
