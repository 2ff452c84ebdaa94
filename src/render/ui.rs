//! What a page says in its language: UI strings from the theme's
//! `i18n/<lang>.toml`, status words, icons and colours, section numerals
//! and language tags.

use super::format::{chinese_numeral, roman_numeral};
use crate::link::LinkedSite;
use crate::pages::lang_code;

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

/// The section's numeral with its punctuation: `三、` or `III.`.
pub fn section_numeral(site: &LinkedSite, lang: usize, n: u32) -> String {
    if lang_code(site, lang) == "zh" {
        format!("{}、", chinese_numeral(n))
    } else {
        format!("{}.", roman_numeral(n))
    }
}

/// What goes between a section's numeral and its title in a heading:
/// nothing after `三、`, a space after `III.`.
pub fn title_gap(site: &LinkedSite, lang: usize) -> &'static str {
    if lang_code(site, lang) == "zh" {
        ""
    } else {
        " "
    }
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

/// BCP 47 tags for hreflang and `<html lang>`.
pub fn hreflang(code: &str) -> String {
    match code {
        "zh" => "zh-Hans".into(),
        other => other.to_string(),
    }
}

pub fn og_locale(code: &str) -> &'static str {
    match code {
        "zh" => "zh_CN",
        "en" => "en_US",
        _ => "en_US",
    }
}
