//! schema.org metadata (JSON-LD) of an item page.

use crate::pages::{Page, absolute, item_path, lang_code, page_path};
use crate::render::env::RenderEnv;
use crate::render::format::script_safe;
use crate::render::ui::{language_tag, status_label, ui};
use serde::Serialize;

/// An item page's JSON-LD. Fields are in the order of their names (as a
/// `serde_json::Value` writes them), so that the bytes stay what they were
/// when it was built as one.
#[derive(Serialize)]
struct ItemJsonLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "creativeWorkStatus")]
    status: &'a str,
    #[serde(rename = "dateModified", skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    description: &'a str,
    #[serde(
        rename = "disambiguatingDescription",
        skip_serializing_if = "Option::is_none"
    )]
    disambiguating_description: Option<&'a str>,
    identifier: String,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(rename = "isPartOf")]
    is_part_of: Named<'a>,
    keywords: Vec<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<Named<'a>>,
    url: String,
}

/// `{"@type", "name", "url"}`, the url left out when there is none.
#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// schema.org metadata of an item page, as JSON safe inside `<script>`.
pub(super) fn json_ld_item(
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
    let ld = ItemJsonLd {
        context: "https://schema.org",
        kind: "CreativeWork",
        status: status_label(site, lang, it.status_key()),
        date_modified: it.progress.as_of.map(|d| d.iso()),
        description,
        disambiguating_description: crate::link::lineage::is_illustrative(site, plan)
            .then(|| ui(site, lang, "illustrative-notice")),
        identifier: it.item.number.to_string(),
        in_language: language_tag(
            site,
            if it.item.languages.contains(code) {
                code
            } else {
                dl
            },
        ),
        is_part_of: Named {
            kind: "CreativeWork",
            name: p.plan.title.get(code, dl).0,
            url: Some(absolute(site, &plan_path)),
        },
        keywords: it
            .tags
            .iter()
            .map(|&t| {
                let tg = &p.tags[t];
                tg.names.get(code).unwrap_or(&tg.name).as_str()
            })
            .collect(),
        name: it.item.title.get(code, dl).0,
        publisher: p.plan.issuer.as_ref().map(|issuer| Named {
            kind: "GovernmentOrganization",
            name: issuer.get(code, dl).0,
            url: None,
        }),
        url: absolute(site, &path),
    };
    script_safe(serde_json::to_string(&ld).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_safe_is_json_for_script() {
        let v = serde_json::json!({"a": "</script><b>&amp;", "b": ["x<y", "中文&"]});
        assert_eq!(
            super::script_safe(serde_json::to_string(&v).unwrap()),
            crate::render::format::json_for_script(&v)
        );
    }
}
