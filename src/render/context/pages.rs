//! The context of each HTML template, one struct per template, built from
//! the linked site and the render environment's shared rows and heads.

use super::common::{PageMeta, StatusContext, page_meta, status_context};
use super::item::{
    ItemSummary, ListRow, PaceContext, TargetContext, UpdateContext, WithdrawnContext,
    item_summary, pace_context, target_contexts, update_contexts, withdrawn_context,
};
use super::json_ld::json_ld_item;
use super::plan::{
    DashboardContext, PlanContext, SectionHead, TagContext, dashboard_context, plan_context,
    tag_context,
};
use crate::model::NO_STATUS_KEY;
use crate::pages::{Page, absolute, href, item_path, lang_code, page_path, search_index_path};
use crate::render::env::RenderEnv;
use crate::render::format::excerpt;
use crate::render::markdown::escape_html;
use crate::render::ui::{section_heading, status_label, ui, ui_fmt};
use serde::Serialize;
use serde_json::Value;

/// At most this many of a section's other items are listed on an item page.
pub const MAX_SIBLINGS: usize = 12;

/// The search page lists every item for readers without JavaScript only
/// up to this many items; a larger plan gets a link to its item list.
pub const MAX_ITEMS_ON_SEARCH_PAGE: usize = 500;

/// What every HTML page gets besides the language's globals.
#[derive(Serialize)]
pub struct PageCommon<'a> {
    /// The page's URLs, alternates and metadata.
    pub page: PageMeta<'a>,
    /// Whether the page shows progress (and so the illustrative notice
    /// when the data is illustrative).
    pub shows_progress: bool,
    /// The status key of items without a status (`none`).
    pub no_status_key: &'static str,
    /// Whether the progress data the page shows is illustrative: its
    /// plan's, or on a page of every plan, every plan's (each plan says
    /// its own there).
    pub illustrative: bool,
    /// The notice that says so, when it is: for the whole site when every
    /// plan's data is illustrative, else for the page's plan.
    pub illustrative_notice: Option<&'a str>,
    /// On the pages of a plan whose period ended before the current
    /// plan's began: the current plan.
    pub newer_plan: Option<PlanLink>,
}

/// A link to a plan.
#[derive(Serialize)]
pub struct PlanLink {
    /// The plan id.
    pub id: String,
    /// Its title in the page's language.
    pub title: String,
    /// Its page in the page's language.
    pub url: String,
}

/// An item of another plan that an item continues or is continued in.
#[derive(Serialize)]
pub struct LineageLink {
    /// The other item's plan id.
    pub plan: String,
    /// The other item's number.
    pub number: u32,
    /// What the link says ("continues item 16 of the 2023 plan").
    pub text: String,
    /// The other item's page in the page's language.
    pub url: String,
}

/// `home.html`.
#[derive(Serialize)]
pub struct HomePage<'a> {
    #[serde(flatten)]
    pub common: PageCommon<'a>,
    /// Every plan, with its dashboard and the start of its preamble.
    pub plans: Vec<HomePlan<'a>>,
}

/// A plan on the home page.
#[derive(Serialize)]
pub struct HomePlan<'a> {
    #[serde(flatten)]
    pub plan: PlanContext<'a>,
    /// Its progress at a glance.
    pub dashboard: DashboardContext<'a>,
    /// The start of its preamble, as plain text.
    pub excerpt: String,
}

/// `plan.html`.
#[derive(Serialize)]
pub struct PlanPage<'a> {
    #[serde(flatten)]
    pub common: PageCommon<'a>,
    /// The plan, with its preamble.
    pub plan: PlanWithBody<'a>,
    /// Its sections, each with its items.
    pub sections: Vec<SectionContext<'a>>,
    /// Its tags.
    pub tags: Vec<TagContext<'a>>,
    /// Its progress at a glance.
    pub dashboard: DashboardContext<'a>,
}

/// A plan with its preamble.
#[derive(Serialize)]
pub struct PlanWithBody<'a> {
    #[serde(flatten)]
    pub plan: PlanContext<'a>,
    /// The preamble (sanitized Markdown).
    pub body_html: &'a str,
}

/// A section, with its items and body where the page lists them.
#[derive(Serialize)]
pub struct SectionContext<'a> {
    #[serde(flatten)]
    pub head: &'a SectionHead,
    /// Its items' rows (on pages that list them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<&'a ListRow>>,
    /// Its body (sanitized Markdown), where its items are listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<&'a str>,
}

/// `item.html`.
#[derive(Serialize)]
pub struct ItemPage<'a> {
    #[serde(flatten)]
    pub common: PageCommon<'a>,
    /// The item's plan.
    pub plan: PlanContext<'a>,
    /// The item's section, without its items.
    pub section: SectionContext<'a>,
    /// The item.
    pub item: ItemContext<'a>,
    /// schema.org metadata, JSON safe inside `<script>`.
    pub json_ld: String,
}

/// A work item on its page: its summary and everything else it says.
#[derive(Serialize)]
pub struct ItemContext<'a> {
    #[serde(flatten)]
    pub summary: ItemSummary<'a>,
    /// The page's absolute URL.
    pub permalink: String,
    /// The body (sanitized Markdown).
    pub body_html: &'a str,
    /// The language the body is in.
    pub body_lang: &'a str,
    /// Whether the item has a translation into the page's language.
    pub translated: bool,
    /// The deadline (`2023-12-31`), if set.
    pub due: Option<String>,
    /// The responsible units.
    pub lead: &'a [String],
    /// Pace (序时进度), when it can be computed.
    pub pace: Option<PaceContext<'a>>,
    /// The date of the latest update.
    pub as_of: Option<String>,
    /// Its targets.
    pub targets: Vec<TargetContext<'a>>,
    /// Its updates, newest first.
    pub updates: Vec<UpdateContext<'a>>,
    /// Its tags.
    pub tags: Vec<TagContext<'a>>,
    /// The items it names related.
    pub related: Vec<&'a ListRow>,
    /// The items that name it related.
    pub referenced_by: Vec<&'a ListRow>,
    /// The item before it in the plan.
    pub prev: Option<ItemSummary<'a>>,
    /// The item after it in the plan.
    pub next: Option<ItemSummary<'a>>,
    /// The other items of its section (the nearest ones in a large one).
    pub siblings: Vec<&'a ListRow>,
    /// Whether `siblings` leaves some of the section's items out.
    pub siblings_partial: bool,
    /// Its status badge.
    pub badge_url: String,
    /// The badge's text alternative.
    pub badge_alt: String,
    /// HTML that embeds the badge elsewhere.
    pub badge_embed: String,
    /// How to cite the item.
    pub citation: String,
    /// The date its figures speak for (its own, or the plan's).
    pub data_as_of: Option<String>,
    /// The item of an earlier plan it continues (`continues`).
    pub continues: Option<LineageLink>,
    /// The items of later plans that continue it.
    pub continued_in: Vec<LineageLink>,
    /// Set when the item was withdrawn from the plan.
    pub withdrawn: Option<WithdrawnContext<'a>>,
    /// Where a citation points for the official text: the plan's
    /// `source`, else the site's copy of the text (absolute), else `—`.
    pub cite_source: String,
    /// The plan's publication date for a citation, else `—`.
    pub cite_published: String,
}

/// `list.html`: the pages that list items (a section, a tag, a status)
/// and the list of tags.
#[derive(Serialize)]
pub struct ListPage<'a> {
    #[serde(flatten)]
    pub common: PageCommon<'a>,
    /// The plan.
    pub plan: PlanContext<'a>,
    /// What is listed.
    pub list: ListContext<'a>,
}

/// What a list page lists.
#[derive(Serialize)]
pub struct ListContext<'a> {
    /// `section`, `tag`, `status` or `tags`.
    pub kind: &'static str,
    /// The page's heading.
    pub heading: String,
    /// The items' rows (none for `tags`).
    pub items: Vec<&'a ListRow>,
    /// A section's body (sanitized Markdown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<&'a str>,
    /// The tag of a tag page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<TagContext<'a>>,
    /// The status of a status page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusContext<'a>>,
    /// Every tag of the plan, on the page of tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<TagContext<'a>>>,
}

/// `search.html`.
#[derive(Serialize)]
pub struct SearchPage<'a> {
    #[serde(flatten)]
    pub common: PageCommon<'a>,
    /// Every plan, with its sections (and their items when `listed`).
    pub plans: Vec<SearchPlan<'a>>,
    /// Every status, for the filter.
    pub statuses: Vec<StatusContext<'a>>,
    /// The folder of the search index.
    pub search_index: String,
}

/// A plan on the search page.
#[derive(Serialize)]
pub struct SearchPlan<'a> {
    #[serde(flatten)]
    pub plan: PlanContext<'a>,
    /// Its sections.
    pub sections: Vec<SectionContext<'a>>,
    /// Whether its items are listed for readers without JavaScript
    /// (plans of up to 500 items).
    pub listed: bool,
}

/// `404.html`.
#[derive(Serialize)]
pub struct NotFoundPage<'a> {
    #[serde(flatten)]
    pub common: PageCommon<'a>,
}

/// The template of an HTML page and its context, apart from the
/// language's globals (see [`super::common::Globals`]), which the
/// renderer adds; `None` for the files rendered without a template.
pub fn page_context(env: &RenderEnv<'_>, page: Page) -> Option<(&'static str, Value)> {
    let template = page.template()?;
    let value = match page {
        Page::Home { lang } => to_value(home_page(env, page, lang)),
        Page::Plan { plan, lang } => to_value(plan_page(env, page, plan, lang)),
        Page::Item { plan, item, lang } => to_value(item_page(env, page, plan, item, lang)),
        Page::Section {
            plan,
            section,
            lang,
        } => to_value(section_page(env, page, plan, section, lang)),
        Page::Tag { plan, tag, lang } => to_value(tag_page(env, page, plan, tag, lang)),
        Page::Status { plan, status, lang } => to_value(status_page(env, page, plan, status, lang)),
        Page::TagIndex { plan, lang } => to_value(tag_index_page(env, page, plan, lang)),
        Page::Search { lang } => to_value(search_page(env, page, lang)),
        Page::NotFound { lang } => {
            let heading = ui(env.site, lang, "not-found-heading").to_string();
            to_value(NotFoundPage {
                common: common(env, page, heading.clone(), heading, "website", false),
            })
        }
        Page::Method { lang } => to_value(super::method::method_page(env, page, lang)),
        Page::Badge { .. }
        | Page::TagRedirect { .. }
        | Page::Feed { .. }
        | Page::ItemsJson { .. }
        | Page::ItemsCsv { .. }
        | Page::Sitemap
        | Page::Robots
        | Page::Moved { .. }
        | Page::MovedBadge { .. }
        | Page::Redirects
        | Page::NginxRedirects => return None,
    };
    Some((template, value))
}

fn to_value(context: impl Serialize) -> Value {
    serde_json::to_value(context).expect("contexts have string keys only")
}

pub(super) fn common<'a>(
    env: &'a RenderEnv<'_>,
    page: Page,
    title: String,
    description: String,
    og_type: &'static str,
    translation_missing: bool,
) -> PageCommon<'a> {
    let illustrative = match page.plan() {
        Some(plan) => crate::link::lineage::is_illustrative(env.site, plan),
        None => crate::link::lineage::all_illustrative(env.site),
    };
    PageCommon {
        page: page_meta(
            env.site,
            page,
            title,
            description,
            og_type,
            translation_missing,
        ),
        shows_progress: page.shows_progress(),
        no_status_key: NO_STATUS_KEY,
        illustrative,
        illustrative_notice: illustrative.then(|| {
            let key = if crate::link::lineage::all_illustrative(env.site) {
                "illustrative-notice"
            } else {
                "illustrative-plan"
            };
            ui(env.site, page.lang().unwrap_or(0), key)
        }),
        newer_plan: page.plan().and_then(|plan| {
            let newer = crate::link::lineage::newer_plan(env.site, plan)?;
            let lang = page.lang().unwrap_or(0);
            let c = plan_context(env.site, newer, lang);
            Some(PlanLink {
                id: c.id.to_string(),
                title: c.title.to_string(),
                url: c.url,
            })
        }),
    }
}

/// The link to item `(plan, item)` from a page in `lang`, saying `key`
/// (`continues-item`, `continued-in`).
fn lineage_link(
    env: &RenderEnv<'_>,
    (plan, item): (usize, usize),
    lang: usize,
    key: &str,
) -> LineageLink {
    let site = env.site;
    let p = &site.plans[plan];
    let number = p.items[item].item.number;
    let label = p
        .plan
        .year()
        .map(|y| y.to_string())
        .unwrap_or_else(|| p.plan.id.clone());
    LineageLink {
        plan: p.plan.id.clone(),
        number,
        text: ui_fmt(
            site,
            lang,
            key,
            &[("plan", &label), ("number", &number.to_string())],
        ),
        url: href(site, &item_path(site, plan, item, lang)),
    }
}

/// The rows of items `items` of plan `plan` in language `lang`.
fn rows<'a>(env: &'a RenderEnv<'_>, plan: usize, items: &[usize], lang: usize) -> Vec<&'a ListRow> {
    items.iter().map(|&i| env.list_row(plan, i, lang)).collect()
}

/// Section `section`, with its rows and body when `with_items`.
fn section_context<'a>(
    env: &'a RenderEnv<'_>,
    plan: usize,
    section: usize,
    lang: usize,
    with_items: bool,
) -> SectionContext<'a> {
    let s = &env.site.plans[plan].sections[section];
    SectionContext {
        head: env.section_head(plan, section, lang),
        items: with_items.then(|| rows(env, plan, &s.items, lang)),
        body_html: with_items.then(|| env.bodies.plans[plan].sections[section][lang].html.as_str()),
    }
}

fn dashboard<'a>(env: &'a RenderEnv<'_>, plan: usize, lang: usize) -> DashboardContext<'a> {
    let heads = (0..env.site.plans[plan].sections.len())
        .map(|s| env.section_head(plan, s, lang))
        .collect();
    dashboard_context(env.site, plan, lang, heads)
}

fn home_page<'a>(env: &'a RenderEnv<'_>, page: Page, lang: usize) -> HomePage<'a> {
    let site = env.site;
    let lc = &site.config.languages[lang];
    HomePage {
        common: common(
            env,
            page,
            lc.title.clone(),
            lc.description.clone(),
            "website",
            false,
        ),
        plans: crate::link::lineage::newest_first(site)
            .into_iter()
            .map(|p| HomePlan {
                plan: plan_context(site, p, lang),
                dashboard: dashboard(env, p, lang),
                // Shown on the page: Chinese punctuation full-width, as
                // in the body (issue #20.7).
                excerpt: crate::render::typography::full_width_punctuation(&excerpt(
                    &env.bodies.plans[p].preamble[lang].text,
                    160,
                ))
                .into_owned(),
            })
            .collect(),
    }
}

fn plan_page<'a>(env: &'a RenderEnv<'_>, page: Page, plan: usize, lang: usize) -> PlanPage<'a> {
    let site = env.site;
    let p = &site.plans[plan];
    let code = lang_code(site, lang);
    let title = p.plan.title.get(code, &site.config.default_language).0;
    let preamble = &env.bodies.plans[plan].preamble[lang];
    let missing = !p.plan.languages.contains(code);
    let mut common = common(
        env,
        page,
        title.to_string(),
        excerpt(&preamble.text, 150),
        "website",
        missing,
    );
    // issue #18.3: a translation older than its source.
    common.page.translation_stale = p.plan.stale_translations.contains(code);
    PlanPage {
        common,
        plan: PlanWithBody {
            plan: plan_context(site, plan, lang),
            body_html: &preamble.html,
        },
        sections: (0..p.sections.len())
            .map(|s| section_context(env, plan, s, lang, true))
            .collect(),
        tags: (0..p.tags.len())
            .map(|t| tag_context(site, plan, t, lang))
            .collect(),
        dashboard: dashboard(env, plan, lang),
    }
}

pub(crate) fn item_page<'a>(
    env: &'a RenderEnv<'_>,
    page: Page,
    plan: usize,
    item: usize,
    lang: usize,
) -> ItemPage<'a> {
    let site = env.site;
    let it = &site.plans[plan].items[item];
    let code = lang_code(site, lang);
    let description = excerpt(&env.bodies.plans[plan].items[item][lang].text, 150);
    let title = format!(
        "{} {}",
        ui_fmt(
            site,
            lang,
            "item-number",
            &[("number", &it.item.number.to_string())]
        ),
        it.item.title.get(code, &site.config.default_language).0
    );
    let missing = !it.item.languages.contains(code);
    let json_ld = json_ld_item(env, plan, item, lang, &description);
    let mut common = common(env, page, title, description, "article", missing);
    // issue #18.3: a translation older than its source.
    common.page.translation_stale = it.item.stale_translations.contains(code);
    ItemPage {
        common,
        plan: plan_context(site, plan, lang),
        section: section_context(env, plan, it.section_index, lang, false),
        item: item_context(env, plan, item, lang),
        json_ld,
    }
}

/// The items of the section of `item` that its page lists: all of them
/// in a section of ordinary size, the nearest ones in a large section (a
/// list of hundreds on every item page would make the site quadratic in
/// section size); and whether that leaves some out.
fn siblings(section_items: &[usize], item: usize) -> (Vec<usize>, bool) {
    let position = section_items.iter().position(|&i| i == item).unwrap_or(0);
    let (from, to) = if section_items.len() <= MAX_SIBLINGS + 1 {
        (0, section_items.len())
    } else {
        let from = position
            .saturating_sub(MAX_SIBLINGS / 2)
            .min(section_items.len() - MAX_SIBLINGS - 1);
        (from, from + MAX_SIBLINGS + 1)
    };
    let listed = section_items[from..to]
        .iter()
        .copied()
        .filter(|&i| i != item)
        .collect();
    (listed, section_items.len() > to - from)
}

fn item_context<'a>(
    env: &'a RenderEnv<'_>,
    plan: usize,
    item: usize,
    lang: usize,
) -> ItemContext<'a> {
    let site = env.site;
    let p = &site.plans[plan];
    let it = &p.items[item];
    let code = lang_code(site, lang);
    let dl = site.config.default_language.as_str();
    let path = item_path(site, plan, item, lang);
    let permalink = absolute(site, &path);
    let badge_path = page_path(site, Page::Badge { plan, item, lang });
    let number = it.item.number.to_string();
    // The embed code is pasted elsewhere and stays as pasted: its text
    // names the badge, not today's status (issue #20.5).
    let badge_alt = ui_fmt(
        site,
        lang,
        "badge-alt",
        &[("plan", p.plan.title.get(code, dl).0), ("number", &number)],
    );
    let badge_embed = format!(
        "<a href=\"{permalink}\"><img src=\"{}\" alt=\"{}\"></a>",
        absolute(site, &badge_path),
        escape_html(&badge_alt)
    );
    let plan_title = p.plan.title.get(code, dl).0;
    let issuer = p
        .plan
        .issuer
        .as_ref()
        .map(|i| i.get(code, dl).0)
        .unwrap_or(plan_title);
    let data_as_of = it.progress.as_of.or(p.as_of).map(|d| d.iso());
    let cite_source = p.plan.source.clone().unwrap_or_else(|| {
        super::plan::source_copy_path(site, plan).map_or_else(|| "—".into(), |c| absolute(site, &c))
    });
    let cite_published = p.plan.published.map_or_else(|| "—".into(), |d| d.iso());
    let citation = ui_fmt(
        site,
        lang,
        "cite-format",
        &[
            ("issuer", issuer),
            ("plan", plan_title),
            ("number", &number),
            ("title", it.item.title.get(code, dl).0),
            ("url", &permalink),
            ("as_of", data_as_of.as_deref().unwrap_or("—")),
            ("published", &cite_published),
            ("source", &cite_source),
        ],
    );
    let (sibling_items, siblings_partial) = siblings(&p.sections[it.section_index].items, item);
    let translated = it.item.languages.contains(code);
    ItemContext {
        summary: item_summary(site, plan, item, lang),
        permalink,
        body_html: &env.bodies.plans[plan].items[item][lang].html,
        body_lang: if translated { code } else { dl },
        translated,
        due: it.item.due.map(|d| d.iso()),
        lead: &it.item.lead,
        pace: pace_context(site, plan, item, lang),
        as_of: it.progress.as_of.map(|d| d.iso()),
        targets: target_contexts(site, plan, item, lang),
        updates: update_contexts(site, plan, item, lang),
        tags: it
            .tags
            .iter()
            .map(|&t| tag_context(site, plan, t, lang))
            .collect(),
        related: rows(env, plan, &it.related, lang),
        referenced_by: rows(env, plan, &it.referenced_by, lang),
        prev: it.prev.map(|i| item_summary(site, plan, i, lang)),
        next: it.next.map(|i| item_summary(site, plan, i, lang)),
        siblings: rows(env, plan, &sibling_items, lang),
        siblings_partial,
        badge_url: href(site, &badge_path),
        badge_alt,
        badge_embed,
        citation,
        data_as_of,
        continues: it
            .continues
            .map(|c| lineage_link(env, c, lang, "continues-item")),
        continued_in: it
            .continued_in
            .iter()
            .map(|&c| lineage_link(env, c, lang, "continued-in"))
            .collect(),
        withdrawn: withdrawn_context(site, plan, item, lang),
        cite_source,
        cite_published,
    }
}

fn list_page<'a>(
    env: &'a RenderEnv<'_>,
    page: Page,
    plan: usize,
    lang: usize,
    list: ListContext<'a>,
) -> ListPage<'a> {
    let heading = list.heading.clone();
    ListPage {
        common: common(env, page, heading.clone(), heading, "website", false),
        plan: plan_context(env.site, plan, lang),
        list,
    }
}

fn section_page<'a>(
    env: &'a RenderEnv<'_>,
    page: Page,
    plan: usize,
    section: usize,
    lang: usize,
) -> ListPage<'a> {
    let s = section_context(env, plan, section, lang, true);
    // 三、加强… in Chinese; "III. Strengthen…" in English.
    let heading = section_heading(env.site, lang, &s.head.numeral, &s.head.title);
    let list = ListContext {
        kind: "section",
        heading,
        items: s.items.unwrap_or_default(),
        body_html: s.body_html,
        tag: None,
        status: None,
        tags: None,
    };
    list_page(env, page, plan, lang, list)
}

fn tag_page<'a>(
    env: &'a RenderEnv<'_>,
    page: Page,
    plan: usize,
    tag: usize,
    lang: usize,
) -> ListPage<'a> {
    let site = env.site;
    let t = tag_context(site, plan, tag, lang);
    let list = ListContext {
        kind: "tag",
        heading: ui_fmt(site, lang, "tag-heading", &[("tag", t.name)]),
        items: rows(env, plan, &site.plans[plan].tags[tag].items, lang),
        body_html: None,
        tag: Some(t),
        status: None,
        tags: None,
    };
    list_page(env, page, plan, lang, list)
}

fn status_page<'a>(
    env: &'a RenderEnv<'_>,
    page: Page,
    plan: usize,
    status: usize,
    lang: usize,
) -> ListPage<'a> {
    let site = env.site;
    let g = &site.plans[plan].statuses[status];
    let list = ListContext {
        kind: "status",
        heading: ui_fmt(
            site,
            lang,
            "status-heading",
            &[("status", status_label(site, lang, g.key))],
        ),
        items: rows(env, plan, &g.items, lang),
        body_html: None,
        tag: None,
        status: Some(status_context(site, lang, g.key)),
        tags: None,
    };
    list_page(env, page, plan, lang, list)
}

fn tag_index_page<'a>(
    env: &'a RenderEnv<'_>,
    page: Page,
    plan: usize,
    lang: usize,
) -> ListPage<'a> {
    let site = env.site;
    let mut tags: Vec<TagContext<'_>> = (0..site.plans[plan].tags.len())
        .map(|t| tag_context(site, plan, t, lang))
        .collect();
    // By pinyin in Chinese, alphabetically in English (issue #20.6).
    crate::render::collation::sort_by_name(&mut tags, lang_code(site, lang), |t| t.name);
    let list = ListContext {
        kind: "tags",
        heading: ui(site, lang, "tags-heading").to_string(),
        items: Vec::new(),
        body_html: None,
        tag: None,
        status: None,
        tags: Some(tags),
    };
    list_page(env, page, plan, lang, list)
}

fn search_page<'a>(env: &'a RenderEnv<'_>, page: Page, lang: usize) -> SearchPage<'a> {
    let site = env.site;
    let heading = ui(site, lang, "search-heading").to_string();
    SearchPage {
        common: common(env, page, heading.clone(), heading, "website", false),
        plans: (0..site.plans.len())
            .map(|p| {
                let listed = site.plans[p].items.len() <= MAX_ITEMS_ON_SEARCH_PAGE;
                SearchPlan {
                    plan: plan_context(site, p, lang),
                    sections: (0..site.plans[p].sections.len())
                        .map(|s| section_context(env, p, s, lang, listed))
                        .collect(),
                    listed,
                }
            })
            .collect(),
        statuses: crate::link::status_keys()
            .into_iter()
            .map(|k| status_context(site, lang, k))
            .collect(),
        search_index: href(site, &search_index_path(site, lang)),
    }
}
