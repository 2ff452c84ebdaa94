//! What every page's template gets: the language's globals (`lang`, `t`,
//! `site`) and the page's own metadata (`page`).

use crate::link::LinkedSite;
use crate::pages::{Page, absolute, href, lang_code, page_path, prefix};
use crate::render::ui::{direction, language_tag, locale, status_icon, status_label, ui};
use crate::validate::template_key;
use serde::Serialize;
use std::collections::BTreeMap;

/// The values of a language that every template gets, page after page.
#[derive(Serialize)]
pub struct Globals<'a> {
    /// The page's language code (`zh`, `en`).
    pub lang: &'a str,
    /// The UI strings (`i18n/<lang>.toml`), each under its key with `-`
    /// written `_` (`t.status_label` is `status-label`).
    pub t: BTreeMap<String, &'a str>,
    /// The site in this language.
    pub site: SiteContext<'a>,
}

/// `site`: the site in the page's language.
#[derive(Serialize)]
pub struct SiteContext<'a> {
    /// The site's name in this language (site.toml).
    pub title: &'a str,
    /// Its description in this language (site.toml).
    pub description: &'a str,
    /// The absolute base URL, ending in `/`.
    pub base_url: &'a str,
    /// The base URL's path (`/plan/`).
    pub base_path: &'a str,
    /// Whether the progress data is illustrative (`[progress]`).
    pub illustrative: bool,
    /// The home page of this language.
    pub root: String,
    /// Where the theme's static files are (`/plan/static/`).
    pub r#static: String,
    /// The search page of this language.
    pub search_url: String,
    /// The page that explains statuses, percent, pace and staleness in
    /// this language (`/method/`).
    pub method_url: String,
    /// Every plan, for menus.
    pub plans: Vec<PlanLink<'a>>,
}

/// A plan in a menu.
#[derive(Serialize)]
pub struct PlanLink<'a> {
    /// The plan id (its folder, the first segment of its URLs).
    pub id: &'a str,
    /// Its title in this language.
    pub title: &'a str,
    /// Its page in this language.
    pub url: String,
}

/// The globals of language `lang`.
pub fn language_globals(site: &LinkedSite, lang: usize) -> Globals<'_> {
    let code = lang_code(site, lang);
    let lc = &site.config.languages[lang];
    let t = site
        .strings
        .get(code)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (template_key(k), v.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let plans = (0..site.plans.len())
        .map(|plan| PlanLink {
            id: &site.plans[plan].plan.id,
            title: site.plans[plan]
                .plan
                .title
                .get(code, &site.config.default_language)
                .0,
            url: href(site, &page_path(site, Page::Plan { plan, lang })),
        })
        .collect();
    Globals {
        lang: code,
        t,
        site: SiteContext {
            title: &lc.title,
            description: &lc.description,
            base_url: &site.config.base_url,
            base_path: &site.config.base_path,
            illustrative: site.config.illustrative,
            root: href(site, &prefix(site, lang)),
            r#static: href(site, "static/"),
            search_url: href(site, &page_path(site, Page::Search { lang })),
            method_url: href(site, &page_path(site, Page::Method { lang })),
            plans,
        },
    }
}

/// `page`: a page's URLs, alternates and metadata.
#[derive(Serialize)]
pub struct PageMeta<'a> {
    /// The path under the base URL (`2023/16/`).
    pub path: String,
    /// The root-relative URL (`/plan/2023/16/`).
    pub url: String,
    /// The absolute URL.
    pub permalink: String,
    /// The page's title.
    pub title: String,
    /// The title with the site's name, for `<title>`.
    pub full_title: String,
    /// The description for search engines and link previews.
    pub description: String,
    /// `website` or `article`.
    pub og_type: &'static str,
    /// The language's locale (`zh_CN`).
    pub og_locale: &'a str,
    /// The other languages' locales.
    pub og_locale_alternates: Vec<&'a str>,
    /// The language's BCP 47 tag (`zh-Hans`), for `<html lang>`.
    pub hreflang: &'a str,
    /// The language's text direction: `ltr` or `rtl`.
    pub dir: &'a str,
    /// The page in every language.
    pub alternates: Vec<Alternate<'a>>,
    /// The page in the default language, absolute.
    pub x_default: String,
    /// The language switch: the same page in each language.
    pub switch: Vec<LanguageLink<'a>>,
    /// Whether the page's content has no translation into its language.
    pub translation_missing: bool,
    /// Whether the page's translation is older than its default-language
    /// text (its `source_hash` is not the current one).
    pub translation_stale: bool,
}

/// The page in one language, for `<link rel="alternate">`.
#[derive(Serialize)]
pub struct Alternate<'a> {
    /// The language code.
    pub lang: &'a str,
    /// Its BCP 47 tag.
    pub hreflang: &'a str,
    /// The page's absolute URL in that language.
    pub url: String,
}

/// One entry of the language switch.
#[derive(Serialize)]
pub struct LanguageLink<'a> {
    /// The language code.
    pub lang: &'a str,
    /// Its BCP 47 tag.
    pub hreflang: &'a str,
    /// The language's own name for itself (`language-name`).
    pub name: &'a str,
    /// The page's URL in that language.
    pub url: String,
    /// Whether this is the page's own language.
    pub current: bool,
}

/// The `page` variable of a page with this title and description.
pub fn page_meta<'a>(
    site: &'a LinkedSite,
    page: Page,
    title: String,
    description: String,
    og_type: &'static str,
    translation_missing: bool,
) -> PageMeta<'a> {
    let lang = page.lang().unwrap_or(0);
    let code = lang_code(site, lang);
    let path = page_path(site, page);
    let site_title = &site.config.languages[lang].title;
    let full_title = if title == *site_title {
        title.clone()
    } else {
        format!("{title} - {site_title}")
    };
    let mut alternates = Vec::new();
    let mut switch = Vec::new();
    for (l, lc) in site.config.languages.iter().enumerate() {
        let other = page_path(site, page.with_lang(l));
        alternates.push(Alternate {
            lang: &lc.code,
            hreflang: language_tag(site, &lc.code),
            url: absolute(site, &other),
        });
        switch.push(LanguageLink {
            lang: &lc.code,
            hreflang: language_tag(site, &lc.code),
            name: ui(site, l, "language-name"),
            url: href(site, &other),
            current: l == lang,
        });
    }
    let default_idx = site.config.default_language_index();
    PageMeta {
        url: href(site, &path),
        permalink: absolute(site, &path),
        path,
        title,
        full_title,
        description,
        og_type,
        og_locale: locale(site, lang),
        og_locale_alternates: (0..site.config.languages.len())
            .filter(|&l| l != lang)
            .map(|l| locale(site, l))
            .collect(),
        hreflang: language_tag(site, code),
        dir: direction(site, lang),
        alternates,
        x_default: absolute(site, &page_path(site, page.with_lang(default_idx))),
        switch,
        translation_missing,
        translation_stale: false,
    }
}

/// A status as pages show it.
#[derive(Clone, Copy, Serialize)]
pub struct StatusContext<'a> {
    /// `not-started`, `in-progress`, `completed`, `delayed`, `ongoing`,
    /// or `none` (no progress reported).
    pub key: &'a str,
    /// The status in words, in the page's language.
    pub label: &'a str,
    /// Its icon: a shape, so that colour is never the only signal.
    pub icon: &'static str,
}

/// The status `key` in language `lang`.
pub fn status_context<'a>(site: &'a LinkedSite, lang: usize, key: &'a str) -> StatusContext<'a> {
    StatusContext {
        key,
        label: status_label(site, lang, key),
        icon: status_icon(key),
    }
}
