//! Several plans on one site: which plan is the newest (the current one),
//! which plans have ended relative to it, and items that continue items
//! of earlier plans (`continues = "2023/16"`), linked both ways.
//!
//! Everything here is relative to the plans themselves, never the clock:
//! a build gives the same pages whenever it runs.

use crate::link::{LinkedPlan, LinkedSite};
use crate::model::Plan;

/// The plans' indices, newest first: by the end of the period, then id
/// (both descending).
pub fn newest_first(site: &LinkedSite) -> Vec<usize> {
    let mut order: Vec<usize> = (0..site.plans.len()).collect();
    order.sort_by(|&a, &b| {
        site.plans[b]
            .plan
            .age_key()
            .cmp(&site.plans[a].plan.age_key())
    });
    order
}

/// The current plan: the newest one.
pub fn current_plan(site: &LinkedSite) -> Option<usize> {
    newest_first(site).first().copied()
}

/// The newer plan to point readers of `plan` at: the current plan, when
/// `plan`'s period ended before the current plan's began.
pub fn newer_plan(site: &LinkedSite, plan: usize) -> Option<usize> {
    let current = current_plan(site)?;
    let ended = |p: &Plan, newest: &Plan| match (p.period(), newest.period()) {
        (Some((_, end)), Some((start, _))) => end < start,
        _ => false,
    };
    (current != plan && ended(&site.plans[plan].plan, &site.plans[current].plan)).then_some(current)
}

/// Resolves each item's `continues` (checked by validation: an existing
/// item of an older plan) to indices, and fills the continued items'
/// `continued_in`, oldest plan first, then by item.
pub fn link_lineage(plans: &mut [LinkedPlan]) {
    let mut links: Vec<((usize, usize), (usize, usize))> = Vec::new();
    for (pi, p) in plans.iter().enumerate() {
        for (ii, it) in p.items.iter().enumerate() {
            let Some(r) = &it.item.continues else {
                continue;
            };
            let target = plans.iter().enumerate().find_map(|(tp, t)| {
                (t.plan.id == r.plan)
                    .then(|| t.by_number.get(&r.number).map(|&ti| (tp, ti)))
                    .flatten()
            });
            if let Some(target) = target {
                links.push(((pi, ii), target));
            }
        }
    }
    for p in plans.iter_mut() {
        for it in &mut p.items {
            it.continues = None;
            it.continued_in.clear();
        }
    }
    for ((pi, ii), (tp, ti)) in links {
        plans[pi].items[ii].continues = Some((tp, ti));
        plans[tp].items[ti].continued_in.push((pi, ii));
    }
    let ages: Vec<_> = plans
        .iter()
        .map(|p| {
            let (end, id) = p.plan.age_key();
            (end, id.to_string())
        })
        .collect();
    for p in plans.iter_mut() {
        for it in &mut p.items {
            it.continued_in
                .sort_by(|a, b| (&ages[a.0], a.1).cmp(&(&ages[b.0], b.1)));
        }
    }
}

/// Whether the progress data of plan `plan` is illustrative: its own
/// `illustrative`, else the site's `[progress] illustrative`.
pub fn is_illustrative(site: &LinkedSite, plan: usize) -> bool {
    site.plans[plan]
        .plan
        .is_illustrative(site.config.illustrative)
}

/// Whether the progress data of every plan is illustrative (what a page
/// that shows every plan may say once for all).
pub fn all_illustrative(site: &LinkedSite) -> bool {
    (0..site.plans.len()).all(|p| is_illustrative(site, p))
}
