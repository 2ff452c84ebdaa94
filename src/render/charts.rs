//! Dashboard charts drawn as SVG at build time (no script): a stacked bar
//! of item counts per status, and a bar per section of its progress. Each
//! chart is `aria-hidden`; the templates put a table with the same figures
//! beside it for screen readers.

use super::badge::status_colour;

/// Chart colours: the badge colours, except that "no update yet" is a
/// light grey (with dark text) so that it differs from "not started".
fn chart_colour(key: &str) -> &'static str {
    if key == crate::validate::NO_STATUS_KEY {
        "#d0d7de"
    } else {
        status_colour(key)
    }
}
use super::markdown::escape_html;
use super::views::{format_percent, section_numeral, status_icon, status_label};
use crate::link::LinkedSite;

/// Items per status, as one horizontal stacked bar with a legend.
pub fn status_chart(site: &LinkedSite, plan: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    let total = p.items.len().max(1) as f64;
    let width = 600.0;
    let mut x = 0.0;
    let mut bars = String::new();
    let mut legend = String::new();
    for (i, g) in p.statuses.iter().enumerate() {
        let w = g.items.len() as f64 / total * width;
        if w > 0.0 {
            bars.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"28\" fill=\"{}\"/>",
                chart_colour(g.key)
            ));
            if w >= 24.0 {
                bars.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"19\" fill=\"{}\" text-anchor=\"middle\">{}</text>",
                    x + w / 2.0,
                    if g.key == crate::validate::NO_STATUS_KEY {
                        "#1f2328"
                    } else {
                        "#fff"
                    },
                    g.items.len()
                ));
            }
        }
        x += w;
        let lx = (i % 3) as f64 * 200.0;
        let ly = 48.0 + (i / 3) as f64 * 22.0;
        legend.push_str(&format!(
            "<rect x=\"{lx}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" class=\"chart-label\">{} {} ({})</text>",
            ly - 11.0,
            chart_colour(g.key),
            lx + 20.0,
            ly,
            status_icon(g.key),
            escape_html(status_label(site, lang, g.key)),
            g.items.len()
        ));
    }
    let rows = p.statuses.len().div_ceil(3) as f64;
    let height = 48.0 + rows * 22.0;
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"presentation\" aria-hidden=\"true\" focusable=\"false\">{bars}{legend}</svg>"
    )
}

/// Per section: the share of its items completed (and, where measured,
/// average percent complete), as bars.
pub fn section_chart(site: &LinkedSite, plan: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    let label_w = 60.0;
    let bar_w = 480.0;
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
            "<text x=\"0\" y=\"{:.1}\" class=\"chart-label\">{}</text><rect x=\"{label_w}\" y=\"{:.1}\" width=\"{bar_w}\" height=\"16\" class=\"chart-track\"/>",
            y + 13.0,
            escape_html(&section_numeral(site, lang, s.section.number)),
            y + 2.0
        ));
        if let Some(a) = avg {
            out.push_str(&format!(
                "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" class=\"chart-bar\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"chart-label\">{}</text>",
                y + 2.0,
                a / 100.0 * bar_w,
                label_w + bar_w + 6.0,
                y + 13.0,
                format_percent(a)
            ));
        } else {
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"chart-label\">–</text>",
                label_w + bar_w + 6.0,
                y + 13.0
            ));
        }
        let _ = si;
    }
    let height = (p.sections.len() as f64 * row).max(row);
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 600 {height}\" width=\"100%\" role=\"presentation\" aria-hidden=\"true\" focusable=\"false\">{out}</svg>"
    )
}
