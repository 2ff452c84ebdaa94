//! What a page says in its language: UI strings from the theme's
//! `i18n/<lang>.toml`, status words, icons and colours, section numerals
//! and language tags.

use super::format::{chinese_numeral, roman_numeral};
use crate::link::LinkedSite;

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

/// The section's numeral as the language writes it (`section-numeral`:
/// `{chinese}、` gives `三、`, `{roman}.` gives `III.`, `{number}.` gives
/// `3.`).
pub fn section_numeral(site: &LinkedSite, lang: usize, n: u32) -> String {
    ui_fmt(
        site,
        lang,
        "section-numeral",
        &[
            ("chinese", &chinese_numeral(n)),
            ("roman", &roman_numeral(n)),
            ("number", &n.to_string()),
        ],
    )
}

/// A section's heading, its numeral and title as the language puts them
/// together (`section-heading`: `三、加强…`, `III. Strengthen…`).
pub fn section_heading(site: &LinkedSite, lang: usize, numeral: &str, title: &str) -> String {
    ui_fmt(
        site,
        lang,
        "section-heading",
        &[("numeral", numeral), ("title", title)],
    )
}

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

/// Background colours with white text at WCAG AA contrast (≥ 4.5:1).
pub fn status_colour(key: &str) -> &'static str {
    match key {
        "not-started" => "#57606a",
        "in-progress" => "#0550ae",
        "completed" => "#116329",
        "delayed" => "#a40e26",
        "ongoing" => "#6639ba",
        _ => "#57606a",
    }
}

/// The BCP 47 tag of the language `code` (`language-tag`: `zh-Hans`),
/// for `<html lang>`, hreflang and `xml:lang`.
pub fn language_tag<'a>(site: &'a LinkedSite, code: &str) -> &'a str {
    let lang = site
        .config
        .languages
        .iter()
        .position(|l| l.code == code)
        .unwrap_or(0);
    ui(site, lang, "language-tag")
}

/// The locale of language `lang` (`language-locale`: `zh_CN`), for
/// `og:locale`.
pub fn locale(site: &LinkedSite, lang: usize) -> &str {
    ui(site, lang, "language-locale")
}

/// The text direction of language `lang` (`language-direction`: `ltr` or
/// `rtl`).
pub fn direction(site: &LinkedSite, lang: usize) -> &str {
    ui(site, lang, "language-direction")
}
