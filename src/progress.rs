//! Progress figures computed from an item's front matter, and only where
//! they can be computed honestly: never a guessed number.
//!
//! * percent complete: 100 for a completed item; otherwise the average of
//!   each target's `actual / goal` capped at 100 %, and only when every
//!   target reports an `actual`. No targets, no percentage.
//! * pace (序时进度): how far along the item should be by the plan's as-of
//!   date (the newest update anywhere in the plan), if work ran evenly from
//!   the first day of the plan's period to `due` (or the period's last
//!   day), against the percent complete. Measured at the plan's date, not
//!   at the item's own last update: an item whose figures stopped in
//!   September is judged against December's expectation (issue #20.1).
//! * staleness: an item that has updates but none in the
//!   [`STALE_AFTER_DAYS`] days before the plan's as-of date, and is not
//!   completed, is "not updated since" its last update.

use crate::model::{Date, Item, Status};

/// How far ahead of or behind the even pace an item may be and still count
/// as "on pace", in percentage points.
pub const PACE_TOLERANCE_POINTS: f64 = 5.0;

/// An item not completed whose newest update is more than this many days
/// older than the plan's as-of date is stale.
pub const STALE_AFTER_DAYS: i64 = 90;

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
    /// The first day of the plan's period: where the even pace starts.
    pub start: Date,
    pub due: Date,
    pub targets: Vec<TargetPace>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The item's status, or else the status of its latest update.
    pub status: Option<Status>,
    pub percent: Option<f64>,
    pub pace: Option<Pace>,
    /// The date of the item's latest update: what its figures report.
    pub as_of: Option<Date>,
    /// The date of the latest update when that is more than
    /// [`STALE_AFTER_DAYS`] before the plan's as-of date (and the item is
    /// not completed): "no update since" this date.
    pub stale_since: Option<Date>,
}

/// Percent complete of one target, capped at 100.
pub fn target_percent(goal: f64, actual: f64) -> f64 {
    if goal <= 0.0 {
        100.0
    } else {
        (actual / goal * 100.0).clamp(0.0, 100.0)
    }
}

/// The progress of `item` in a plan whose period is `period` and whose
/// data are as of `plan_as_of` (the newest update in the plan).
pub fn compute_progress(
    item: &Item,
    period: Option<(Date, Date)>,
    plan_as_of: Option<Date>,
) -> Progress {
    let latest = item.updates.last();
    // A withdrawn item is out of every figure: no status, no percent.
    if item.withdrawn.is_some() {
        return Progress {
            status: None,
            percent: None,
            pace: None,
            as_of: latest.map(|u| u.date),
            stale_since: None,
        };
    }
    // The latest update's status is the item's; its own `status` only
    // when no update says one (a contradiction is warned about).
    let status = item
        .updates
        .iter()
        .rev()
        .find_map(|u| u.status)
        .or(item.status);
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
    // Pace needs the item's own figures (an update) and the plan's date.
    let pace_at = as_of.and(plan_as_of.or(as_of));
    let pace = match (percent, pace_at, period) {
        (Some(actual_percent), Some(as_of), Some((start, end)))
            if !item.targets.is_empty() || status == Some(Status::Completed) =>
        {
            let due = item.due.unwrap_or(end);
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
                start,
                due,
                targets,
            })
        }
        _ => None,
    };
    let stale_since = match (as_of, plan_as_of) {
        (Some(last), Some(plan_date))
            if status != Some(Status::Completed)
                && plan_date.days_since_epoch() - last.days_since_epoch() > STALE_AFTER_DAYS =>
        {
            Some(last)
        }
        _ => None,
    };
    Progress {
        status,
        percent,
        pace,
        as_of,
        stale_since,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Localized, Target, Update};

    fn year(y: i32) -> Option<(Date, Date)> {
        Some((
            Date {
                year: y,
                month: 1,
                day: 1,
            },
            Date {
                year: y,
                month: 12,
                day: 31,
            },
        ))
    }

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
            continues: None,
            targets: targets
                .iter()
                .enumerate()
                .map(|(i, (g, a))| Target {
                    key: format!("t{i}"),
                    label: Localized::new("l".into()),
                    goal: *g,
                    actual: *a,
                    unit: Localized::default(),
                    history: vec![],
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
            ..Item::default()
        }
    }

    fn d(month: u32, day: u32) -> Date {
        Date {
            year: 2023,
            month,
            day,
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
            year(2023),
            None,
        );
        assert_eq!(p.percent, Some(75.0));
    }

    #[test]
    fn no_percent_without_every_actual() {
        let p = compute_progress(
            &item(&[(16.0, Some(8.0)), (100.0, None)], &[(6, 30)], None),
            year(2023),
            None,
        );
        assert_eq!(p.percent, None);
        assert_eq!(p.pace, None);
    }

    #[test]
    fn completed_is_a_hundred_percent() {
        let p = compute_progress(&item(&[], &[], Some(Status::Completed)), year(2023), None);
        assert_eq!(p.percent, Some(100.0));
    }

    #[test]
    fn pace_compares_actual_with_elapsed_share_of_the_year() {
        // 30 June 2023 is day 181 of 365: 49.6 % of the year.
        let behind = compute_progress(
            &item(&[(100.0, Some(20.0))], &[(6, 30)], Some(Status::InProgress)),
            year(2023),
            None,
        )
        .pace
        .unwrap();
        assert_eq!(behind.kind, PaceKind::Behind);
        assert!((behind.expected_percent - 49.59).abs() < 0.01);
        assert!((behind.targets[0].expected - 49.59).abs() < 0.01);
        let on = compute_progress(
            &item(&[(100.0, Some(50.0))], &[(6, 30)], None),
            year(2023),
            None,
        )
        .pace
        .unwrap();
        assert_eq!(on.kind, PaceKind::OnPace);
        let ahead = compute_progress(
            &item(&[(100.0, Some(80.0))], &[(6, 30)], None),
            year(2023),
            None,
        )
        .pace
        .unwrap();
        assert_eq!(ahead.kind, PaceKind::Ahead);
    }

    // issue #20.1: 87.5 % reported on 30 September is ahead of that day's
    // even pace (74.8 %) but behind the plan's as-of date (15 December, 95.6 %).
    #[test]
    fn pace_is_judged_at_the_plans_as_of_date_not_the_items_last_update() {
        let it = item(&[(32.0, Some(28.0))], &[(9, 30)], Some(Status::InProgress));
        let own = compute_progress(&it, year(2023), None).pace.unwrap();
        assert_eq!(own.kind, PaceKind::Ahead);
        let plan = compute_progress(&it, year(2023), Some(d(12, 15)))
            .pace
            .unwrap();
        assert_eq!(plan.kind, PaceKind::Behind);
        assert_eq!(plan.as_of, d(12, 15));
        assert!((plan.expected_percent - 95.62).abs() < 0.01);
    }

    #[test]
    fn pace_runs_over_the_plans_period() {
        // A school-year plan: 1 September 2023 to 30 June 2024 (304 days).
        let period = Some((
            d(9, 1),
            Date {
                year: 2024,
                month: 6,
                day: 30,
            },
        ));
        let it = item(&[(100.0, Some(40.0))], &[(12, 31)], None);
        let pace = compute_progress(&it, period, Some(d(12, 31))).pace.unwrap();
        assert!(
            (pace.expected_percent - 40.13).abs() < 0.01,
            "{}",
            pace.expected_percent
        );
        assert_eq!(pace.kind, PaceKind::OnPace);
    }

    #[test]
    fn an_item_without_an_update_in_90_days_before_the_plans_date_is_stale() {
        let old = item(&[], &[(4, 10)], Some(Status::NotStarted));
        let p = compute_progress(&old, year(2023), Some(d(12, 15)));
        assert_eq!(p.stale_since, Some(d(4, 10)));
        // 90 days exactly is not stale; 91 is.
        let edge = item(&[], &[(9, 16)], Some(Status::InProgress));
        assert_eq!(
            compute_progress(&edge, year(2023), Some(d(12, 15))).stale_since,
            None
        );
        let past = item(&[], &[(9, 15)], Some(Status::InProgress));
        assert_eq!(
            compute_progress(&past, year(2023), Some(d(12, 15))).stale_since,
            Some(d(9, 15))
        );
        // Completed work does not go stale; nor can an item never updated
        // say since when.
        let done = item(&[], &[(4, 10)], Some(Status::Completed));
        assert_eq!(
            compute_progress(&done, year(2023), Some(d(12, 15))).stale_since,
            None
        );
        let never = item(&[], &[], Some(Status::NotStarted));
        assert_eq!(
            compute_progress(&never, year(2023), Some(d(12, 15))).stale_since,
            None
        );
    }
}
