//! View models: what each template receives, built from the linked site.
//! The README's "Template variables" section documents these; keep both
//! in step.
//!
//! Architecture invariant: templates never see unescaped content text.
//! Titles, labels and update texts are plain strings (tera escapes them);
//! only `*_html` fields carry HTML, and those come from the sanitizing
//! Markdown renderer or from code in this crate.

use super::{Page, RenderEnv};
use crate::link::{LinkedItem, LinkedPlan, LinkedSite};
use crate::progress::PaceKind;
use crate::validate::{NO_STATUS_KEY, Status, template_key};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// The UI string `key` in language `lang` (the key itself if missing, which
/// validation already reported).
pub fn ui<'a>(site: &'a LinkedSite, lang: usize, key: &'a str) -> &'a str {
    let code = &site.config.languages[lang].code;
    site.strings
        .get(code)
        .and_then(|m| m.get(key))
        .map(String::as_str)
        .unwrap_or(key)
}

/// `ui` with `{name}` placeholders filled in.
pub fn ui_fmt(site: &LinkedSite, lang: usize, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = ui(site, lang, key).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

pub fn lang_code(site: &LinkedSite, lang: usize) -> &str {
    &site.config.languages[lang].code
}

/// `""` or `"en/"`.
pub fn prefix(site: &LinkedSite, lang: usize) -> String {
    site.config.language_prefix(lang_code(site, lang))
}

/// Root-relative URL of a site-relative path: `/plan/` + path.
pub fn href(site: &LinkedSite, path: &str) -> String {
    format!("{}{}", site.config.base_path, path)
}

/// Absolute URL of a site-relative path.
pub fn absolute(site: &LinkedSite, path: &str) -> String {
    format!("{}{}", site.config.base_url, path)
}

pub fn item_path(site: &LinkedSite, plan: usize, item: usize, lang: usize) -> String {
    let p = &site.plans[plan];
    format!(
        "{}{}/{}/",
        prefix(site, lang),
        p.plan.id,
        p.items[item].item.number
    )
}

/// The site-relative path (the URL path, without base) of a page.
pub fn page_path(site: &LinkedSite, page: Page) -> String {
    let plan_id = |plan: usize| site.plans[plan].plan.id.as_str();
    match page {
        Page::Home { lang } => prefix(site, lang),
        Page::Plan { plan, lang } => format!("{}{}/", prefix(site, lang), plan_id(plan)),
        Page::Section {
            plan,
            section,
            lang,
        } => format!(
            "{}{}/sections/{}/",
            prefix(site, lang),
            plan_id(plan),
            site.plans[plan].sections[section].section.number
        ),
        Page::Item { plan, item, lang } => item_path(site, plan, item, lang),
        Page::Badge { plan, item, lang } => {
            format!("{}badge.svg", item_path(site, plan, item, lang))
        }
        Page::TagIndex { plan, lang } => format!("{}{}/tags/", prefix(site, lang), plan_id(plan)),
        Page::Tag { plan, tag, lang } => format!(
            "{}{}/tags/{}/",
            prefix(site, lang),
            plan_id(plan),
            site.plans[plan].tags[tag].slug
        ),
        Page::Status { plan, status, lang } => format!(
            "{}{}/status/{}/",
            prefix(site, lang),
            plan_id(plan),
            site.plans[plan].statuses[status].key
        ),
        Page::Feed { plan, lang } => format!("{}{}/updates.xml", prefix(site, lang), plan_id(plan)),
        Page::ItemsJson { plan } => format!("{}/items.json", plan_id(plan)),
        Page::ItemsCsv { plan } => format!("{}/items.csv", plan_id(plan)),
        Page::Search { lang } => format!("{}search/", prefix(site, lang)),
        Page::NotFound { lang } => format!("{}404.html", prefix(site, lang)),
        Page::Sitemap => "sitemap.xml".into(),
        Page::Robots => "robots.txt".into(),
    }
}

/// The output file of a page: directories get `index.html`. Paths are
/// never percent-decoded here: every segment is already a safe name.
pub fn page_output_path(site: &LinkedSite, page: Page) -> String {
    let path = page_path(site, page);
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    }
}

pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The same page in another language (the language switch target).
pub fn with_lang(page: Page, lang: usize) -> Page {
    match page {
        Page::Home { .. } => Page::Home { lang },
        Page::Plan { plan, .. } => Page::Plan { plan, lang },
        Page::Section { plan, section, .. } => Page::Section {
            plan,
            section,
            lang,
        },
        Page::Item { plan, item, .. } => Page::Item { plan, item, lang },
        Page::Badge { plan, item, .. } => Page::Badge { plan, item, lang },
        Page::TagIndex { plan, .. } => Page::TagIndex { plan, lang },
        Page::Tag { plan, tag, .. } => Page::Tag { plan, tag, lang },
        Page::Status { plan, status, .. } => Page::Status { plan, status, lang },
        Page::Feed { plan, .. } => Page::Feed { plan, lang },
        Page::Search { .. } => Page::Search { lang },
        Page::NotFound { .. } => Page::NotFound { lang },
        other => other,
    }
}

pub fn page_lang(page: Page) -> Option<usize> {
    match page {
        Page::Home { lang }
        | Page::Plan { lang, .. }
        | Page::Section { lang, .. }
        | Page::Item { lang, .. }
        | Page::Badge { lang, .. }
        | Page::TagIndex { lang, .. }
        | Page::Tag { lang, .. }
        | Page::Status { lang, .. }
        | Page::Feed { lang, .. }
        | Page::Search { lang }
        | Page::NotFound { lang } => Some(lang),
        _ => None,
    }
}

/// Which source file an output path comes from (for link-check errors).
pub fn source_of_output(site: &LinkedSite, output_path: &str) -> Option<PathBuf> {
    source_and_template_of_output(site, output_path).map(|(source, _)| source)
}

/// [`source_of_output`], with the name of the template that renders the
/// page (`item.html`, `plan.html`).
pub fn source_and_template_of_output(
    site: &LinkedSite,
    output_path: &str,
) -> Option<(PathBuf, &'static str)> {
    for p in &site.plans {
        for it in &p.items {
            for l in 0..site.config.languages.len() {
                let pre = site.config.language_prefix(&site.config.languages[l].code);
                if output_path == format!("{pre}{}/{}/index.html", p.plan.id, it.item.number) {
                    let code = &site.config.languages[l].code;
                    if *code == site.config.default_language || !it.item.languages.contains(code) {
                        return Some((it.item.path.clone(), "item.html"));
                    }
                    let mut path = it.item.path.clone();
                    let stem = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    path.set_file_name(format!("{stem}.{code}.md"));
                    return Some((path, "item.html"));
                }
            }
        }
        for l in 0..site.config.languages.len() {
            let pre = site.config.language_prefix(&site.config.languages[l].code);
            if output_path == format!("{pre}{}/index.html", p.plan.id) {
                return Some((p.plan.path.clone(), "plan.html"));
            }
        }
    }
    None
}

/// Chinese numerals for section numbers (一 … 九十九), as the document
/// writes them.
pub fn chinese_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

pub fn roman_numeral(mut n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    let table = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in table {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// The section's numeral with its punctuation: `三、` or `III.`.
pub fn section_numeral(site: &LinkedSite, lang: usize, n: u32) -> String {
    if lang_code(site, lang) == "zh" {
        format!("{}、", chinese_numeral(n))
    } else {
        format!("{}.", roman_numeral(n))
    }
}

/// A number for display: integers without decimals, others to one place,
/// thousands grouped.
pub fn format_number(x: f64) -> String {
    // Tenths where a float still has them; beyond 2^53 every float is a
    // whole number (and x * 10 could overflow to infinity).
    let rounded = if x.abs() < 1e15 {
        (x * 10.0).round() / 10.0
    } else {
        x.round()
    };
    let tenth = ((rounded.fract().abs()) * 10.0).round();
    // The whole part in full, however large: a cast to i64 would stop at
    // 9,223,372,036,854,775,807.
    let digits = format!("{:.0}", rounded.trunc().abs());
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    if tenth == 0.0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{tenth}")
    }
}

/// A percentage for display, rounded down so "100%" means done.
pub fn format_percent(p: f64) -> String {
    format!("{}%", p.floor() as i64)
}

/// At most this many of a section's other items are listed on an item page.
pub const MAX_SIBLINGS: usize = 12;

/// The search page lists every item for readers without JavaScript only
/// up to this many items; a larger plan gets a link to its item list.
pub const MAX_ITEMS_ON_SEARCH_PAGE: usize = 500;

/// The icon (a shape, so colour is never the only signal) of a status.
pub fn status_icon(key: &str) -> &'static str {
    match key {
        "not-started" => "○",
        "in-progress" => "◐",
        "completed" => "●",
        "delayed" => "▲",
        "ongoing" => "↻",
        _ => "–",
    }
}

pub fn status_label<'a>(site: &'a LinkedSite, lang: usize, key: &str) -> &'a str {
    let k: &'static str = match key {
        "not-started" => "status-not-started",
        "in-progress" => "status-in-progress",
        "completed" => "status-completed",
        "delayed" => "status-delayed",
        "ongoing" => "status-ongoing",
        _ => "status-none",
    };
    ui(site, lang, k)
}

pub fn status_value(site: &LinkedSite, lang: usize, key: &str) -> Value {
    json!({ "key": key, "label": status_label(site, lang, key), "icon": status_icon(key) })
}

fn pace_label_key(kind: PaceKind) -> &'static str {
    match kind {
        PaceKind::Ahead => "pace-ahead",
        PaceKind::OnPace => "pace-on",
        PaceKind::Behind => "pace-behind",
    }
}

/// The per-language values every page receives: `site`, `t`, `lang`.
pub fn language_globals(site: &LinkedSite, lang: usize) -> Value {
    let code = lang_code(site, lang);
    let lc = &site.config.languages[lang];
    let t: Map<String, Value> = site
        .strings
        .get(code)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (template_key(k), Value::String(v.clone())))
                .collect()
        })
        .unwrap_or_default();
    let root = href(site, &prefix(site, lang));
    json!({
        "lang": code,
        "t": t,
        "site": {
            "title": lc.title,
            "description": lc.description,
            "base_url": site.config.base_url,
            "base_path": site.config.base_path,
            "illustrative": site.config.illustrative,
            "root": root,
            "static": href(site, "static/"),
            "search_url": format!("{root}search/"),
            "plans": site.plans.iter().map(|p| json!({
                "id": p.plan.id,
                "title": p.plan.title.get(code, &site.config.default_language).0,
                "url": format!("{root}{}/", p.plan.id),
            })).collect::<Vec<_>>(),
        },
    })
}

/// A short summary of an item, as lists and cross-links show it.
pub fn item_summary(site: &LinkedSite, plan: usize, item: usize, lang: usize) -> Value {
    let p = &site.plans[plan];
    let it = &p.items[item];
    let code = lang_code(site, lang);
    let (title, fallback) = it.item.title.get(code, &site.config.default_language);
    let key = it.status_key();
    // Built field by field: json! would copy the nested status object
    // through the serializer, for every row of every list.
    let mut m = Map::new();
    m.insert("number".into(), Value::from(it.item.number));
    m.insert("title".into(), Value::from(title));
    m.insert(
        "title_lang".into(),
        Value::from(if fallback {
            site.config.default_language.as_str()
        } else {
            code
        }),
    );
    m.insert(
        "url".into(),
        Value::String(href(site, &item_path(site, plan, item, lang))),
    );
    m.insert("status".into(), status_value(site, lang, key));
    m.insert(
        "percent".into(),
        it.progress
            .percent
            .map(|x| Value::String(format_percent(x)))
            .unwrap_or(Value::Null),
    );
    m.insert(
        "percent_value".into(),
        it.progress
            .percent
            .map(|x| Value::from(x.floor() as i64))
            .unwrap_or(Value::Null),
    );
    m.insert(
        "section".into(),
        Value::from(p.sections[it.section_index].section.number),
    );
    Value::Object(m)
}

/// An item as a list shows it: `number` and `row_html`, the rendered
/// `partials/item_row.html` (see [`RenderEnv::list_row`]).
pub fn list_row(env: &RenderEnv<'_>, plan: usize, item: usize, lang: usize) -> Value {
    env.list_row(plan, item, lang).clone()
}

/// `<link rel=alternate>` targets and the language switch of a page.
fn alternates(site: &LinkedSite, page: Page) -> (Vec<Value>, Vec<Value>, String) {
    let current = page_lang(page).unwrap_or(0);
    let mut alt = Vec::new();
    let mut switch = Vec::new();
    for (l, lc) in site.config.languages.iter().enumerate() {
        let p = with_lang(page, l);
        let path = page_path(site, p);
        alt.push(json!({ "lang": lc.code, "hreflang": hreflang(&lc.code), "url": absolute(site, &path) }));
        switch.push(json!({
            "lang": lc.code,
            "hreflang": hreflang(&lc.code),
            "name": ui(site, l, "language-name"),
            "url": href(site, &path),
            "current": l == current,
        }));
    }
    let default_idx = site
        .config
        .languages
        .iter()
        .position(|l| l.code == site.config.default_language)
        .unwrap_or(0);
    let x_default = absolute(site, &page_path(site, with_lang(page, default_idx)));
    (alt, switch, x_default)
}

/// BCP 47 tags for hreflang and `<html lang>`.
pub fn hreflang(code: &str) -> String {
    match code {
        "zh" => "zh-Hans".into(),
        other => other.to_string(),
    }
}

fn og_locale(code: &str) -> &'static str {
    match code {
        "zh" => "zh_CN",
        "en" => "en_US",
        _ => "en_US",
    }
}

/// Cuts plain text to about `max` characters at a sentence or word end.
pub fn excerpt(text: &str, max: usize) -> String {
    // The text with its whitespace runs made single spaces, flattened only
    // as far as needed: one character past `max` tells that it is cut.
    let mut flat = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > max {
            break;
        }
        if !flat.is_empty() {
            flat.push(' ');
            count += 1;
        }
        flat.push_str(word);
        count += word.chars().count();
    }
    if count <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let end = cut
        .rfind(['。', '；', '.', ';', ',', '，', ' '])
        .filter(|&i| i > cut.len() / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches([',', '，', ' ']))
}

/// The `page` variable: URLs, alternates and metadata of any page.
fn page_meta(
    env: &RenderEnv<'_>,
    page: Page,
    title: &str,
    description: &str,
    og_type: &str,
    translation_missing: bool,
) -> Value {
    let site = env.site;
    let lang = page_lang(page).unwrap_or(0);
    let code = lang_code(site, lang);
    let path = page_path(site, page);
    let (alternates, switch, x_default) = alternates(site, page);
    let site_title = &site.config.languages[lang].title;
    let full_title = if title == site_title.as_str() {
        title.to_string()
    } else {
        format!("{title} - {site_title}")
    };
    let locale_alternates: Vec<&str> = site
        .config
        .languages
        .iter()
        .filter(|l| l.code != code)
        .map(|l| og_locale(&l.code))
        .collect();
    // Built field by field: json! would deep-copy `alternates` and
    // `switch` through the serializer, on every page.
    let mut m = Map::new();
    m.insert("url".into(), Value::String(href(site, &path)));
    m.insert("permalink".into(), Value::String(absolute(site, &path)));
    m.insert("path".into(), Value::String(path));
    m.insert("title".into(), Value::from(title));
    m.insert("full_title".into(), Value::String(full_title));
    m.insert("description".into(), Value::from(description));
    m.insert("og_type".into(), Value::from(og_type));
    m.insert("og_locale".into(), Value::from(og_locale(code)));
    m.insert(
        "og_locale_alternates".into(),
        Value::Array(locale_alternates.into_iter().map(Value::from).collect()),
    );
    m.insert("hreflang".into(), Value::String(hreflang(code)));
    m.insert("alternates".into(), Value::Array(alternates));
    m.insert("x_default".into(), Value::String(x_default));
    m.insert("switch".into(), Value::Array(switch));
    m.insert(
        "translation_missing".into(),
        Value::Bool(translation_missing),
    );
    Value::Object(m)
}

/// JSON for a `<script type="application/ld+json">`: `<` escaped so that
/// no content text can close the script element.
pub fn json_for_script(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn plan_value(env: &RenderEnv<'_>, plan: usize, lang: usize) -> Value {
    let site = env.site;
    let p = &site.plans[plan];
    let code = lang_code(site, lang);
    let dl = &site.config.default_language;
    let root = href(site, &prefix(site, lang));
    json!({
        "id": p.plan.id,
        "title": p.plan.title.get(code, dl).0,
        "issuer": p.plan.issuer.as_ref().map(|i| i.get(code, dl).0),
        "published": p.plan.published.map(|d| d.iso()),
        "source": p.plan.source,
        "url": format!("{root}{}/", p.plan.id),
        "as_of": p.as_of.map(|d| d.iso()),
        "items_json": href(site, &format!("{}/items.json", p.plan.id)),
        "items_csv": href(site, &format!("{}/items.csv", p.plan.id)),
        "feed": format!("{root}{}/updates.xml", p.plan.id),
        "tags_url": format!("{root}{}/tags/", p.plan.id),
        "item_count": p.items.len(),
    })
}

/// A section as pages show it; `with_items` adds its rows and body.
fn section_value(
    env: &RenderEnv<'_>,
    plan: usize,
    section: usize,
    lang: usize,
    with_items: bool,
) -> Value {
    let mut v = env.section_head(plan, section, lang).clone();
    if with_items {
        let s = &env.site.plans[plan].sections[section];
        v["items"] = Value::Array(
            s.items
                .iter()
                .map(|&i| list_row(env, plan, i, lang))
                .collect(),
        );
        v["body_html"] = Value::String(env.bodies.plans[plan].sections[section][lang].html.clone());
    }
    v
}

/// A section without its items: title, counts, progress (cached per
/// build by [`RenderEnv::section_head`]).
pub fn section_head(env: &RenderEnv<'_>, plan: usize, section: usize, lang: usize) -> Value {
    let site = env.site;
    let p = &site.plans[plan];
    let s = &p.sections[section];
    let code = lang_code(site, lang);
    let (title, fallback) = s.section.title.get(code, &site.config.default_language);
    let percents: Vec<f64> = s
        .items
        .iter()
        .filter_map(|&i| p.items[i].progress.percent)
        .collect();
    let completed = s
        .items
        .iter()
        .filter(|&&i| p.items[i].progress.status == Some(Status::Completed))
        .count();
    json!({
        "number": s.section.number,
        "numeral": section_numeral(site, lang, s.section.number),
        "title": title,
        "title_lang": if fallback { site.config.default_language.as_str() } else { code },
        "url": href(site, &page_path(site, Page::Section { plan, section, lang })),
        "anchor": format!("section-{}", s.section.number),
        "item_count": s.items.len(),
        "completed": completed,
        "percent": if percents.is_empty() { None } else { Some(format_percent(percents.iter().sum::<f64>() / percents.len() as f64)) },
        "measured": percents.len(),
    })
}

fn tag_value(site: &LinkedSite, plan: usize, tag: usize, lang: usize) -> Value {
    let t = &site.plans[plan].tags[tag];
    let code = lang_code(site, lang);
    let name = t.names.get(code).unwrap_or(&t.name);
    json!({
        "name": name,
        "name_lang": if t.names.contains_key(code) { code } else { site.config.default_language.as_str() },
        "slug": t.slug,
        "url": href(site, &page_path(site, Page::Tag { plan, tag, lang })),
        "count": t.items.len(),
    })
}

/// The dashboard of a plan: counts per status, progress per section, and
/// the charts (SVG drawn here) with their tables.
fn dashboard_value(env: &RenderEnv<'_>, plan: usize, lang: usize) -> Value {
    let site = env.site;
    let p = &site.plans[plan];
    let counts: Vec<Value> = p
        .statuses
        .iter()
        .enumerate()
        .map(|(si, g)| {
            json!({
                "key": g.key,
                "label": status_label(site, lang, g.key),
                "icon": status_icon(g.key),
                "count": g.items.len(),
                "url": href(site, &page_path(site, Page::Status { plan, status: si, lang })),
            })
        })
        .collect();
    let sections: Vec<Value> = (0..p.sections.len())
        .map(|s| section_value(env, plan, s, lang, false))
        .collect();
    json!({
        "total": p.items.len(),
        "counts": counts,
        "sections": sections,
        "status_chart_html": super::charts::status_chart(site, plan, lang),
        "section_chart_html": super::charts::section_chart(site, plan, lang),
    })
}

fn item_value(env: &RenderEnv<'_>, plan: usize, item: usize, lang: usize) -> Value {
    let site = env.site;
    let p: &LinkedPlan = &site.plans[plan];
    let it: &LinkedItem = &p.items[item];
    let code = lang_code(site, lang);
    let dl = &site.config.default_language;
    let mut v = item_summary(site, plan, item, lang);
    let path = item_path(site, plan, item, lang);
    let permalink = absolute(site, &path);
    let key = it.status_key();
    let targets: Vec<Value> = it
        .item
        .targets
        .iter()
        .map(|t| {
            let expected = it.progress.pace.as_ref().and_then(|pc| pc.targets.iter().find(|x| x.key == t.key)).map(|x| format_number(x.expected));
            let (label, label_fallback) = t.label.get(code, dl);
            json!({
                "key": t.key,
                "anchor": format!("target-{}", t.key),
                "url": format!("{}#target-{}", href(site, &path), t.key),
                "permalink": format!("{permalink}#target-{}", t.key),
                "label": label,
                "label_lang": if label_fallback { dl.as_str() } else { code },
                "goal": format_number(t.goal),
                "actual": t.actual.map(format_number),
                "unit": t.unit.get(code, dl).0,
                "percent": t.actual.map(|a| format_percent(crate::progress::target_percent(t.goal, a))),
                "percent_value": t.actual.map(|a| crate::progress::target_percent(t.goal, a).floor() as i64),
                "expected": expected,
            })
        })
        .collect();
    let mut previous_status: Option<Status> = None;
    let mut updates: Vec<Value> = Vec::new();
    for u in &it.item.updates {
        let (text, fallback) = u.text.get(code, dl);
        let changed = u.status.is_some() && u.status != previous_status;
        updates.push(json!({
            "date": u.date.iso(),
            "anchor": format!("update-{}", u.date.iso()),
            "status": u.status.map(|s| status_value(site, lang, s.key())),
            "status_changed": changed,
            "text": text,
            "text_lang": if fallback { dl.as_str() } else { code },
        }));
        if u.status.is_some() {
            previous_status = u.status;
        }
    }
    updates.reverse(); // newest first
    let pace = it.progress.pace.as_ref().map(|pc| {
        json!({
            "key": pc.kind.key(),
            "label": ui(site, lang, pace_label_key(pc.kind)),
            "expected": format_percent(pc.expected_percent),
            "actual": format_percent(pc.actual_percent),
            "as_of": pc.as_of.iso(),
            "due": pc.due.iso(),
        })
    });
    let section = &p.sections[it.section_index];
    let badge_path = format!("{path}badge.svg");
    let badge_abs = absolute(site, &badge_path);
    let badge_alt = format!(
        "{}: {}",
        ui_fmt(
            site,
            lang,
            "item-number",
            &[("number", &it.item.number.to_string())]
        ),
        status_label(site, lang, key)
    );
    let embed = format!(
        "<a href=\"{permalink}\"><img src=\"{badge_abs}\" alt=\"{}\"></a>",
        super::markdown::escape_html(&badge_alt)
    );
    let (plan_title, _) = p.plan.title.get(code, dl);
    let issuer = p
        .plan
        .issuer
        .as_ref()
        .map(|i| i.get(code, dl).0)
        .unwrap_or(plan_title);
    let as_of = it.progress.as_of.or(p.as_of).map(|d| d.iso());
    let citation = ui_fmt(
        site,
        lang,
        "cite-format",
        &[
            ("issuer", issuer),
            ("plan", plan_title),
            ("number", &it.item.number.to_string()),
            ("title", it.item.title.get(code, dl).0),
            ("url", &permalink),
            ("as_of", as_of.as_deref().unwrap_or("—")),
        ],
    );
    // The section's other items: all of them in a section of ordinary size,
    // the nearest ones in a large section (a list of hundreds on every item
    // page would make the site quadratic in section size).
    let position = section.items.iter().position(|&i| i == item).unwrap_or(0);
    let (from, to) = if section.items.len() <= MAX_SIBLINGS + 1 {
        (0, section.items.len())
    } else {
        let from = position
            .saturating_sub(MAX_SIBLINGS / 2)
            .min(section.items.len() - MAX_SIBLINGS - 1);
        (from, from + MAX_SIBLINGS + 1)
    };
    let siblings: Vec<Value> = section.items[from..to]
        .iter()
        .filter(|&&i| i != item)
        .map(|&i| list_row(env, plan, i, lang))
        .collect();
    let more_siblings = section.items.len() > to - from;
    let body = &env.bodies.plans[plan].items[item][lang];
    let translated = it.item.languages.contains(code);
    v["permalink"] = json!(permalink);
    v["body_html"] = json!(body.html);
    v["body_lang"] = json!(if translated { code } else { dl.as_str() });
    v["translated"] = json!(translated);
    v["due"] = json!(it.item.due.map(|d| d.iso()));
    v["lead"] = json!(it.item.lead);
    v["pace"] = pace.unwrap_or(Value::Null);
    v["as_of"] = json!(it.progress.as_of.map(|d| d.iso()));
    v["targets"] = Value::Array(targets);
    v["updates"] = Value::Array(updates);
    v["tags"] = Value::Array(
        it.tags
            .iter()
            .map(|&t| tag_value(site, plan, t, lang))
            .collect(),
    );
    v["related"] = Value::Array(
        it.related
            .iter()
            .map(|&r| list_row(env, plan, r, lang))
            .collect(),
    );
    v["referenced_by"] = Value::Array(
        it.referenced_by
            .iter()
            .map(|&r| list_row(env, plan, r, lang))
            .collect(),
    );
    v["prev"] = it
        .prev
        .map(|i| item_summary(site, plan, i, lang))
        .unwrap_or(Value::Null);
    v["next"] = it
        .next
        .map(|i| item_summary(site, plan, i, lang))
        .unwrap_or(Value::Null);
    v["siblings"] = Value::Array(siblings);
    v["siblings_partial"] = json!(more_siblings);
    v["badge_url"] = json!(href(site, &badge_path));
    v["badge_alt"] = json!(badge_alt);
    v["badge_embed"] = json!(embed);
    v["citation"] = json!(citation);
    v["data_as_of"] = json!(as_of);
    v
}

fn json_ld_item(
    env: &RenderEnv<'_>,
    plan: usize,
    item: usize,
    lang: usize,
    description: &str,
) -> String {
    let site = env.site;
    let p = &site.plans[plan];
    let it = &p.items[item];
    let code = lang_code(site, lang);
    let dl = &site.config.default_language;
    let path = item_path(site, plan, item, lang);
    let plan_path = page_path(site, Page::Plan { plan, lang });
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": it.item.title.get(code, dl).0,
        "identifier": it.item.number.to_string(),
        "url": absolute(site, &path),
        "inLanguage": hreflang(if it.item.languages.contains(code) { code } else { dl }),
        "description": description,
        "isPartOf": { "@type": "CreativeWork", "name": p.plan.title.get(code, dl).0, "url": absolute(site, &plan_path) },
        "keywords": it.tags.iter().map(|&t| { let tg = &p.tags[t]; tg.names.get(code).unwrap_or(&tg.name).clone() }).collect::<Vec<_>>(),
        "creativeWorkStatus": status_label(site, lang, it.status_key()),
    });
    if let Some(issuer) = &p.plan.issuer {
        v["publisher"] =
            json!({ "@type": "GovernmentOrganization", "name": issuer.get(code, dl).0 });
    }
    if let Some(d) = it.progress.as_of {
        v["dateModified"] = json!(d.iso());
    }
    if site.config.illustrative {
        v["disambiguatingDescription"] = json!(ui(site, lang, "illustrative-notice"));
    }
    json_for_script(&v)
}

/// The template of an HTML page and its context apart from the language's
/// globals (`lang`, `t`, `site`: see [`language_globals`]), which the
/// renderer adds.
pub fn page_context(env: &RenderEnv<'_>, page: Page) -> (&'static str, Map<String, Value>) {
    let site = env.site;
    let lang = page_lang(page).unwrap_or(0);
    let code = lang_code(site, lang);
    let dl = &site.config.default_language;
    let mut obj = Map::new();
    let site_title = site.config.languages[lang].title.clone();
    let site_description = site.config.languages[lang].description.clone();
    let (template, meta, extra): (&'static str, Value, Vec<(&str, Value)>) = match page {
        Page::Home { .. } => {
            let plans: Vec<Value> = (0..site.plans.len())
                .map(|p| {
                    let mut v = plan_value(env, p, lang);
                    v["dashboard"] = dashboard_value(env, p, lang);
                    v["excerpt"] = json!(excerpt(&env.bodies.plans[p].preamble[lang].text, 160));
                    v
                })
                .collect();
            (
                "home.html",
                page_meta(env, page, &site_title, &site_description, "website", false),
                vec![("plans", Value::Array(plans))],
            )
        }
        Page::Plan { plan, .. } => {
            let p = &site.plans[plan];
            let mut pv = plan_value(env, plan, lang);
            pv["body_html"] = json!(env.bodies.plans[plan].preamble[lang].html);
            let sections: Vec<Value> = (0..p.sections.len())
                .map(|s| section_value(env, plan, s, lang, true))
                .collect();
            let tags: Vec<Value> = (0..p.tags.len())
                .map(|t| tag_value(site, plan, t, lang))
                .collect();
            let desc = excerpt(&env.bodies.plans[plan].preamble[lang].text, 150);
            let missing = !p.plan.languages.contains(code);
            let mut meta = page_meta(
                env,
                page,
                p.plan.title.get(code, dl).0,
                &desc,
                "website",
                missing,
            );
            // issue #18.3: a translation older than its source.
            meta["translation_stale"] = json!(p.plan.stale_translations.contains(code));
            (
                "plan.html",
                meta,
                vec![
                    ("plan", pv),
                    ("sections", Value::Array(sections)),
                    ("tags", Value::Array(tags)),
                    ("dashboard", dashboard_value(env, plan, lang)),
                ],
            )
        }
        Page::Item { plan, item, .. } => {
            let p = &site.plans[plan];
            let it = &p.items[item];
            let desc = excerpt(&env.bodies.plans[plan].items[item][lang].text, 150);
            let title = format!(
                "{} {}",
                ui_fmt(
                    site,
                    lang,
                    "item-number",
                    &[("number", &it.item.number.to_string())]
                ),
                it.item.title.get(code, dl).0
            );
            let missing = !it.item.languages.contains(code);
            let mut meta = page_meta(env, page, &title, &desc, "article", missing);
            // issue #18.3: a translation older than its source.
            meta["translation_stale"] = json!(it.item.stale_translations.contains(code));
            let ld = json_ld_item(env, plan, item, lang, &desc);
            (
                "item.html",
                meta,
                vec![
                    ("plan", plan_value(env, plan, lang)),
                    (
                        "section",
                        section_value(env, plan, it.section_index, lang, false),
                    ),
                    ("item", item_value(env, plan, item, lang)),
                    ("json_ld", Value::String(ld)),
                ],
            )
        }
        Page::Section { plan, section, .. } => {
            let s = section_value(env, plan, section, lang, true);
            // 三、加强… in Chinese; "III. Strengthen…" in English.
            let gap = if lang_code(site, lang) == "zh" {
                ""
            } else {
                " "
            };
            let title = format!(
                "{}{gap}{}",
                s["numeral"].as_str().unwrap_or(""),
                s["title"].as_str().unwrap_or("")
            );
            let list = json!({ "kind": "section", "heading": title, "items": s["items"].clone(), "body_html": s["body_html"].clone() });
            (
                "list.html",
                page_meta(env, page, &title, &title, "website", false),
                vec![("plan", plan_value(env, plan, lang)), ("list", list)],
            )
        }
        Page::Tag { plan, tag, .. } => {
            let t = tag_value(site, plan, tag, lang);
            let heading = ui_fmt(
                site,
                lang,
                "tag-heading",
                &[("tag", t["name"].as_str().unwrap_or(""))],
            );
            let items: Vec<Value> = site.plans[plan].tags[tag]
                .items
                .iter()
                .map(|&i| list_row(env, plan, i, lang))
                .collect();
            let mut list = json!({ "kind": "tag", "heading": heading, "tag": t });
            list["items"] = Value::Array(items);
            (
                "list.html",
                page_meta(env, page, &heading, &heading, "website", false),
                vec![("plan", plan_value(env, plan, lang)), ("list", list)],
            )
        }
        Page::Status { plan, status, .. } => {
            let g = &site.plans[plan].statuses[status];
            let heading = ui_fmt(
                site,
                lang,
                "status-heading",
                &[("status", status_label(site, lang, g.key))],
            );
            let items: Vec<Value> = g
                .items
                .iter()
                .map(|&i| list_row(env, plan, i, lang))
                .collect();
            let mut list = json!({ "kind": "status", "heading": heading });
            list["status"] = status_value(site, lang, g.key);
            list["items"] = Value::Array(items);
            (
                "list.html",
                page_meta(env, page, &heading, &heading, "website", false),
                vec![("plan", plan_value(env, plan, lang)), ("list", list)],
            )
        }
        Page::TagIndex { plan, .. } => {
            let heading = ui(site, lang, "tags-heading").to_string();
            let tags: Vec<Value> = (0..site.plans[plan].tags.len())
                .map(|t| tag_value(site, plan, t, lang))
                .collect();
            let list = json!({ "kind": "tags", "heading": heading, "items": [], "tags": tags });
            (
                "list.html",
                page_meta(env, page, &heading, &heading, "website", false),
                vec![("plan", plan_value(env, plan, lang)), ("list", list)],
            )
        }
        Page::Search { .. } => {
            let heading = ui(site, lang, "search-heading").to_string();
            let plans: Vec<Value> = (0..site.plans.len())
                .map(|p| {
                    let mut v = plan_value(env, p, lang);
                    let listed = site.plans[p].items.len() <= MAX_ITEMS_ON_SEARCH_PAGE;
                    v["sections"] = Value::Array(
                        (0..site.plans[p].sections.len())
                            .map(|s| section_value(env, p, s, lang, listed))
                            .collect(),
                    );
                    v["listed"] = json!(listed);
                    v
                })
                .collect();
            let statuses: Vec<Value> = crate::link::status_keys()
                .into_iter()
                .map(|k| status_value(site, lang, k))
                .collect();
            let index_path = href(site, &format!("{}search/index/", prefix(site, lang)));
            (
                "search.html",
                page_meta(env, page, &heading, &heading, "website", false),
                vec![
                    ("plans", Value::Array(plans)),
                    ("statuses", Value::Array(statuses)),
                    ("search_index", json!(index_path)),
                ],
            )
        }
        Page::NotFound { .. } => {
            let heading = ui(site, lang, "not-found-heading").to_string();
            (
                "404.html",
                page_meta(env, page, &heading, &heading, "website", false),
                vec![],
            )
        }
        _ => unreachable!("non-HTML pages are rendered without templates"),
    };
    let shows_progress = matches!(
        page,
        Page::Home { .. }
            | Page::Plan { .. }
            | Page::Item { .. }
            | Page::Section { .. }
            | Page::Tag { .. }
            | Page::Status { .. }
            | Page::Search { .. }
    );
    obj.insert("page".into(), meta);
    obj.insert("shows_progress".into(), json!(shows_progress));
    obj.insert("no_status_key".into(), json!(NO_STATUS_KEY));
    for (k, v) in extra {
        obj.insert(k.into(), v);
    }
    (template, obj)
}

/// Whether a page is an HTML page (has alternates, goes in the sitemap).
pub fn is_html_page(page: Page) -> bool {
    !matches!(
        page,
        Page::Badge { .. }
            | Page::Feed { .. }
            | Page::ItemsJson { .. }
            | Page::ItemsCsv { .. }
            | Page::Sitemap
            | Page::Robots
    )
}

pub fn all_html_pages(site: &LinkedSite) -> Vec<Page> {
    super::all_pages(site)
        .into_iter()
        .filter(|p| is_html_page(*p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_are_written_as_the_document_writes_them() {
        assert_eq!(chinese_numeral(7), "七");
        assert_eq!(chinese_numeral(10), "十");
        assert_eq!(chinese_numeral(12), "十二");
        assert_eq!(chinese_numeral(40), "四十");
        assert_eq!(roman_numeral(7), "VII");
        assert_eq!(roman_numeral(14), "XIV");
    }

    #[test]
    fn numbers_are_grouped_and_rounded() {
        assert_eq!(format_number(4500.0), "4,500");
        assert_eq!(format_number(10000.0), "10,000");
        assert_eq!(format_number(70.0), "70");
        assert_eq!(format_number(12.34), "12.3");
        // issue #15.2: no cast cuts a large goal down to i64::MAX.
        assert_eq!(format_number(1e20), "100,000,000,000,000,000,000");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(-0.04), "0");
        assert!(format_number(1e300).starts_with("1,000,000,"));
        assert_eq!(format_percent(99.9), "99%");
    }

    #[test]
    fn excerpts_equal_those_of_the_whole_flattened_text() {
        // The excerpt as first written: flatten everything, then cut.
        fn reference(text: &str, max: usize) -> String {
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if flat.chars().count() <= max {
                return flat;
            }
            let cut: String = flat.chars().take(max).collect();
            let end = cut
                .rfind(['。', '；', '.', ';', ',', '，', ' '])
                .filter(|&i| i > cut.len() / 2)
                .unwrap_or(cut.len());
            format!("{}…", cut[..end].trim_end_matches([',', '，', ' ']))
        }
        let long = "坚持立德树人，  落实“双减”。\n\nMore  words here, and more; ".repeat(20);
        let texts = [
            "",
            "   ",
            "short",
            "exactly ten",
            "a  b\tc\n\nd",
            "一二三四五六七八九十",
            "一二三四五六七八九十一",
            long.as_str(),
        ];
        for text in texts {
            for max in [0, 1, 5, 10, 11, 12, 40, 150, 1000] {
                assert_eq!(excerpt(text, max), reference(text, max), "{text:?} {max}");
            }
        }
    }

    #[test]
    fn json_for_script_cannot_close_the_script_element() {
        let s = json_for_script(&json!({"a": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</script"));
    }
}
