//! The content model: plans, sections, work items, their targets and
//! updates, as typed data. No parsing and no rendering here: `validate`
//! makes these from front matter, `link` and `render` read them.
//!
//! Text that a translation may replace is [`Localized`]; everything else
//! (numbers, statuses, dates, links) comes from the default-language file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// A calendar date (the only date form the content uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Days since 1970-01-01 (proleptic Gregorian), for pace arithmetic.
    pub fn days_since_epoch(&self) -> i64 {
        let y = if self.month <= 2 {
            self.year as i64 - 1
        } else {
            self.year as i64
        };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// A date written `YYYY-MM-DD` (a real day of the calendar).
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| {
            s.get(r.clone())
                .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|t| t.parse::<u32>().ok())
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date {
            year: year as i32,
            month,
            day,
        })
    }

    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.iso())
    }
}

/// A work item's progress status, as the contract names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    NotStarted,
    InProgress,
    Completed,
    Delayed,
    Ongoing,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 5] = [
        Status::NotStarted,
        Status::InProgress,
        Status::Completed,
        Status::Delayed,
        Status::Ongoing,
    ];

    /// The status as the contract writes it (`in-progress`): in front
    /// matter, URLs, CSS classes and data files.
    pub fn key(self) -> &'static str {
        match self {
            Status::NotStarted => "not-started",
            Status::InProgress => "in-progress",
            Status::Completed => "completed",
            Status::Delayed => "delayed",
            Status::Ongoing => "ongoing",
        }
    }

    /// The status a key names.
    pub fn from_key(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.key() == s)
    }
}

/// The key used for items that report no status ("no update yet").
pub const NO_STATUS_KEY: &str = "none";

/// Text in the default language and its translations, field by field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Localized {
    /// The text of the default-language file.
    pub default: String,
    /// Language code → the text of that language's translation file.
    pub translations: BTreeMap<String, String>,
}

impl Localized {
    /// Text with no translation yet.
    pub fn new(default: String) -> Self {
        Localized {
            default,
            translations: BTreeMap::new(),
        }
    }

    /// The text in `lang`, or the default-language text when there is no
    /// translation (`true` in the second place means "fell back").
    pub fn get(&self, lang: &str, default_language: &str) -> (&str, bool) {
        if lang == default_language {
            return (&self.default, false);
        }
        match self.translations.get(lang) {
            Some(t) => (t, false),
            None => (&self.default, true),
        }
    }
}

/// A measurable target of an item (`[[targets]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// `[a-z0-9-]+`, unique in the item: the anchor `#target-<key>`.
    pub key: String,
    pub label: Localized,
    /// The planned quantity, above 0.
    pub goal: f64,
    /// The quantity reached so far, if reported: the latest of
    /// `history`, or the front matter's undated `actual`.
    pub actual: Option<f64>,
    pub unit: Localized,
    /// The dated actuals, oldest first: from progress rounds, and the
    /// front matter's `actual` as of the item's latest own update.
    pub history: Vec<ActualPoint>,
}

/// A target's reported quantity as of a date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ActualPoint {
    pub date: Date,
    pub value: f64,
}

/// A dated progress report of an item (`[[updates]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// Unique in the item: the anchor `#update-<date>`.
    pub date: Date,
    pub status: Option<Status>,
    pub text: Localized,
}

/// An item of a plan, named across plans: `2023/16`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemRef {
    /// The plan id.
    pub plan: String,
    /// The item's number in that plan.
    pub number: u32,
}

impl ItemRef {
    /// Reads `<plan>/<number>` (`2023/16`); `None` for anything else.
    pub fn parse(s: &str) -> Option<ItemRef> {
        let (plan, number) = s.split_once('/')?;
        let number: u32 = number.parse().ok().filter(|n| *n >= 1)?;
        let plan_ok = !plan.is_empty() && !plan.contains(char::is_whitespace);
        plan_ok.then(|| ItemRef {
            plan: plan.to_string(),
            number,
        })
    }
}

/// A work item: one file `content/<plan>/<section>/<NN>-<slug>.md` and
/// its translations.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Item {
    /// Unique in the plan: the item's permalink `/<plan>/<number>/`.
    pub number: u32,
    /// The default-language file, relative to the site root.
    pub path: PathBuf,
    /// The number of the section whose folder holds the file.
    pub section_number: u32,
    pub title: Localized,
    /// Markdown.
    pub body: Localized,
    /// The status the file states; else the latest update's counts.
    pub status: Option<Status>,
    /// The responsible units (牵头单位), as written.
    pub lead: Vec<String>,
    pub due: Option<Date>,
    /// Tag names in the default language, as written.
    pub tags: Vec<String>,
    /// Numbers of related items of the same plan, each once.
    pub related: Vec<u32>,
    /// The item of an earlier plan this one carries on (`continues`).
    pub continues: Option<ItemRef>,
    pub targets: Vec<Target>,
    /// Oldest first, as in the file after sorting by date.
    pub updates: Vec<Update>,
    /// Languages with a translation file (the default language included).
    pub languages: BTreeSet<String>,
    /// Languages whose translation records the `source_hash` of an older
    /// default-language text (issue #18.3).
    pub stale_translations: BTreeSet<String>,
    /// Numbers the item had before a renumbering, oldest first, as
    /// written (`planpub renumber` appends): their URLs keep leading to it.
    pub former_numbers: Vec<u32>,
    /// Set when the item was dropped from the plan (`withdrawn`).
    pub withdrawn: Option<Withdrawn>,
}

impl Item {
    /// The item's first number: its oldest former number (the first
    /// written), or its number. Identifiers that must
    /// survive a renumbering (Atom entry ids) are made from it.
    pub fn first_number(&self) -> u32 {
        self.former_numbers.first().copied().unwrap_or(self.number)
    }
}

/// An item dropped from the plan: it keeps its page, marked withdrawn,
/// and is left out of percentages and status counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Withdrawn {
    pub date: Date,
    pub reason: Localized,
}

/// A section of a plan: a folder `content/<plan>/<n>-<slug>/` with its
/// `_index.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Unique in the plan: `/<plan>/sections/<number>/`.
    pub number: u32,
    /// The folder's name.
    pub dir: String,
    /// The `_index.md` file, relative to the site root.
    pub path: PathBuf,
    pub title: Localized,
    /// Markdown.
    pub body: Localized,
    /// By number.
    pub items: Vec<Item>,
    /// Languages with a translation file (the default language included).
    pub languages: BTreeSet<String>,
    /// Languages whose translation records the `source_hash` of an older
    /// default-language text (issue #18.3).
    pub stale_translations: BTreeSet<String>,
}

/// A plan: the folder `content/<id>/` with its `_index.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The folder's name: the first segment of the plan's URLs.
    pub id: String,
    /// The `_index.md` file, relative to the site root.
    pub path: PathBuf,
    pub title: Localized,
    /// The issuing body, if the plan names one.
    pub issuer: Option<Localized>,
    pub published: Option<Date>,
    /// Where the official text is published (a URL, as written).
    pub source: Option<String>,
    /// Whether this plan's progress data is illustrative; `None`: the
    /// site's `[progress] illustrative` setting.
    pub illustrative: Option<bool>,
    /// The first day of the plan's period, if the plan says (see
    /// [`Plan::period`]).
    pub start: Option<Date>,
    /// The last day of the plan's period, if the plan says.
    pub end: Option<Date>,
    /// The preamble, Markdown.
    pub body: Localized,
    /// By number.
    pub sections: Vec<Section>,
    /// Languages with a translation file (the default language included).
    pub languages: BTreeSet<String>,
    /// Languages whose translation records the `source_hash` of an older
    /// default-language text (issue #18.3).
    pub stale_translations: BTreeSet<String>,
}

impl Plan {
    /// The plan's year: from its id ("2023") or its publication date.
    pub fn year(&self) -> Option<i32> {
        self.id
            .get(..4)
            .and_then(|y| y.parse().ok())
            .filter(|y| (1900..3000).contains(y))
            .or(self.published.map(|d| d.year))
    }

    /// The plan's period, first and last day: `start` and `end` as
    /// written, each defaulting to the first or last day of the plan's
    /// year; `None` when neither is given and the plan has no year.
    pub fn period(&self) -> Option<(Date, Date)> {
        let year = self.year();
        let start = self.start.or(year.map(|y| Date {
            year: y,
            month: 1,
            day: 1,
        }))?;
        let end = self.end.or(year.map(|y| Date {
            year: y,
            month: 12,
            day: 31,
        }))?;
        Some((start, end))
    }

    /// Whether this plan's progress data is illustrative, given the
    /// site-wide default.
    pub fn is_illustrative(&self, site_default: bool) -> bool {
        self.illustrative.unwrap_or(site_default)
    }

    /// The key plans are ordered by, oldest first: the end of the
    /// period, then the id.
    pub fn age_key(&self) -> (Option<Date>, &str) {
        (self.period().map(|(_, end)| end), self.id.as_str())
    }

    /// Every item, section by section.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_epoch_matches_known_dates() {
        let d = |y, m, dd| {
            Date {
                year: y,
                month: m,
                day: dd,
            }
            .days_since_epoch()
        };
        assert_eq!(d(1970, 1, 1), 0);
        assert_eq!(d(2023, 1, 1), 19358);
        assert_eq!(d(2023, 12, 31) - d(2023, 1, 1), 364);
        assert_eq!(d(2024, 3, 1) - d(2024, 2, 28), 2);
    }

    #[test]
    fn parse_iso_accepts_only_calendar_days() {
        assert_eq!(
            Date::parse_iso("2024-02-29").map(|d| d.iso()).as_deref(),
            Some("2024-02-29")
        );
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-6-30",
            "2023/06/30",
            "2023-06-31",
            "q1",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad}");
        }
    }
}
