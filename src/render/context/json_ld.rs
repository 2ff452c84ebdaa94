//! schema.org metadata (JSON-LD) of an item page.

use crate::pages::{Page, absolute, item_path, lang_code, page_path};
use crate::render::env::RenderEnv;
use crate::render::format::json_for_script;
use crate::render::ui::{language_tag, status_label, ui};
use serde_json::json;

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
    let mut v = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": it.item.title.get(code, dl).0,
        "identifier": it.item.number.to_string(),
        "url": absolute(site, &path),
        "inLanguage": language_tag(site, if it.item.languages.contains(code) { code } else { dl }),
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
    if crate::link::lineage::is_illustrative(site, plan) {
        v["disambiguatingDescription"] = json!(ui(site, lang, "illustrative-notice"));
    }
    json_for_script(&v)
}
