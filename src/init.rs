//! `planpub init`: the files of a new site that builds, checks and serves
//! at once. Not a pipeline stage: it only writes a handful of starter
//! files (site.toml, one plan with one section and one item in both
//! languages, a .gitignore) into a folder that holds no site yet, and
//! never overwrites anything.
//!
//! The site uses the default theme built into the binary, so it needs no
//! `themes/` folder.

use std::path::{Path, PathBuf};

/// Why a site could not be created.
#[derive(Debug)]
pub enum InitError {
    /// The folder already holds a site (site.toml or content/).
    SiteExists(PathBuf),
    /// The plan id cannot name a folder and a URL segment.
    BadPlanId(String),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::SiteExists(p) => write!(f, "{} already exists", p.display()),
            InitError::BadPlanId(id) => write!(
                f,
                "plan id {id:?} must be letters a-z, digits and '-', e.g. 2026"
            ),
            InitError::Io(p, e) => write!(f, "cannot write {}: {e}", p.display()),
        }
    }
}

/// The files of a new site, by path relative to its folder, for a plan
/// with the id `plan` (a year, usually).
pub fn starter_files(plan: &str) -> Vec<(String, String)> {
    let section = format!("content/{plan}/1-first-section");
    vec![
        ("site.toml".into(), site_toml()),
        (".gitignore".into(), GITIGNORE.into()),
        (
            format!("content/{plan}/_index.md"),
            format!(
                "+++\ntitle = \"{plan}年工作要点\"\n# issuer = \"某某市教育局\"\n# published = {plan}-01-01\n# source = \"https://example.gov.cn/…\"\n+++\n\n在此写工作要点的总体要求。\n"
            ),
        ),
        (
            format!("content/{plan}/_index.en.md"),
            format!(
                "+++\ntitle = \"Work plan for {plan}\"\n+++\n\nThe plan's general requirements.\n"
            ),
        ),
        (
            format!("{section}/_index.md"),
            "+++\nnumber = 1\ntitle = \"第一部分\"\n+++\n".into(),
        ),
        (
            format!("{section}/_index.en.md"),
            "+++\ntitle = \"First section\"\n+++\n".into(),
        ),
        (
            format!("{section}/01-first-item.md"),
            ITEM_ZH.replace("{plan}", plan),
        ),
        (
            format!("{section}/01-first-item.en.md"),
            ITEM_EN.replace("{plan}", plan),
        ),
    ]
}

/// Creates a new site in `dir` (created if missing) and returns the paths
/// written, relative to `dir`. Refuses a folder that already holds
/// site.toml or content/, and writes nothing then.
pub fn init_site(dir: &Path, plan: &str) -> Result<Vec<String>, InitError> {
    let valid_id = !plan.is_empty()
        && plan
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_id {
        return Err(InitError::BadPlanId(plan.to_string()));
    }
    for taken in ["site.toml", "content"] {
        let path = dir.join(taken);
        if path.symlink_metadata().is_ok() {
            return Err(InitError::SiteExists(path));
        }
    }
    let files = starter_files(plan);
    let mut written = Vec::new();
    for (rel, text) in &files {
        let path = dir.join(rel);
        if rel == ".gitignore" && path.exists() {
            // A folder that is already a repository keeps its own.
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| InitError::Io(parent.into(), e))?;
        }
        std::fs::write(&path, text).map_err(|e| InitError::Io(path.clone(), e))?;
        written.push(rel.clone());
    }
    Ok(written)
}

/// The current year (UTC), the default plan id of a new site.
pub fn current_year() -> i64 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    year_of_day(days)
}

/// The proleptic Gregorian year of a day counted from 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn year_of_day(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

fn site_toml() -> String {
    String::from(
        r#"# planpub site configuration. `planpub help format` prints the content
# format: the layout of content/, every front matter field, the URLs.

# The public address of the site. Every link, badge and data URL carries
# its path, so build for the address you publish at (or pass --base-url).
base_url = "https://example.gov.cn/plan/"
default_language = "zh"
theme = "default"

# One table per language; their order is the language menu's order.
[languages.zh]
title = "工作要点"
description = "年度工作要点及其落实进度"

[languages.en]
title = "Work Plan"
description = "The annual work priorities and progress on them"

# Set to true while the progress figures are made up (a demonstration):
# every page, badge, feed and data file showing progress then says so.
[progress]
illustrative = false

# The topic vocabulary: each tag an item names, with its URL slug and its
# English name.
# [tags."学前教育"]
# slug = "preschool"
# en = "Preschool education"
"#,
    )
}

const GITIGNORE: &str = "# The built site, and the staging folder of a build that was interrupted.
/public/
/.public.planpub-new-*
";

const ITEM_ZH: &str = r#"+++
number = 1
title = "第一项工作"
status = "not-started"    # not-started | in-progress | completed | delayed | ongoing
# lead = ["牵头单位"]
# due = {plan}-12-31
# tags = ["学前教育"]     # defined in site.toml
# related = [2]

# [[targets]]
# key = "new-schools"     # anchor #target-new-schools
# label = "新建学校"
# goal = 10
# actual = 4
# unit = "所"

# [[updates]]
# date = {plan}-06-30
# status = "in-progress"
# text = "已完成四所。"
+++
在此写这项工作的内容。
"#;

const ITEM_EN: &str = r#"+++
title = "The first task"

# [targets.new-schools]
# label = "New schools"
# unit = ""

# [updates.{plan}-06-30]
# text = "Four are finished."
+++
What this task is about.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_of_day_crosses_year_and_leap_boundaries() {
        assert_eq!(year_of_day(0), 1970);
        assert_eq!(year_of_day(364), 1970);
        assert_eq!(year_of_day(365), 1971);
        // 2024-02-29 and 2024-12-31, 2025-01-01.
        assert_eq!(year_of_day(19_782), 2024);
        assert_eq!(year_of_day(20_088), 2024);
        assert_eq!(year_of_day(20_089), 2025);
    }

    #[test]
    fn plan_ids_that_cannot_be_a_url_segment_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["", "20 23", "../x", "计划", "A"] {
            assert!(matches!(
                init_site(dir.path(), bad),
                Err(InitError::BadPlanId(_))
            ));
        }
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }
}
