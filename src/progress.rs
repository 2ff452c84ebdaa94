//! Progress figures computed from an item's front matter, and only where
//! they can be computed honestly: never a guessed number.
//!
//! * percent complete: 100 for a completed item; otherwise the average of
//!   each target's `actual / goal` capped at 100 %, and only when every
//!   target reports an `actual`. No targets, no percentage.
//! * pace (序时进度): how far along the item should be by the date of its
//!   latest update, if work ran evenly from 1 January of the plan year to
//!   `due` (or 31 December), against the percent complete.

use crate::model::{Date, Item, Status};

/// How far ahead of or behind the even pace an item may be and still count
/// as "on pace", in percentage points.
pub const PACE_TOLERANCE_POINTS: f64 = 5.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaceKind {
    Ahead,
    OnPace,
    Behind,
}

impl PaceKind {
    pub fn key(self) -> &'static str {
        match self {
            PaceKind::Ahead => "ahead",
            PaceKind::OnPace => "on-pace",
            PaceKind::Behind => "behind",
        }
    }
}

/// The expected-by-now figure of one target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetPace {
    pub key: String,
    pub expected: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    pub kind: PaceKind,
    /// The share of the plan period elapsed at `as_of`, in percent.
    pub expected_percent: f64,
    pub actual_percent: f64,
    pub as_of: Date,
    pub due: Date,
    pub targets: Vec<TargetPace>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The item's status, or else the status of its latest update.
    pub status: Option<Status>,
    pub percent: Option<f64>,
    pub pace: Option<Pace>,
    /// The date of the latest update: the "as of" of every figure.
    pub as_of: Option<Date>,
}

/// Percent complete of one target, capped at 100.
pub fn target_percent(goal: f64, actual: f64) -> f64 {
    if goal <= 0.0 {
        100.0
    } else {
        (actual / goal * 100.0).clamp(0.0, 100.0)
    }
}

pub fn compute_progress(item: &Item, plan_year: Option<i32>) -> Progress {
    let latest = item.updates.last();
    let status = item
        .status
        .or_else(|| item.updates.iter().rev().find_map(|u| u.status));
    let as_of = latest.map(|u| u.date);
    let percent = if status == Some(Status::Completed) {
        Some(100.0)
    } else if !item.targets.is_empty() && item.targets.iter().all(|t| t.actual.is_some()) {
        let sum: f64 = item
            .targets
            .iter()
            .map(|t| target_percent(t.goal, t.actual.unwrap_or(0.0)))
            .sum();
        Some(sum / item.targets.len() as f64)
    } else {
        None
    };
    let pace = match (percent, as_of, plan_year) {
        (Some(actual_percent), Some(as_of), Some(year))
            if !item.targets.is_empty() || status == Some(Status::Completed) =>
        {
            let start = Date {
                year,
                month: 1,
                day: 1,
            };
            let due = item.due.unwrap_or(Date {
                year,
                month: 12,
                day: 31,
            });
            let span = (due.days_since_epoch() - start.days_since_epoch() + 1).max(1) as f64;
            let elapsed = (as_of.days_since_epoch() - start.days_since_epoch() + 1) as f64;
            let share = (elapsed / span).clamp(0.0, 1.0);
            let expected_percent = share * 100.0;
            // Done before the deadline, or clearly past the even pace.
            let kind = if (actual_percent >= 100.0 && share < 1.0)
                || actual_percent - expected_percent > PACE_TOLERANCE_POINTS
            {
                PaceKind::Ahead
            } else if expected_percent - actual_percent > PACE_TOLERANCE_POINTS {
                PaceKind::Behind
            } else {
                PaceKind::OnPace
            };
            let targets = item
                .targets
                .iter()
                .map(|t| TargetPace {
                    key: t.key.clone(),
                    expected: t.goal * share,
                })
                .collect();
            Some(Pace {
                kind,
                expected_percent,
                actual_percent,
                as_of,
                due,
                targets,
            })
        }
        _ => None,
    };
    Progress {
        status,
        percent,
        pace,
        as_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Localized, Target, Update};

    fn item(
        targets: &[(f64, Option<f64>)],
        updates: &[(u32, u32)],
        status: Option<Status>,
    ) -> Item {
        Item {
            number: 1,
            path: "x.md".into(),
            section_number: 1,
            title: Localized::new("t".into()),
            body: Localized::default(),
            status,
            lead: vec![],
            due: None,
            tags: vec![],
            related: vec![],
            targets: targets
                .iter()
                .enumerate()
                .map(|(i, (g, a))| Target {
                    key: format!("t{i}"),
                    label: Localized::new("l".into()),
                    goal: *g,
                    actual: *a,
                    unit: Localized::default(),
                })
                .collect(),
            updates: updates
                .iter()
                .map(|(m, d)| Update {
                    date: Date {
                        year: 2023,
                        month: *m,
                        day: *d,
                    },
                    status: None,
                    text: Localized::new("u".into()),
                })
                .collect(),
            languages: Default::default(),
            stale_translations: Default::default(),
        }
    }

    #[test]
    fn percent_averages_capped_target_shares() {
        let p = compute_progress(
            &item(
                &[(16.0, Some(8.0)), (100.0, Some(150.0))],
                &[],
                Some(Status::InProgress),
            ),
            Some(2023),
        );
        assert_eq!(p.percent, Some(75.0));
    }

    #[test]
    fn no_percent_without_every_actual() {
        let p = compute_progress(
            &item(&[(16.0, Some(8.0)), (100.0, None)], &[(6, 30)], None),
            Some(2023),
        );
        assert_eq!(p.percent, None);
        assert_eq!(p.pace, None);
    }

    #[test]
    fn completed_is_a_hundred_percent() {
        let p = compute_progress(&item(&[], &[], Some(Status::Completed)), Some(2023));
        assert_eq!(p.percent, Some(100.0));
    }

    #[test]
    fn pace_compares_actual_with_elapsed_share_of_the_year() {
        // 30 June 2023 is day 181 of 365: 49.6 % of the year.
        let behind = compute_progress(
            &item(&[(100.0, Some(20.0))], &[(6, 30)], Some(Status::InProgress)),
            Some(2023),
        )
        .pace
        .unwrap();
        assert_eq!(behind.kind, PaceKind::Behind);
        assert!((behind.expected_percent - 49.59).abs() < 0.01);
        assert!((behind.targets[0].expected - 49.59).abs() < 0.01);
        let on = compute_progress(&item(&[(100.0, Some(50.0))], &[(6, 30)], None), Some(2023))
            .pace
            .unwrap();
        assert_eq!(on.kind, PaceKind::OnPace);
        let ahead = compute_progress(&item(&[(100.0, Some(80.0))], &[(6, 30)], None), Some(2023))
            .pace
            .unwrap();
        assert_eq!(ahead.kind, PaceKind::Ahead);
    }
}
