//! Machine-readable outputs for crawlers and feed readers: the Atom feeds
//! of progress updates, `sitemap.xml` with hreflang alternates, and
//! `robots.txt`. All dates come from the content, never the clock, so
//! that builds are reproducible.

use super::markdown::escape_html;
use super::ui::{language_tag, status_label, ui, ui_fmt};
use crate::link::LinkedSite;
use crate::pages::{Page, absolute, all_html_pages, item_path, lang_code, page_path};

/// Feeds carry the newest updates only, as feed readers expect.
pub const FEED_MAX_ENTRIES: usize = 500;

pub fn render_feed(site: &LinkedSite, plan: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    let code = lang_code(site, lang);
    let dl = &site.config.default_language;
    let feed_url = absolute(site, &page_path(site, Page::Feed { plan, lang }));
    let plan_url = absolute(site, &page_path(site, Page::Plan { plan, lang }));
    let plan_title = p.plan.title.get(code, dl).0;
    let author = p
        .plan
        .issuer
        .as_ref()
        .map(|i| i.get(code, dl).0)
        .unwrap_or(&site.config.languages[lang].title);
    let mut entries: Vec<(crate::model::Date, u32, usize, usize)> = Vec::new();
    for (ii, it) in p.items.iter().enumerate() {
        for (ui_, u) in it.item.updates.iter().enumerate() {
            entries.push((u.date, it.item.number, ii, ui_));
        }
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    entries.truncate(FEED_MAX_ENTRIES);
    let updated = entries.first().map(|e| e.0).or(p.plan.published);
    let updated = updated
        .map(|d| format!("{}T00:00:00Z", d.iso()))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        language_tag(site, code)
    ));
    x.push_str(&format!("  <id>{}</id>\n", escape_html(&feed_url)));
    x.push_str(&format!(
        "  <title>{}</title>\n",
        escape_html(&ui_fmt(site, lang, "feed-title", &[("plan", plan_title)]))
    ));
    if site.config.illustrative {
        x.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            escape_html(ui(site, lang, "illustrative-notice"))
        ));
    }
    x.push_str(&format!("  <updated>{updated}</updated>\n"));
    x.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape_html(&feed_url)
    ));
    x.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape_html(&plan_url)
    ));
    x.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape_html(author)
    ));
    for (date, number, ii, ui_) in entries {
        let it = &p.items[ii];
        let u = &it.item.updates[ui_];
        let url = absolute(site, &item_path(site, plan, ii, lang));
        let mut title = format!(
            "{} {}",
            ui_fmt(
                site,
                lang,
                "item-number",
                &[("number", &number.to_string())]
            ),
            it.item.title.get(code, dl).0
        );
        if let Some(st) = u.status {
            title.push_str(&format!(" — {}", status_label(site, lang, st.key())));
        }
        x.push_str("  <entry>\n");
        x.push_str(&format!(
            "    <id>{}#update-{}</id>\n",
            escape_html(&url),
            date.iso()
        ));
        x.push_str(&format!("    <title>{}</title>\n", escape_html(&title)));
        x.push_str(&format!(
            "    <updated>{}T00:00:00Z</updated>\n",
            date.iso()
        ));
        x.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape_html(&url)
        ));
        if site.config.illustrative {
            x.push_str("    <category term=\"illustrative\"/>\n");
        }
        x.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            escape_html(u.text.get(code, dl).0)
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

pub fn render_sitemap(site: &LinkedSite) -> String {
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    let default_idx = site
        .config
        .languages
        .iter()
        .position(|l| l.code == site.config.default_language)
        .unwrap_or(0);
    for page in all_html_pages(site) {
        if matches!(page, Page::NotFound { .. }) {
            continue;
        }
        x.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n",
            escape_html(&absolute(site, &page_path(site, page)))
        ));
        for (l, lc) in site.config.languages.iter().enumerate() {
            x.push_str(&format!(
                "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                language_tag(site, &lc.code),
                escape_html(&absolute(site, &page_path(site, page.with_lang(l))))
            ));
        }
        x.push_str(&format!(
            "    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>\n  </url>\n",
            escape_html(&absolute(
                site,
                &page_path(site, page.with_lang(default_idx))
            ))
        ));
    }
    x.push_str("</urlset>\n");
    x
}

pub fn render_robots(site: &LinkedSite) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n",
        site.config.base_url
    )
}
