//! `item.html`, written in the order of its text.

use super::base::{badge, base};
use super::{Strings, fill, lang_attr};
use crate::render::context::common::Globals;
use crate::render::context::item::{ItemSummary, ListRow};
use crate::render::context::pages::ItemPage;
use crate::render::context::plan::SectionHead;

/// `item.html`.
pub fn item_page(out: &mut Vec<u8>, g: &Globals<'_>, s: &Strings<'_>, p: &ItemPage<'_>) {
    base(
        out,
        g,
        s,
        &p.common,
        "item",
        |out| html!(out; "<script type=\"application/ld+json\">" [&p.json_ld] "</script>\n"),
        |out| {
            header(out, g, s, p);
            html!(out; "<div class=\"prose\"");
            lang_attr(out, p.item.body_lang, g.lang);
            html!(out; ">" [p.item.body_html] "</div>\n\n");
            if !p.item.targets.is_empty() {
                targets(out, s, p, g.lang);
            }
            html!(out; "\n\n");
            updates(out, s, p, g.lang);
            links(out, s, p, g.lang);
            cite_and_badge(out, g, s, p);
            neighbours(out, s, p, g.lang);
        },
    );
}

/// A section's numeral and title as the item page shows them.
fn section_label(out: &mut Vec<u8>, section: &SectionHead, lang: &str) {
    html!(out; {&section.numeral});
    if section.numeral.ends_with('.') {
        html!(out; " ");
    }
    html!(out; "<span");
    lang_attr(out, &section.title_lang, lang);
    html!(out; ">" {&section.title} "</span>");
}

/// A value and its unit (`4,500 所`).
fn with_unit(out: &mut Vec<u8>, value: &str, unit: &str) {
    html!(out; {value});
    if !unit.is_empty() {
        html!(out; " " {unit});
    }
}

/// Rows given as rendered HTML.
fn rows(out: &mut Vec<u8>, rows: &[&ListRow]) {
    for r in rows {
        html!(out; [&r.row_html]);
    }
}

/// The breadcrumbs and the item's header: title, status, percent, pace,
/// dates and lead units.
fn header(out: &mut Vec<u8>, g: &Globals<'_>, s: &Strings<'_>, p: &ItemPage<'_>) {
    let (lang, site, item) = (g.lang, &g.site, &p.item);
    let summary = &item.summary;
    let section = p.section.head;
    let item_number = fill(
        s.item_number,
        &mut [("number", &summary.number.to_string())],
    );
    html!(out; "\n<nav class=\"breadcrumbs\" aria-label=\"" {s.breadcrumb_label} "\"><ol>\n<li><a href=\""
        {&site.root} "\">" {s.nav_home} "</a></li>\n<li><a href=\"" {&p.plan.url} "\">" {p.plan.title}
        "</a></li>\n<li><a href=\"" {&section.url} "\">");
    section_label(out, section, lang);
    html!(out; "</a></li>\n<li><span aria-current=\"page\">" {&item_number}
        "</span></li>\n</ol></nav>\n\n<article class=\"item\" aria-labelledby=\"item-title\">\n<header class=\"item-header\">\n<p class=\"item-kicker\">"
        {&item_number} "</p>\n<h1 id=\"item-title\"");
    lang_attr(out, summary.title_lang, lang);
    html!(out; ">" {summary.title} "</h1>\n<p class=\"item-tools\"><a class=\"copy-link\" href=\"" {&summary.url}
        "\" data-copy=\"" {&item.permalink} "\" data-copied=\"" {s.copied} "\">" {s.copy_link}
        "</a> <a href=\"#cite-heading\">" {s.cite_heading} "</a></p>\n<p class=\"print-only\">"
        {s.permalink} {s.colon} {&item.permalink});
    let data_as_of = item.data_as_of.as_deref().filter(|d| !d.is_empty());
    if let Some(as_of) = data_as_of {
        html!(out; " · " {s.data_as_of} " " {as_of});
    }
    html!(out; "</p>\n");
    if let Some(w) = &item.withdrawn {
        html!(out; "<p class=\"withdrawn-notice\" role=\"note\"><span");
        lang_attr(out, w.reason_lang, lang);
        html!(out; ">" {&w.notice} "</span></p>\n");
    }
    html!(out; "<dl class=\"item-status\">\n<div><dt>" {s.status_label} " <a class=\"method-help\" href=\""
        {&site.method_url} "#status\">" {s.method_link} "</a></dt><dd>");
    badge(out, &summary.status);
    if let Some(date) = summary.stale_since.as_deref().filter(|d| !d.is_empty()) {
        html!(out; " <span class=\"stale\"><span aria-hidden=\"true\">⚠</span> "
            {&fill(s.stale_since, &mut [("date", date)])} "</span>");
    }
    html!(out; "</dd></div>\n<div><dt>" {s.percent_complete} "</dt><dd>");
    if let Some(percent) = summary.percent.as_deref().filter(|p| !p.is_empty()) {
        html!(out; "<span class=\"percent\">" {percent} "</span> <progress max=\"100\" value=\"");
        if let Some(v) = summary.percent_value {
            html!(out; (v));
        }
        html!(out; "\" aria-hidden=\"true\"></progress>");
    } else {
        html!(out; "<span class=\"muted\">" {s.percent_none} "</span>");
    }
    html!(out; "</dd></div>\n");
    if let Some(pace) = &item.pace {
        let explain = fill(
            s.pace_explain,
            &mut [
                ("as_of", &pace.as_of),
                ("expected", &pace.expected),
                ("actual", &pace.actual),
            ],
        );
        html!(out; "<div class=\"wide\"><dt>" {s.pace_label} "</dt><dd><span class=\"pace pace-" {pace.key} "\">"
            {pace.label} "</span> <span class=\"pace-detail\">" {&explain} " <a href=\"" {&site.method_url}
            "#pace\">" {s.method_link} "</a></span></dd></div>");
    }
    html!(out; "\n");
    for (label, date) in [(s.data_as_of, data_as_of), (s.due, item.due.as_deref())] {
        if let Some(date) = date.filter(|d| !d.is_empty()) {
            html!(out; "<div><dt>" {label} "</dt><dd><time datetime=\"" {date} "\">" {date} "</time></dd></div>");
        }
        html!(out; "\n");
    }
    if !item.lead.is_empty() {
        // The lead units are written in the default language: the
        // language of the page that is x-default.
        let mut lead_lang = lang;
        for a in &p.common.page.alternates {
            if a.url == p.common.page.x_default {
                lead_lang = a.lang;
            }
        }
        html!(out; "<div><dt>" {s.lead} "</dt><dd");
        lang_attr(out, lead_lang, lang);
        html!(out; ">" {&item.lead.join("、")} "</dd></div>");
    }
    html!(out; "\n</dl>\n</header>\n\n");
}

/// The targets table and each target's history.
fn targets(out: &mut Vec<u8>, s: &Strings<'_>, p: &ItemPage<'_>, lang: &str) {
    let item = &p.item;
    let paced = item.pace.is_some();
    html!(out; "\n<section class=\"targets\" aria-labelledby=\"targets-heading\">\n<h2 id=\"targets-heading\">"
        {s.targets_heading} "</h2>\n<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-labelledby=\"targets-heading\">\n<table class=\"targets-table table-stack\">\n<thead><tr><th scope=\"col\">"
        {s.target_label} "</th><th scope=\"col\">" {s.target_goal} "</th><th scope=\"col\">" {s.target_actual} "</th>");
    if paced {
        html!(out; "<th scope=\"col\">" {s.target_expected} "</th>");
    }
    html!(out; "<th scope=\"col\">" {s.target_progress} "</th><th scope=\"col\">" {s.target_link}
        "</th></tr></thead>\n<tbody>\n");
    let cell_label = |out: &mut Vec<u8>, label: &str| {
        html!(out; "<td><span class=\"cell-label\" aria-hidden=\"true\">" {label} "</span>");
    };
    let value_or_dash = |out: &mut Vec<u8>, value: Option<&str>, unit: &str| match value
        .filter(|v| !v.is_empty())
    {
        Some(v) => with_unit(out, v, unit),
        None => html!(out; "–"),
    };
    for tg in &item.targets {
        html!(out; "<tr id=\"" {&tg.anchor} "\">\n<th scope=\"row\"");
        lang_attr(out, tg.label_lang, lang);
        html!(out; ">" {tg.label} "</th>\n");
        cell_label(out, s.target_goal);
        with_unit(out, &tg.goal, tg.unit);
        html!(out; "</td>\n");
        cell_label(out, s.target_actual);
        value_or_dash(out, tg.actual.as_deref(), tg.unit);
        html!(out; "</td>\n");
        if paced {
            cell_label(out, s.target_expected);
            value_or_dash(out, tg.expected.as_deref(), tg.unit);
            html!(out; "</td>");
        }
        html!(out; "\n");
        cell_label(out, s.target_progress);
        match tg.percent.as_deref().filter(|v| !v.is_empty()) {
            Some(percent) => {
                html!(out; "<span class=\"bar\" aria-hidden=\"true\"><span class=\"bar-fill\" style=\"width: ");
                if let Some(v) = tg.percent_value {
                    html!(out; (v));
                }
                html!(out; "%\"></span></span> " {percent});
            }
            None => html!(out; "–"),
        }
        html!(out; "</td>\n");
        cell_label(out, s.target_link);
        html!(out; "<a class=\"target-link\" href=\"" {&tg.url} "\" data-copy=\"" {&tg.permalink}
            "\" data-copied=\"" {s.copied} "\">" {s.copy_link} "</a></td>\n</tr>\n");
    }
    html!(out; "</tbody>\n</table>\n</div>");
    for tg in &item.targets {
        let Some(chart) = tg.history_chart_html.as_deref().filter(|c| !c.is_empty()) else {
            continue;
        };
        html!(out; "\n<figure class=\"history-figure\" id=\"history-" {tg.key} "\">\n<figcaption>"
            {s.target_history} ": <span");
        lang_attr(out, tg.label_lang, lang);
        html!(out; ">" {tg.label} "</span></figcaption>\n" [chart]
            "\n<table class=\"visually-hidden\">\n<thead><tr><th scope=\"col\">" {s.target_history_date}
            "</th><th scope=\"col\">" {s.target_actual} "</th></tr></thead>\n<tbody>");
        for h in &tg.history {
            html!(out; "<tr><td>" {&h.date} "</td><td>");
            with_unit(out, &h.value, tg.unit);
            html!(out; "</td></tr>");
        }
        html!(out; "</tbody>\n</table>\n</figure>");
    }
    html!(out; "\n</section>\n");
}

/// The updates, newest first.
fn updates(out: &mut Vec<u8>, s: &Strings<'_>, p: &ItemPage<'_>, lang: &str) {
    html!(out; "<section class=\"updates\" aria-labelledby=\"updates-heading\">\n<h2 id=\"updates-heading\">"
        {s.updates_heading} "</h2>\n");
    if p.item.updates.is_empty() {
        html!(out; "<p class=\"muted\">" {s.no_updates} "</p>");
    } else {
        html!(out; "<ol class=\"timeline\" reversed>\n");
        for u in &p.item.updates {
            html!(out; "<li id=\"" {&u.anchor} "\"><time datetime=\"" {&u.date} "\">" {&u.date} "</time>");
            if let Some(status) = &u.status {
                if u.status_changed {
                    html!(out; " <span class=\"status-change\">" {s.status_changed} " ");
                    badge(out, status);
                    html!(out; "</span>");
                } else {
                    html!(out; " ");
                    badge(out, status);
                }
            }
            html!(out; "\n<p");
            lang_attr(out, u.text_lang, lang);
            html!(out; ">" {&u.text} "</p></li>\n");
        }
        html!(out; "</ol>");
    }
    html!(out; "\n</section>\n\n");
}

/// Related items, the plans it continues or is continued in, its tags.
fn links(out: &mut Vec<u8>, s: &Strings<'_>, p: &ItemPage<'_>, lang: &str) {
    let item = &p.item;
    if !item.related.is_empty() || !item.referenced_by.is_empty() {
        html!(out; "\n<section class=\"cross-links\" aria-labelledby=\"related-heading\">\n<h2 id=\"related-heading\">"
            {s.related_items} "</h2>\n");
        if !item.related.is_empty() {
            html!(out; "<ul class=\"item-list\">");
            rows(out, &item.related);
            html!(out; "</ul>");
        }
        html!(out; "\n");
        if !item.referenced_by.is_empty() {
            html!(out; "<h3>" {s.referenced_by} "</h3>\n<ul class=\"item-list\">");
            rows(out, &item.referenced_by);
            html!(out; "</ul>");
        }
        html!(out; "\n</section>\n");
    }
    html!(out; "\n\n");
    if item.continues.is_some() || !item.continued_in.is_empty() {
        html!(out; "<section class=\"lineage\" aria-labelledby=\"lineage-heading\">\n<h2 id=\"lineage-heading\">"
            {s.lineage_heading} "</h2>\n<ul>");
        if let Some(c) = &item.continues {
            html!(out; "<li><a class=\"continues\" href=\"" {&c.url} "\">" {&c.text} "</a></li>");
        }
        html!(out; "\n");
        for c in &item.continued_in {
            html!(out; "<li><a class=\"continued-in\" href=\"" {&c.url} "\">" {&c.text} "</a></li>");
        }
        html!(out; "</ul>\n</section>\n\n");
    }
    if !item.tags.is_empty() {
        html!(out; "<section class=\"item-tags\" aria-labelledby=\"tags-heading\"><h2 id=\"tags-heading\">"
            {s.tags_label} "</h2>\n<ul class=\"tag-list\">");
        for t in &item.tags {
            html!(out; "<li><a class=\"tag\" href=\"" {&t.url} "\"");
            lang_attr(out, t.name_lang, lang);
            html!(out; ">" {t.name} "</a></li>");
        }
        html!(out; "</ul></section>");
    }
    html!(out; "\n\n");
}

/// How to cite the item, and its badge to embed.
fn cite_and_badge(out: &mut Vec<u8>, g: &Globals<'_>, s: &Strings<'_>, p: &ItemPage<'_>) {
    let item = &p.item;
    let summary = &item.summary;
    html!(out; "<section class=\"cite\" aria-labelledby=\"cite-heading\">\n<h2 id=\"cite-heading\">" {s.cite_heading}
        "</h2>\n<p class=\"permalink\">" {s.permalink} {s.colon} "<a href=\"" {&summary.url} "\">"
        {&item.permalink} "</a></p>\n");
    if summary.title_lang != g.lang && s.cite_format.contains("{title}") {
        // The title is in another language: marked, inside the same words
        // as `item.citation`.
        let issuer = p
            .plan
            .issuer
            .filter(|i| !i.is_empty())
            .unwrap_or(p.plan.title);
        let as_of = item
            .data_as_of
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or("—");
        let number = summary.number.to_string();
        let part = |text: &str| {
            fill(
                text,
                &mut [
                    ("issuer", issuer),
                    ("plan", p.plan.title),
                    ("number", &number),
                    ("url", &item.permalink),
                    ("as_of", as_of),
                    ("published", &item.cite_published),
                    ("source", &item.cite_source),
                ],
            )
        };
        let parts: Vec<&str> = s.cite_format.split("{title}").collect();
        let (first, last) = (parts.first().copied(), parts.last().copied());
        html!(out; "\n<blockquote class=\"citation\" id=\"citation-text\">" {&part(first.unwrap_or_default())}
            "<span lang=\"" {summary.title_lang} "\">" {summary.title} "</span>"
            {&part(last.unwrap_or_default())} "</blockquote>\n");
    } else {
        html!(out; "<blockquote class=\"citation\" id=\"citation-text\">" {&item.citation} "</blockquote>");
    }
    html!(out; "\n<p><button type=\"button\" class=\"copy-button\" data-copied=\"" {s.copied}
        "\" data-copy-target=\"citation-text\" hidden>" {s.copy}
        "</button></p>\n</section>\n\n<section class=\"badge-embed\" aria-labelledby=\"badge-heading\">\n<h2 id=\"badge-heading\">"
        {s.badge_heading} "</h2>\n<p><img src=\"" {&item.badge_url} "\" alt=\"" {&item.badge_alt}
        "\" height=\"20\"></p>\n<label for=\"badge-code\">" {s.badge_help}
        "</label>\n<textarea id=\"badge-code\" class=\"code\" rows=\"3\" readonly>" {&item.badge_embed}
        "</textarea>\n<p class=\"method-link\"><a href=\"" {&g.site.method_url} "\">" {s.method_link}
        "</a></p>\n<p><button type=\"button\" class=\"copy-button\" data-copied=\"" {s.copied}
        "\" data-copy-target=\"badge-code\" hidden>" {s.copy} "</button></p>\n</section>\n</article>\n\n");
}

/// The link to the previous or next item (`rel` is `prev` or `next`),
/// its label an arrow and a UI string.
fn nav_link(
    out: &mut Vec<u8>,
    rel: &str,
    (before, label, after): (&str, &str, &str),
    to: &ItemSummary<'_>,
    lang: &str,
) {
    html!(out; "<li class=\"" [rel] "\"><a href=\"" {&to.url} "\" rel=\"" [rel] "\"><span class=\"nav-label\">"
        [before] {label} [after] "</span> <span");
    lang_attr(out, to.title_lang, lang);
    html!(out; ">" (to.number) ". " {to.title} "</span></a></li>");
}

/// The previous and next items, and the section's other items.
fn neighbours(out: &mut Vec<u8>, s: &Strings<'_>, p: &ItemPage<'_>, lang: &str) {
    let item = &p.item;
    let section = p.section.head;
    html!(out; "<nav class=\"item-nav\" aria-label=\"" {s.prev_item} " / " {s.next_item} "\">\n<ul>\n");
    if let Some(prev) = &item.prev {
        nav_link(out, "prev", ("← ", s.prev_item, ""), prev, lang);
    }
    html!(out; "\n");
    if let Some(next) = &item.next {
        nav_link(out, "next", ("", s.next_item, " →"), next, lang);
    }
    html!(out; "\n</ul>\n</nav>\n\n");
    if !item.siblings.is_empty() {
        html!(out; "<aside class=\"siblings\" aria-labelledby=\"siblings-heading\">\n<h2 id=\"siblings-heading\">"
            {s.section_items} {s.colon} "<a href=\"" {&section.url} "\">");
        section_label(out, section, lang);
        html!(out; "</a></h2>\n<ul class=\"item-list\">");
        rows(out, &item.siblings);
        html!(out; "</ul>\n");
        if item.siblings_partial {
            html!(out; "<p><a href=\"" {&section.url} "\">" {s.all_items} {s.colon});
            section_label(out, section, lang);
            html!(out; "</a></p>");
        }
        html!(out; "\n</aside>");
    }
    html!(out; "\n");
}
