//! Dashboard charts drawn as SVG at build time (no script): a stacked bar
//! of item counts per status, and a bar per section of its progress. Each
//! chart is `aria-hidden`; the templates put a table with the same figures
//! beside it for screen readers.
//!
//! The charts have no `viewBox`: bars are placed in percent of the chart's
//! width and text keeps the stylesheet's pixel size, so that the text is as
//! large on a phone as on a desktop instead of shrinking with the picture.
//! Every shape carries a class (`chart-seg-<status>`, `chart-track`,
//! `chart-bar`, `chart-label`) by which the stylesheet colours it for the
//! light and dark schemes; the `fill` attributes are the light colours, for
//! a chart shown without the stylesheet.

/// Chart colours: the badge colours, except that "no update yet" is a
/// light grey (with dark text) so that it differs from "not started".
fn chart_colour(key: &str) -> &'static str {
    if key == crate::model::NO_STATUS_KEY {
        "#d0d7de"
    } else {
        status_colour(key)
    }
}
use super::format::format_percent;
use super::markdown::escape_html;
use super::ui::{section_numeral, status_colour, status_icon, status_label};
use crate::link::LinkedSite;

/// Items per status, as one horizontal stacked bar with a legend.
pub fn status_chart(site: &LinkedSite, plan: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    let total = (p.items.len() - p.withdrawn.len()).max(1) as f64;
    let mut x = 0.0;
    let mut bars = String::new();
    let mut legend = String::new();
    for (i, g) in p.statuses.iter().enumerate() {
        let w = g.items.len() as f64 / total * 100.0;
        if w > 0.0 {
            bars.push_str(&format!(
                "<rect x=\"{x:.2}%\" y=\"0\" width=\"{w:.2}%\" height=\"28\" fill=\"{}\" class=\"chart-seg chart-seg-{}\"/>",
                chart_colour(g.key),
                g.key
            ));
            // A count fits in a segment of 4.5 % (15 px on a phone).
            if w >= 4.5 {
                bars.push_str(&format!(
                    "<text x=\"{:.2}%\" y=\"19\" fill=\"{}\" text-anchor=\"middle\" class=\"chart-count chart-count-{}\">{}</text>",
                    x + w / 2.0,
                    if g.key == crate::model::NO_STATUS_KEY {
                        "#1f2328"
                    } else {
                        "#fff"
                    },
                    g.key,
                    g.items.len()
                ));
            }
        }
        x += w;
        let lx = (i % 3) as f64 * 100.0 / 3.0;
        let ly = 48.0 + (i / 3) as f64 * 22.0;
        legend.push_str(&format!(
            "<rect x=\"{lx:.2}%\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\" class=\"chart-seg chart-seg-{}\"/><text x=\"{lx:.2}%\" dx=\"20\" y=\"{}\" class=\"chart-label\">{} {} ({})</text>",
            ly - 11.0,
            chart_colour(g.key),
            g.key,
            ly,
            status_icon(g.key),
            escape_html(status_label(site, lang, g.key)),
            g.items.len()
        ));
    }
    let rows = p.statuses.len().div_ceil(3) as f64;
    let height = 48.0 + rows * 22.0;
    format!(
        "<svg class=\"chart chart-status\" width=\"100%\" height=\"{height}\" role=\"presentation\" aria-hidden=\"true\" focusable=\"false\">{bars}<g class=\"chart-legend\">{legend}</g></svg>"
    )
}

/// Per section: the share of its items completed (and, where measured,
/// average percent complete), as bars.
pub fn section_chart(site: &LinkedSite, plan: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    // In percent of the chart's width: the numerals, then the bars, then
    // the figures, right-aligned.
    let bar_x = 14.0;
    let bar_w = 72.0;
    let row = 24.0;
    let mut out = String::new();
    for (si, s) in p.sections.iter().enumerate() {
        let y = si as f64 * row;
        let percents: Vec<f64> = s
            .items
            .iter()
            .filter_map(|&i| p.items[i].progress.percent)
            .collect();
        let avg = if percents.is_empty() {
            None
        } else {
            Some(percents.iter().sum::<f64>() / percents.len() as f64)
        };
        out.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\" class=\"chart-label\">{}</text><rect x=\"{bar_x}%\" y=\"{:.1}\" width=\"{bar_w}%\" height=\"16\" class=\"chart-track\"/>",
            y + 13.0,
            escape_html(&section_numeral(site, lang, s.section.number)),
            y + 2.0
        ));
        if let Some(a) = avg {
            out.push_str(&format!(
                "<rect x=\"{bar_x}%\" y=\"{:.1}\" width=\"{:.2}%\" height=\"16\" class=\"chart-bar\"/>",
                y + 2.0,
                a / 100.0 * bar_w,
            ));
        }
        out.push_str(&format!(
            "<text x=\"100%\" y=\"{:.1}\" text-anchor=\"end\" class=\"chart-label\">{}</text>",
            y + 13.0,
            avg.map_or_else(|| "–".to_string(), format_percent)
        ));
    }
    let height = (p.sections.len() as f64 * row).max(row);
    format!(
        "<svg class=\"chart chart-sections\" width=\"100%\" height=\"{height}\" role=\"presentation\" aria-hidden=\"true\" focusable=\"false\">{out}</svg>"
    )
}

/// A target's reported values over time, as a step chart: each value
/// holds until the next report. The goal is a dashed line; each point is
/// labelled with its value, the first and last with their dates.
/// `aria-hidden`: the item page puts the same figures in a table beside
/// it. `None` with fewer than two points (one value is no history).
pub fn history_chart(history: &[crate::model::ActualPoint], goal: f64) -> Option<String> {
    let (first, last) = (history.first()?, history.last()?);
    if history.len() < 2 {
        return None;
    }
    let (x0, x1) = (first.date.days_since_epoch(), last.date.days_since_epoch());
    let span = (x1 - x0).max(1) as f64;
    // In percent of the width: inset so that labels at the ends fit, and
    // the goal's label at the right never meets the last value's.
    let x = |d: crate::model::Date| 6.0 + (d.days_since_epoch() - x0) as f64 / span * 72.0;
    let top = history
        .iter()
        .map(|p| p.value)
        .fold(goal, f64::max)
        .max(1.0);
    // In pixels: values 24 (the top) to 104 (zero); dates below.
    let y = |v: f64| 104.0 - v / top * 80.0;
    let mut out = format!(
        "<line x1=\"0\" y1=\"104\" x2=\"100%\" y2=\"104\" class=\"chart-axis\" stroke=\"#8c959f\"/><line x1=\"0\" y1=\"{g:.1}\" x2=\"100%\" y2=\"{g:.1}\" class=\"chart-goal\" stroke=\"#8c959f\" stroke-dasharray=\"4 3\"/><text x=\"100%\" y=\"{:.1}\" text-anchor=\"end\" class=\"chart-label\">{}</text>",
        y(goal) - 4.0,
        escape_html(&super::format::format_number(goal)),
        g = y(goal),
    );
    for pair in history.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        out.push_str(&format!(
            "<line x1=\"{:.2}%\" y1=\"{ya:.1}\" x2=\"{:.2}%\" y2=\"{ya:.1}\" class=\"chart-line\" stroke=\"#0969da\" stroke-width=\"2\"/><line x1=\"{:.2}%\" y1=\"{ya:.1}\" x2=\"{:.2}%\" y2=\"{:.1}\" class=\"chart-line\" stroke=\"#0969da\" stroke-width=\"2\"/>",
            x(a.date),
            x(b.date),
            x(b.date),
            x(b.date),
            y(b.value),
            ya = y(a.value),
        ));
    }
    for (i, p) in history.iter().enumerate() {
        let anchor = match i {
            0 => "start",
            _ if i + 1 == history.len() => "end",
            _ => "middle",
        };
        let (px, py) = (x(p.date), y(p.value));
        out.push_str(&format!(
            "<circle cx=\"{px:.2}%\" cy=\"{py:.1}\" r=\"4\" class=\"chart-point\" fill=\"#0969da\"/><text x=\"{px:.2}%\" y=\"{:.1}\" text-anchor=\"{anchor}\" class=\"chart-label\">{}</text>",
            py - 8.0,
            escape_html(&super::format::format_number(p.value)),
        ));
    }
    for (p, anchor) in [(first, "start"), (last, "end")] {
        out.push_str(&format!(
            "<text x=\"{:.2}%\" y=\"124\" text-anchor=\"{anchor}\" class=\"chart-label\">{}</text>",
            x(p.date),
            p.date
        ));
    }
    Some(format!(
        "<svg class=\"chart chart-history\" width=\"100%\" height=\"132\" role=\"presentation\" aria-hidden=\"true\" focusable=\"false\">{out}</svg>"
    ))
}
