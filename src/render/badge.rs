//! The embeddable status badge (`/<plan>/<number>/badge.svg`): a small SVG
//! with the item number, status and percent as text, a shape for the
//! status (colour is never the only signal), a `<title>` for screen
//! readers, and a visible "sample" mark when the progress is illustrative.

use super::format::format_percent;
use super::markdown::escape_html;
use super::ui::{status_colour, status_icon, status_label, ui, ui_fmt};
use crate::link::LinkedSite;
use crate::pages::lang_code;

/// Approximate advance width of text at 11px Verdana-like sans: CJK and
/// full-width characters are square, Latin narrower.
fn text_width(s: &str) -> u32 {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                if c.is_ascii_uppercase() || c == '%' {
                    8
                } else {
                    7
                }
            } else {
                12
            }
        })
        .sum::<u32>()
}

pub fn render_badge(site: &LinkedSite, plan: usize, item: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    let it = &p.items[item];
    let key = it.status_key();
    // The badge names the plan as well as the item ("2023 第16条"): it is
    // seen away from the site (issue #20.5).
    let left = ui_fmt(
        site,
        lang,
        "badge-item",
        &[
            ("plan", p.plan.id.as_str()),
            ("number", &it.item.number.to_string()),
        ],
    );
    let mut right = format!("{} {}", status_icon(key), status_label(site, lang, key));
    if let Some(pc) = it.progress.percent {
        right.push_str(&format!(" {}", format_percent(pc)));
    }
    let illustrative = crate::link::lineage::is_illustrative(site, plan);
    let sample = if illustrative {
        Some(ui(site, lang, "sample-mark").to_string())
    } else {
        None
    };
    let lw = text_width(&left) + 12;
    let rw = text_width(&right) + 12;
    let sw = sample.as_ref().map(|s| text_width(s) + 10).unwrap_or(0);
    let width = lw + rw + sw;
    let colour = status_colour(key);
    let code = lang_code(site, lang);
    let mut title = format!("{} · {}", left, status_label(site, lang, key));
    if let Some(pc) = it.progress.percent {
        title.push_str(&format!(" · {}", format_percent(pc)));
    }
    if let Some(since) = it.progress.stale_since {
        title.push_str(" · ");
        title.push_str(&ui_fmt(
            site,
            lang,
            "stale-since",
            &[("date", &since.iso())],
        ));
    }
    if illustrative {
        title.push_str(&format!(" ({})", ui(site, lang, "illustrative-short")));
    }
    let title = escape_html(&title);
    let mut svg = String::new();
    svg.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" viewBox=\"0 0 {width} 20\" role=\"img\" aria-label=\"{title}\" xml:lang=\"{code}\" font-family=\"Verdana,'PingFang SC','Noto Sans CJK SC','Microsoft YaHei',sans-serif\" font-size=\"11\">\n<title>{title}</title>\n"
    ));
    svg.push_str(&format!("<rect width=\"{lw}\" height=\"20\" fill=\"#24292f\"/>\n<rect x=\"{lw}\" width=\"{rw}\" height=\"20\" fill=\"{colour}\"/>\n"));
    if let Some(s) = &sample {
        svg.push_str(&format!(
            "<rect x=\"{}\" width=\"{sw}\" height=\"20\" fill=\"#fff8c5\" stroke=\"#9a6700\"/>\n<text x=\"{}\" y=\"14\" fill=\"#4d2d00\">{}</text>\n",
            lw + rw,
            lw + rw + 5,
            escape_html(s)
        ));
    }
    svg.push_str(&format!(
        "<g fill=\"#fff\">\n<text x=\"6\" y=\"14\">{}</text>\n<text x=\"{}\" y=\"14\">{}</text>\n</g>\n</svg>\n",
        escape_html(&left),
        lw + 6,
        escape_html(&right)
    ));
    svg
}
