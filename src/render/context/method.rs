//! The method page (`/method/`, issue #20.2): how the site shows progress,
//! each status defined, percent, pace and staleness, with the thresholds
//! the code uses.

use super::common::{StatusContext, status_context};
use super::pages::{PageCommon, common};
use crate::link::status_keys;
use crate::pages::Page;
use crate::progress::{PACE_TOLERANCE_POINTS, STALE_AFTER_DAYS};
use crate::render::env::RenderEnv;
use crate::render::format::format_number;
use crate::render::ui::ui;
use serde::Serialize;

/// `method.html`.
#[derive(Serialize)]
pub struct MethodPage<'a> {
    #[serde(flatten)]
    pub common: PageCommon<'a>,
    /// What the page explains.
    pub method: MethodContext<'a>,
}

/// How progress is computed, with the figures the code uses.
#[derive(Serialize)]
pub struct MethodContext<'a> {
    /// Every status, in display order, with its definition.
    pub statuses: Vec<StatusDefinition<'a>>,
    /// How far from the even pace still counts as on pace, in percentage
    /// points (`5`).
    pub tolerance: String,
    /// After how many days without an update an item is stale (`90`).
    pub stale_days: i64,
}

/// A status and what it means.
#[derive(Serialize)]
pub struct StatusDefinition<'a> {
    /// The status (`key`, `label`, `icon`).
    pub status: StatusContext<'a>,
    /// What it means, in the page's language.
    pub definition: &'a str,
}

/// The method page in language `lang`.
pub fn method_page<'a>(env: &'a RenderEnv<'_>, page: Page, lang: usize) -> MethodPage<'a> {
    let site = env.site;
    let heading = ui(site, lang, "method-title").to_string();
    let description = ui(site, lang, "method-intro").to_string();
    MethodPage {
        common: common(env, page, heading, description, "website", false),
        method: MethodContext {
            statuses: status_keys()
                .into_iter()
                .map(|key| StatusDefinition {
                    status: status_context(site, lang, key),
                    definition: site
                        .strings
                        .get(&site.config.languages[lang].code)
                        .and_then(|m| m.get(&format!("method-status-{key}")))
                        .map_or("", String::as_str),
                })
                .collect(),
            tolerance: format_number(PACE_TOLERANCE_POINTS),
            stale_days: STALE_AFTER_DAYS,
        },
    }
}
