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
    let total = p.items.len().max(1) as f64;
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
