//! `base.html`, `macros.html`'s badge and `partials/item_row.html`,
//! written in the order of their text.

use super::{Strings, fill, lang_attr, truthy};
use crate::render::context::common::{Globals, StatusContext};
use crate::render::context::item::ItemSummary;
use crate::render::context::pages::PageCommon;

/// `macros.html`'s `badge`.
pub(super) fn badge(out: &mut Vec<u8>, status: &StatusContext<'_>) {
    html!(out; "<span class=\"badge badge-" {status.key} "\"><span class=\"badge-icon\" aria-hidden=\"true\">"
        {status.icon} "</span> " {status.label} "</span>");
}

/// `partials/item_row.html`.
pub fn item_row(out: &mut Vec<u8>, lang: &str, s: &Strings<'_>, row: &ItemSummary<'_>) {
    html!(out; "<li class=\"item-row\"><span class=\"item-row-title\"><a href=\"" {&row.url}
        "\" class=\"item-link\"><span class=\"item-number\">" (row.number) ".</span> <span");
    lang_attr(out, row.title_lang, lang);
    html!(out; ">" {row.title} "</span></a></span> <span class=\"item-row-status\">");
    badge(out, &row.status);
    if let Some(percent) = row.percent.as_deref().filter(|p| !p.is_empty()) {
        html!(out; " <span class=\"bar\" aria-hidden=\"true\"><span class=\"bar-fill\" style=\"width: ");
        if let Some(v) = row.percent_value {
            html!(out; (v));
        }
        html!(out; "%\"></span></span> <span class=\"percent\">" {percent} "</span>");
    }
    if let Some(v) = &row.verdict {
        html!(out; " <span class=\"pace pace-" {v.key} "\">" {v.label} "</span>");
    }
    if let Some(date) = row.stale_since.as_deref().filter(|d| !d.is_empty()) {
        html!(out; " <span class=\"stale\"><span aria-hidden=\"true\">⚠</span> "
            {&fill(s.stale_since, &mut [("date", date)])} "</span>");
    } else if truthy(&row.last_update) {
        let date = row.last_update.as_deref().unwrap_or_default();
        html!(out; " <span class=\"row-date\">" {&fill(s.last_updated, &mut [("date", date)])} "</span>");
    }
    html!(out; "</span></li>\n");
}

/// `base.html` around a page's `head` and `main` blocks.
pub(super) fn base(
    out: &mut Vec<u8>,
    g: &Globals<'_>,
    s: &Strings<'_>,
    common: &PageCommon<'_>,
    kind: &str,
    head: impl FnOnce(&mut Vec<u8>),
    main: impl FnOnce(&mut Vec<u8>),
) {
    let page = &common.page;
    let site = &g.site;
    html!(out; "<!doctype html>\n<html lang=\"" {page.hreflang} "\"");
    if page.dir != "ltr" {
        html!(out; " dir=\"" {page.dir} "\"");
    }
    html!(out; ">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
        {&page.full_title} "</title>\n<meta name=\"description\" content=\"" {&page.description}
        "\">\n<link rel=\"canonical\" href=\"" {&page.permalink} "\">\n");
    for a in &page.alternates {
        html!(out; "<link rel=\"alternate\" hreflang=\"" {a.hreflang} "\" href=\"" {&a.url} "\">\n");
    }
    html!(out; "<link rel=\"alternate\" hreflang=\"x-default\" href=\"" {&page.x_default}
        "\">\n<meta property=\"og:type\" content=\"" {page.og_type}
        "\">\n<meta property=\"og:title\" content=\"" {&page.title}
        "\">\n<meta property=\"og:description\" content=\"" {&page.description}
        "\">\n<meta property=\"og:url\" content=\"" {&page.permalink}
        "\">\n<meta property=\"og:site_name\" content=\"" {site.title}
        "\">\n<meta property=\"og:locale\" content=\"" {page.og_locale} "\">\n");
    for l in &page.og_locale_alternates {
        html!(out; "<meta property=\"og:locale:alternate\" content=\"" {l} "\">\n");
    }
    html!(out; "<meta name=\"twitter:card\" content=\"summary\">\n<meta name=\"twitter:title\" content=\""
        {&page.title} "\">\n<meta name=\"twitter:description\" content=\"" {&page.description}
        "\">\n<meta name=\"color-scheme\" content=\"light dark\">\n\
<meta name=\"theme-color\" content=\"#f6f8fa\" media=\"(prefers-color-scheme: light)\">\n\
<meta name=\"theme-color\" content=\"#161b22\" media=\"(prefers-color-scheme: dark)\">\n\
<link rel=\"icon\" href=\"" {&site.r#static} "favicon.png\" sizes=\"32x32\" type=\"image/png\">\n<link rel=\"icon\" href=\""
        {&site.r#static} "favicon.svg\" type=\"image/svg+xml\">\n<link rel=\"apple-touch-icon\" href=\""
        {&site.r#static} "apple-touch-icon.png\">\n<link rel=\"stylesheet\" href=\"" {&site.r#static} "style.css\">\n");
    for p in &site.plans {
        html!(out; "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"" {p.title}
            "\" href=\"" {&p.url} "updates.xml\">\n");
    }
    head(out);
    html!(out; "\n</head>\n<body class=\"page-" {kind} "\">\n<a class=\"skip-link\" href=\"#main\">" {s.skip_link}
        "</a>\n<header class=\"site-header\">\n<div class=\"wrap header-inner\">\n<a class=\"site-title\" href=\""
        {&site.root} "\">" {site.title} "</a>\n<nav class=\"lang-switch\" aria-label=\"" {s.lang_switch_label}
        "\"><ul>\n");
    for l in &page.switch {
        if l.current {
            html!(out; "<li><span aria-current=\"page\" lang=\"" {l.hreflang} "\">" {l.name} "</span></li>\n");
        } else {
            html!(out; "<li><a href=\"" {&l.url} "\" hreflang=\"" {l.hreflang} "\" lang=\"" {l.hreflang}
                "\">" {l.name} "</a></li>\n");
        }
    }
    html!(out; "</ul></nav>\n<nav class=\"main-nav\" aria-label=\"" {s.nav_label} "\"><ul>\n");
    for p in &site.plans {
        html!(out; "<li><a href=\"" {&p.url} "\"");
        if p.url == page.url {
            html!(out; " aria-current=\"page\"");
        }
        html!(out; ">" {p.title} "</a></li>\n");
    }
    html!(out; "<li><a href=\"" {&site.search_url} "\"");
    if site.search_url == page.url {
        html!(out; " aria-current=\"page\"");
    }
    html!(out; ">" {s.nav_search} "</a></li>\n</ul></nav>\n<form class=\"search-form\" role=\"search\" action=\""
        {&site.search_url} "\" method=\"get\">\n<label for=\"search-q\" class=\"visually-hidden\">" {s.search_label}
        "</label>\n<input type=\"search\" id=\"search-q\" name=\"q\" placeholder=\"" {s.search_placeholder}
        "\" autocomplete=\"off\">\n<button type=\"submit\">" {s.search_button}
        "</button>\n</form>\n</div>\n</header>\n");
    if let Some(notice) = common.illustrative_notice.filter(|n| !n.is_empty())
        && common.shows_progress
    {
        html!(out; "<div class=\"wrap\"><p class=\"notice notice-illustrative\" role=\"note\"><span aria-hidden=\"true\">⚠</span> "
            {notice} "</p></div>\n");
    }
    if let Some(newer) = &common.newer_plan {
        html!(out; "<div class=\"wrap\"><p class=\"notice notice-ended\" role=\"note\">" {s.plan_ended}
            " <a class=\"newer-plan\" href=\"" {&newer.url} "\">" {&newer.title} "</a></p></div>\n");
    }
    let translation = if page.translation_missing {
        Some(s.translation_missing)
    } else if page.translation_stale {
        Some(s.translation_stale)
    } else {
        None
    };
    if let Some(notice) = translation {
        html!(out; "<div class=\"wrap\"><p class=\"notice notice-translation\" role=\"note\">" {notice} "</p></div>\n");
    }
    html!(out; "<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n");
    main(out);
    html!(out; "\n</main>\n<footer class=\"site-footer\"><div class=\"wrap\">\n<p>" {site.title});
    if !site.description.is_empty() {
        html!(out; " · " {site.description});
    }
    html!(out; "</p>\n<p class=\"footer-small\">" {s.footer_generated} "</p>\n</div></footer>\n<script src=\""
        {&site.r#static} "site.js\" defer></script>\n\n</body>\n</html>\n");
}
