//! What the progress sheet holds, cell by cell, whatever file it goes
//! into: the one description that writing (xlsx, CSV) and reading back
//! share, so that a header or a reference cell is compared with exactly
//! what was written.
//!
//! ```text
//!    A     B        C       D          E        F…          (per target slot)                   then per language
//! 1  计划  2023     填报日期  2024-03-31
//! 2  编号  工作事项  牵头单位  上次状态    本次状态   指标1 | 指标1目标值 | 指标1上次实际 | 指标1本次实际   进展说明（中文）…
//! 3  11    …        …       推进中      [list]    name  | 16         | 12           | [fill]        [fill]
//! ```
//!
//! One row per item (withdrawn items are left out): items have between
//! none and a few targets, so each row has as many target slots as the
//! plan's item with the most; slot k of a row is that item's k-th target,
//! named in a locked cell beside its goal and last actual, and the fill
//! cell is open only where the item has a k-th target. A lead unit sees
//! every figure of one item on one row, and cannot type an actual where
//! the item has no target.

use crate::model::{Item, Plan, Status, Target};
use crate::validate::UiStrings;
use std::collections::BTreeMap;

/// One column of the item rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Number,
    Title,
    Lead,
    LastStatus,
    Status,
    /// Slot k (0-based): the target's name and unit.
    Target(usize),
    Goal(usize),
    LastActual(usize),
    /// Slot k's fill cell.
    Actual(usize),
    /// The text in the site's n-th language (the default first).
    Text(usize),
}

impl Column {
    /// Whether the lead units fill it in.
    pub fn is_fill(self) -> bool {
        match self {
            Column::Status | Column::Actual(_) | Column::Text(_) => true,
            Column::Number
            | Column::Title
            | Column::Lead
            | Column::LastStatus
            | Column::Target(_)
            | Column::Goal(_)
            | Column::LastActual(_) => false,
        }
    }
}

/// The first row (plan and date), the header row, the first item row.
pub const META_ROW: u32 = 0;
pub const HEADER_ROW: u32 = 1;
pub const FIRST_ITEM_ROW: u32 = 2;
/// Where the first row holds the plan's id and the round's date.
pub const PLAN_COL: u32 = 1;
pub const DATE_COL: u32 = 3;

/// The sheet of one plan, in the site's languages.
pub struct Layout<'a> {
    pub plan: &'a Plan,
    /// The site's languages, the default first.
    pub languages: Vec<String>,
    /// Target slots per row: the most targets an item of the plan has.
    pub slots: usize,
    pub columns: Vec<Column>,
    strings: &'a UiStrings,
}

impl<'a> Layout<'a> {
    pub fn new(plan: &'a Plan, languages: Vec<String>, strings: &'a UiStrings) -> Layout<'a> {
        let slots = plan
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .map(|i| i.targets.len())
            .max()
            .unwrap_or(0);
        let mut columns = vec![
            Column::Number,
            Column::Title,
            Column::Lead,
            Column::LastStatus,
            Column::Status,
        ];
        for k in 0..slots {
            columns.extend([
                Column::Target(k),
                Column::Goal(k),
                Column::LastActual(k),
                Column::Actual(k),
            ]);
        }
        columns.extend((0..languages.len()).map(Column::Text));
        Layout {
            plan,
            languages,
            slots,
            columns,
            strings,
        }
    }

    pub fn default_language(&self) -> &str {
        &self.languages[0]
    }

    /// A UI string of `lang` (its key if the theme lacks it).
    pub fn t(&self, lang: &str, key: &str) -> String {
        self.strings
            .get(lang)
            .and_then(|m| m.get(key))
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// A language's own name (`language-name`).
    pub fn language_name(&self, lang: &str) -> String {
        self.t(lang, "language-name")
    }

    /// The main sheet's name (the default language's).
    pub fn sheet_name(&self) -> String {
        self.t(self.default_language(), "progress-sheet")
    }

    /// The notes sheet's name: each language's word, once.
    pub fn notes_sheet_name(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for l in &self.languages {
            let n = self.t(l, "progress-notes-sheet");
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names.join(" ")
    }

    /// A column's header in `lang`.
    pub fn header(&self, col: Column, lang: &str) -> String {
        let slot = |key: &str, k: usize| self.t(lang, key).replace("{n}", &(k + 1).to_string());
        match col {
            Column::Number => self.t(lang, "progress-col-number"),
            Column::Title => self.t(lang, "progress-col-title"),
            Column::Lead => self.t(lang, "progress-col-lead"),
            Column::LastStatus => self.t(lang, "progress-col-last-status"),
            Column::Status => self.t(lang, "progress-col-status"),
            Column::Target(k) => slot("progress-col-target", k),
            Column::Goal(k) => slot("progress-col-goal", k),
            Column::LastActual(k) => slot("progress-col-last-actual", k),
            Column::Actual(k) => slot("progress-col-actual", k),
            Column::Text(i) => self
                .t(lang, "progress-col-text")
                .replace("{language}", &self.language_name(&self.languages[i])),
        }
    }

    /// The statuses with their labels in the default language, in
    /// display order.
    pub fn status_labels(&self) -> Vec<(Status, String)> {
        Status::ALL
            .into_iter()
            .map(|s| {
                (
                    s,
                    self.t(self.default_language(), &format!("status-{}", s.key())),
                )
            })
            .collect()
    }

    /// A status key or default-language label → the status.
    pub fn status_of(&self, text: &str) -> Option<Status> {
        Status::from_key(text).or_else(|| {
            self.status_labels()
                .into_iter()
                .find(|(_, l)| l == text)
                .map(|(s, _)| s)
        })
    }

    /// The items a round may update (not withdrawn), by number.
    pub fn items(&self) -> Vec<&'a Item> {
        let mut items: Vec<&Item> = self
            .plan
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.withdrawn.is_none())
            .collect();
        items.sort_by_key(|i| i.number);
        items
    }

    /// Every item of the plan by number, withdrawn ones too.
    pub fn all_items(&self) -> BTreeMap<u32, &'a Item> {
        self.plan
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .map(|i| (i.number, i))
            .collect()
    }

    /// A target's name and unit in the default language, as its locked
    /// cell shows it.
    pub fn target_name(&self, t: &Target) -> String {
        if t.unit.default.is_empty() {
            return t.label.default.clone();
        }
        self.t(self.default_language(), "progress-target-name")
            .replace("{label}", &t.label.default)
            .replace("{unit}", &t.unit.default)
    }

    /// The item's status now (its latest update's, else its own), as
    /// a label in the default language.
    pub fn last_status(&self, item: &Item) -> String {
        let status = item
            .updates
            .iter()
            .rev()
            .find_map(|u| u.status)
            .or(item.status);
        let key = status.map_or("none", Status::key);
        self.t(self.default_language(), &format!("status-{key}"))
    }
}

/// How a cell looks and whether it is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// The first row's labels and values.
    Meta,
    Header,
    /// Locked, from the site.
    Reference,
    /// Open: for the lead units.
    Fill,
    /// Locked and grey: a target slot the item does not have.
    NotApplicable,
}

/// One cell as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    /// Written as a number in a workbook.
    pub number: Option<f64>,
    pub look: Look,
}

impl Cell {
    fn text(text: impl Into<String>, look: Look) -> Cell {
        Cell {
            text: text.into(),
            number: None,
            look,
        }
    }

    fn number(value: f64, look: Look) -> Cell {
        Cell {
            text: format_number(value),
            number: Some(value),
            look,
        }
    }
}

/// A number as a cell or TOML shows it: `3600`, `2.5`.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        value.to_string()
    }
}

/// The whole sheet: the first row, the header row, a row per item.
pub fn grid(layout: &Layout<'_>, date: &str) -> Vec<Vec<Cell>> {
    let lang = layout.default_language();
    let mut rows = vec![
        vec![
            Cell::text(layout.t(lang, "progress-meta-plan"), Look::Meta),
            Cell::text(layout.plan.id.clone(), Look::Meta),
            Cell::text(layout.t(lang, "progress-meta-date"), Look::Meta),
            Cell::text(date, Look::Meta),
        ],
        layout
            .columns
            .iter()
            .map(|c| Cell::text(layout.header(*c, lang), Look::Header))
            .collect(),
    ];
    for item in layout.items() {
        rows.push(
            layout
                .columns
                .iter()
                .map(|c| item_cell(layout, item, *c))
                .collect(),
        );
    }
    rows
}

fn item_cell(layout: &Layout<'_>, item: &Item, col: Column) -> Cell {
    let target = |k: usize| item.targets.get(k);
    let na = || Cell::text("", Look::NotApplicable);
    match col {
        Column::Number => Cell::number(f64::from(item.number), Look::Reference),
        Column::Title => Cell::text(item.title.default.clone(), Look::Reference),
        Column::Lead => Cell::text(item.lead.join("、"), Look::Reference),
        Column::LastStatus => Cell::text(layout.last_status(item), Look::Reference),
        Column::Status | Column::Text(_) => Cell::text("", Look::Fill),
        Column::Target(k) => {
            target(k).map_or_else(na, |t| Cell::text(layout.target_name(t), Look::Reference))
        }
        Column::Goal(k) => target(k).map_or_else(na, |t| Cell::number(t.goal, Look::Reference)),
        Column::LastActual(k) => target(k).map_or_else(na, |t| match t.actual {
            Some(a) => Cell::number(a, Look::Reference),
            None => Cell::text("", Look::Reference),
        }),
        Column::Actual(k) => target(k).map_or_else(na, |_| Cell::text("", Look::Fill)),
    }
}
