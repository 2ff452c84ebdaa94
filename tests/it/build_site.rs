//! The build engine end to end, on the small fixture site
//! (tests/fixtures/basic/) and on the repository's real content: the URL
//! contract of docs/content-format.md, hreflang and canonical links, the
//! language switch, base URLs with a path, missing translations, atomic and
//! reproducible builds, untrusted content, and the command line.

use crate::common::*;
use std::collections::{BTreeMap, BTreeSet};

const BASIC_BASE: &str = "https://example.org/plan/";
const REAL_BASE: &str = "https://jyj.example.gov.cn/plan/";

/// The language prefixes of the contract: the default language has none.
const LANGS: [(&str, &str, &str); 2] = [("zh", "", "zh-Hans"), ("en", "en/", "en")];

/// Every output path the URL contract promises for a plan with these items
/// (and these tag slugs).
fn contract_paths(plan: &str, numbers: &[u64], tag_slugs: &[&str]) -> Vec<String> {
    let mut paths = vec![
        "robots.txt".to_string(),
        "sitemap.xml".to_string(),
        "404.html".to_string(),
        format!("{plan}/items.json"),
        format!("{plan}/items.csv"),
    ];
    for (_, pre, _) in LANGS {
        paths.push(format!("{pre}index.html"));
        paths.push(format!("{pre}search/index.html"));
        paths.push(format!("{pre}{plan}/index.html"));
        paths.push(format!("{pre}{plan}/updates.xml"));
        paths.push(format!("{pre}{plan}/tags/index.html"));
        for n in numbers {
            paths.push(format!("{pre}{plan}/{n}/index.html"));
            paths.push(format!("{pre}{plan}/{n}/badge.svg"));
        }
        for slug in tag_slugs {
            paths.push(format!("{pre}{plan}/tags/{slug}/index.html"));
        }
    }
    paths
}

fn assert_contract(built: &Built, plan: &str, numbers: &[u64], tag_slugs: &[&str]) {
    let mut f = Failures::new();
    for p in contract_paths(plan, numbers, tag_slugs) {
        f.check(built.has(&p), || format!("missing {p}"));
    }
    f.assert_none("URL contract");
}

/// Item numbers of a plan as items.json lists them.
fn item_numbers(built: &Built, plan: &str) -> Vec<u64> {
    built.json(&format!("{plan}/items.json"))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_u64().unwrap())
        .collect()
}

#[test]
fn every_contract_url_exists_in_both_languages() {
    assert_contract(basic(), "2023", &[1, 2, 3, 4], &["safety", "preschool"]);
}

#[test]
fn every_contract_url_of_the_real_plan_exists_in_both_languages() {
    let numbers: Vec<u64> = (1..=31).collect();
    assert_eq!(item_numbers(plan2023(), "2023"), numbers);
    assert_contract(
        plan2023(),
        "2023",
        &numbers,
        &["preschool", "safety", "party-building"],
    );
}

#[test]
fn the_real_plan_has_62_item_pages_and_62_badges() {
    let built = plan2023();
    let is_item_dir = |p: &str, file: &str| {
        let p = p.strip_prefix("en/").unwrap_or(p);
        let parts: Vec<&str> = p.split('/').collect();
        parts.len() == 3
            && parts[0] == "2023"
            && parts[1].parse::<u32>().is_ok()
            && parts[2] == file
    };
    let pages = built
        .output
        .files
        .keys()
        .filter(|p| is_item_dir(p, "index.html"))
        .count();
    let badges = built
        .output
        .files
        .keys()
        .filter(|p| is_item_dir(p, "badge.svg"))
        .count();
    assert_eq!((pages, badges), (62, 62));
}

/// Checks `<html lang>`, canonical and the hreflang alternates of every
/// item page of a plan.
fn assert_hreflang(built: &Built, base: &str, plan: &str) {
    let mut f = Failures::new();
    for n in item_numbers(built, plan) {
        let zh_url = format!("{base}{plan}/{n}/");
        let en_url = format!("{base}en/{plan}/{n}/");
        for (code, pre, tag) in LANGS {
            let path = format!("{pre}{plan}/{n}/index.html");
            let html = built.text(&path);
            let own = if code == "zh" { &zh_url } else { &en_url };
            let html_tag = tags_named(html, "html");
            f.check(
                html_tag.first().and_then(|t| t.attr("lang")) == Some(tag),
                || {
                    format!(
                        "{path}: <html lang> is {:?}, not {tag:?}",
                        html_tag.first().map(|t| &t.attrs)
                    )
                },
            );
            let canonical: Vec<String> = links_with_rel(html, "canonical")
                .iter()
                .filter_map(|t| t.attr("href").map(str::to_string))
                .collect();
            f.check(canonical == vec![own.clone()], || {
                format!("{path}: canonical is {canonical:?}, expected [{own}]")
            });
            let alternates: Vec<(String, String)> = links_with_rel(html, "alternate")
                .iter()
                .filter(|t| t.attr("hreflang").is_some())
                .map(|t| {
                    (
                        t.attr("hreflang").unwrap().to_string(),
                        t.attr("href").unwrap_or("").to_string(),
                    )
                })
                .collect();
            let expected = vec![
                ("zh-Hans".to_string(), zh_url.clone()),
                ("en".to_string(), en_url.clone()),
                ("x-default".to_string(), zh_url.clone()),
            ];
            let got: BTreeSet<_> = alternates.iter().cloned().collect();
            let want: BTreeSet<_> = expected.iter().cloned().collect();
            f.check(got == want && alternates.len() == 3, || {
                format!("{path}: hreflang alternates are {alternates:?}, expected {expected:?}")
            });
        }
    }
    f.assert_none("hreflang");
}

#[test]
fn item_pages_declare_hreflang_pairs_and_their_own_canonical_url() {
    assert_hreflang(basic(), BASIC_BASE, "2023");
}

#[test]
fn real_item_pages_declare_hreflang_pairs_and_their_own_canonical_url() {
    assert_hreflang(plan2023(), REAL_BASE, "2023");
}

#[test]
fn language_switch_goes_to_the_same_item_in_the_other_language() {
    let built = basic();
    let mut f = Failures::new();
    for n in [1, 2, 3, 4] {
        for (code, pre, _) in LANGS {
            let path = format!("{pre}2023/{n}/index.html");
            let (other_tag, other_url) = if code == "zh" {
                ("en", format!("/plan/en/2023/{n}/"))
            } else {
                ("zh-Hans", format!("/plan/2023/{n}/"))
            };
            // The switch is made of <a hreflang=…> links in the page body.
            let switch: Vec<(String, String)> = tags_named(built.text(&path), "a")
                .iter()
                .filter(|t| t.attr("hreflang").is_some())
                .map(|t| {
                    (
                        t.attr("hreflang").unwrap().to_string(),
                        t.attr("href").unwrap_or("").to_string(),
                    )
                })
                .collect();
            f.check(
                switch == vec![(other_tag.to_string(), other_url.clone())],
                || format!("{path}: language switch is {switch:?}, expected [({other_tag:?}, {other_url:?})]"),
            );
        }
    }
    f.assert_none("language switch");
}

/// Whether a URL attribute value is one of ours (not another site, not a
/// fragment on the same page, not mailto:/tel:/data:).
fn is_internal(url: &str) -> bool {
    !(url.is_empty()
        || url.starts_with('#')
        || url.starts_with("//")
        || url.contains("://")
        || url.starts_with("mailto:")
        || url.starts_with("tel:")
        || url.starts_with("data:"))
}

#[test]
fn base_url_with_a_path_prefixes_every_link_asset_and_data_url() {
    let base = "https://example.gov.cn/sub/path/";
    let site = TestSite::fixture("basic");
    let built = site
        .build_with_base(Some(base))
        .unwrap_or_else(|d| panic!("{}", d.render()));
    let mut f = Failures::new();
    let mut seen = 0;
    for (path, bytes) in &built.output.files {
        if !path.ends_with(".html") {
            continue;
        }
        let html = std::str::from_utf8(bytes).unwrap();
        for tag in start_tags(html) {
            for attr in URL_ATTRIBUTES {
                let Some(url) = tag.attr(attr) else { continue };
                seen += 1;
                if is_internal(url) {
                    f.check(url.starts_with("/sub/path/"), || {
                        format!(
                            "{path}: <{} {attr}=\"{url}\"> does not start with /sub/path/",
                            tag.name
                        )
                    });
                } else if url.starts_with("https://example.gov.cn") {
                    f.check(url.starts_with(base), || {
                        format!(
                            "{path}: <{} {attr}=\"{url}\"> does not start with {base}",
                            tag.name
                        )
                    });
                }
            }
        }
        // The page's own absolute URL: canonical and og:url.
        let page_url = {
            let p = path.strip_suffix("index.html").unwrap_or(path);
            format!("{base}{p}")
        };
        let canonical = links_with_rel(html, "canonical")
            .first()
            .and_then(|t| t.attr("href").map(str::to_string));
        f.check(canonical.as_deref() == Some(page_url.as_str()), || {
            format!("{path}: canonical is {canonical:?}, expected {page_url}")
        });
        let og = meta(html, "og:url");
        f.check(og.as_deref() == Some(page_url.as_str()), || {
            format!("{path}: og:url is {og:?}, expected {page_url}")
        });
    }
    assert!(
        seen > 100,
        "only {seen} URL attributes found: is the reader broken?"
    );
    // Feeds, sitemap, robots.txt and the data files carry absolute URLs.
    for path in ["2023/updates.xml", "en/2023/updates.xml", "sitemap.xml"] {
        let xml = built.text(path);
        for (i, _) in xml.match_indices("https://") {
            let url = &xml[i..];
            let known_other = [
                "https://schema.org",
                "https://www.w3.org",
                "http://www.w3.org",
            ];
            if known_other.iter().any(|o| url.starts_with(o)) {
                continue;
            }
            f.check(url.starts_with(base), || {
                format!(
                    "{path}: URL {} does not start with {base}",
                    &url[..url.find(['<', '"']).unwrap_or(url.len()).min(80)]
                )
            });
        }
    }
    f.check(
        built
            .text("robots.txt")
            .contains(&format!("Sitemap: {base}sitemap.xml")),
        || {
            format!(
                "robots.txt does not point at {base}sitemap.xml:\n{}",
                built.text("robots.txt")
            )
        },
    );
    let items = built.json("2023/items.json");
    for item in items["items"].as_array().unwrap() {
        for (code, pre, _) in LANGS {
            let want = format!("{base}{pre}2023/{}/", item["number"]);
            f.check(item["url"][code] == want.as_str(), || {
                format!(
                    "items.json: item {} url.{code} is {}, expected {want}",
                    item["number"], item["url"][code]
                )
            });
        }
    }
    f.assert_none("base URL");
}

#[test]
fn missing_translation_is_shown_in_chinese_with_the_notice() {
    let built = basic();
    let notice = ui_strings("en")["translation-missing"].clone();
    let en = built.text("en/2023/2/index.html");
    let h1 = tags_named(en, "h1");
    let h1 = h1.first().expect("an <h1>");
    assert_eq!(
        h1.attr("lang"),
        Some("zh"),
        "the Chinese title is marked lang=\"zh\""
    );
    assert_eq!(inner_text(&element_at(en, h1).unwrap()), "开展应急疏散演练");
    assert!(
        inner_text(en).contains(&notice),
        "the en page of an untranslated item shows the notice {notice:?}"
    );
    // Translated pages, and the page in the default language, do not.
    for path in [
        "2023/2/index.html",
        "en/2023/1/index.html",
        "en/2023/3/index.html",
    ] {
        assert!(
            !inner_text(built.text(path)).contains(&notice),
            "{path} shows the missing-translation notice"
        );
    }
}

#[test]
fn check_lists_a_missing_translation_as_a_warning_and_succeeds() {
    let site = TestSite::fixture("basic");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/2023/1-safety/02-drills.md:1:1: warning: no `en` translation; the item is shown in the default language with a notice"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(": error:"), "{}", run.stderr);
    assert!(!site.path("public").exists(), "check wrote public/");
}

/// The basic fixture, built once into `<temp>/public`; returns the site,
/// the temporary folder and the output folder.
fn basic_site_built_into_public() -> (TestSite, tempfile::TempDir, std::path::PathBuf) {
    let site = TestSite::fixture("basic");
    let out_parent = tempfile::tempdir().unwrap();
    let out = out_parent.path().join("public");
    let first = site.run(&["build", "--output", out.to_str().unwrap()]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    (site, out_parent, out)
}

/// The names in a folder, sorted.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn failed_build_keeps_previous_site() {
    let (site, out_parent, out) = basic_site_built_into_public();
    let out_arg = out.to_str().unwrap();
    let before = read_tree(&out);
    assert!(before.contains_key("2023/1/index.html"));

    let item = "content/2023/1-safety/01-campus-safety.md";
    let broken = site
        .read(item)
        .replace("status = \"completed\"", "status = \"doing\"");
    site.write(item, broken);
    let second = site.run(&["build", "--output", out_arg]);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(
        second.stderr.contains("unknown status \"doing\""),
        "{}",
        second.stderr
    );

    let after = read_tree(&out);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the failed build changed the list of files"
    );
    let changed: Vec<&String> = before
        .iter()
        .filter(|(p, b)| after.get(*p) != Some(b))
        .map(|(p, _)| p)
        .collect();
    assert!(changed.is_empty(), "the failed build changed {changed:?}");
    let beside = names_in(out_parent.path());
    assert_eq!(
        beside,
        vec!["public".to_string()],
        "staging folders were left behind"
    );
}

#[test]
#[cfg(unix)]
fn build_failing_after_pages_are_staged_leaves_previous_files_and_inodes() {
    // Unchanged files are linked from the previous output into the staging
    // folder; a build that fails late (here: a broken link, found once
    // everything is written) must not have changed any of them.
    use std::os::unix::fs::MetadataExt;
    let (site, out_parent, out) = basic_site_built_into_public();
    let out_arg = out.to_str().unwrap();
    let snapshot = |dir: &std::path::Path| -> BTreeMap<String, (Vec<u8>, u64, i64)> {
        read_tree(dir)
            .into_iter()
            .map(|(p, bytes)| {
                let m = std::fs::metadata(dir.join(&p)).unwrap();
                (p, (bytes, m.ino(), m.mtime_nsec()))
            })
            .collect()
    };
    let before = snapshot(&out);

    let item = "content/2023/1-safety/02-drills.md";
    let text = site.read(item);
    site.write(item, format!("{text}\n[无此页](/2023/99/)\n"));
    let second = site.run(&["build", "--output", out_arg]);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(second.stderr.contains("2023/99"), "{}", second.stderr);
    assert!(
        before == snapshot(&out),
        "the failed build changed the previous output"
    );
    let beside = names_in(out_parent.path());
    assert_eq!(beside, ["public"], "staging folders were left behind");
}

#[test]
#[cfg(unix)]
fn rebuild_links_unchanged_files_and_rewrites_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let (site, out_parent, out) = basic_site_built_into_public();
    let out_arg = out.to_str().unwrap();
    let inode = |p: &str| std::fs::metadata(out.join(p)).unwrap().ino();
    let unchanged = "2023/2/badge.svg";
    let edited = "2023/1/index.html";
    let (unchanged_inode, edited_inode) = (inode(unchanged), inode(edited));

    // Edit item 1's body: its pages change, item 2's badge does not.
    let item = "content/2023/1-safety/01-campus-safety.md";
    let text = site.read(item);
    let body_line = text.lines().last().unwrap().to_string();
    site.write(
        item,
        text.replace(&body_line, &format!("{body_line} 新增一句。")),
    );
    let second = site.run(&["build", "--output", out_arg]);
    assert_eq!(second.code, 0, "{}", second.stderr);

    // Same bytes: the previous file, linked into the new output (same
    // inode, so the same modification time for web servers and caches).
    assert_eq!(
        inode(unchanged),
        unchanged_inode,
        "{unchanged} was written again"
    );
    // New bytes: a new file; the old one went with the old output.
    assert_ne!(inode(edited), edited_inode, "{edited} was not rewritten");
    let page = std::fs::read_to_string(out.join(edited)).unwrap();
    assert!(
        page.contains("新增一句。"),
        "{edited} does not show the edit"
    );
    assert_eq!(std::fs::metadata(out.join(unchanged)).unwrap().nlink(), 1);
    // And the result is what a build into an empty folder gives.
    let fresh = out_parent.path().join("fresh");
    let third = site.run(&["build", "--output", fresh.to_str().unwrap()]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert!(
        read_tree(&out) == read_tree(&fresh),
        "a rebuild differs from a fresh build"
    );
    let beside = names_in(out_parent.path());
    assert_eq!(
        beside,
        ["fresh", "public"],
        "old or staging folders were left behind"
    );
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let site = TestSite::plan2023();
    let outs = tempfile::tempdir().unwrap();
    let mut trees = Vec::new();
    for name in ["a", "b"] {
        let out = outs.path().join(name);
        let run = site.run(&["build", "--output", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        trees.push(read_tree(&out));
    }
    let (a, b) = (&trees[0], &trees[1]);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let differ: Vec<&String> = a
        .iter()
        .filter(|(p, x)| b[*p] != **x)
        .map(|(p, _)| p)
        .collect();
    assert!(differ.is_empty(), "two builds differ in {differ:?}");
    // What is written is exactly what the library renders, and the file
    // that marks the folder as planpub's.
    assert!(a.contains_key(planpub::write::OUTPUT_MARKER));
    let a: BTreeMap<String, Vec<u8>> = a
        .iter()
        .filter(|(p, _)| p.as_str() != planpub::write::OUTPUT_MARKER)
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect();
    let memory = &plan2023().output.files;
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        memory.keys().collect::<Vec<_>>()
    );
    let differ: Vec<&String> = a
        .iter()
        .filter(|(p, x)| memory[*p] != **x)
        .map(|(p, _)| p)
        .collect();
    assert!(
        differ.is_empty(),
        "the written site differs from the in-memory build in {differ:?}"
    );
}

/// Whether an output file is read as markup by a browser or feed reader.
fn is_markup(path: &str) -> bool {
    [".html", ".svg", ".xml"].iter().any(|e| path.ends_with(e))
}

#[test]
fn untrusted_body_and_title_leave_no_script_handler_or_javascript_url() {
    // Item 5: a title with <script>, a body with <script>, <img onerror>
    // and javascript: links, in both languages.
    let site = TestSite::fixture("basic");
    site.overlay("untrusted", &[]);
    let built = site.build_ok();
    assert!(built.has("2023/5/index.html") && built.has("en/2023/5/index.html"));
    let mut f = Failures::new();
    let mut markup_files = 0;
    for (path, bytes) in &built.output.files {
        if path.starts_with("static/") {
            continue; // the theme's own files
        }
        let text = String::from_utf8_lossy(bytes);
        if is_markup(path) || path.ends_with(".txt") {
            markup_files += 1;
            let lower = text.to_lowercase();
            for bad in ["<script>alert", "onerror", "javascript:"] {
                f.check(!lower.contains(bad), || {
                    let at = lower.find(bad).unwrap();
                    format!("{path} contains {bad:?}: {}", context_at(&lower, at, 80))
                });
            }
            for p in injection_problems(&text) {
                f.push(format!("{path}: {p}"));
            }
        } else if path.ends_with(".json") {
            // Data files carry the title as data (a JSON string), for
            // consumers to escape; they must stay valid JSON.
            f.check(
                serde_json::from_slice::<serde_json::Value>(bytes).is_ok(),
                || format!("{path} is not valid JSON"),
            );
        }
    }
    assert!(markup_files > 20);
    // The hostile title is shown as text, not dropped.
    let page = built.text("2023/5/index.html");
    let h1 = tags_named(page, "h1");
    assert_eq!(
        inner_text(&element_at(page, &h1[0]).unwrap()),
        "校园安全<script>alert(1)</script>"
    );
    let items = built.json("2023/items.json");
    let item5 = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == 5)
        .unwrap();
    assert_eq!(item5["title"]["zh"], "校园安全<script>alert(1)</script>");
    f.assert_none("untrusted body and title");
}

#[test]
fn untrusted_front_matter_text_is_escaped_in_every_page_badge_and_feed() {
    // Item 6: hostile lead, tag, target label and unit, update text, and
    // an English title that tries to close an attribute.
    let site = TestSite::fixture("basic");
    site.overlay("untrusted-fields", &[]);
    let built = site.build_ok();
    assert!(built.has("2023/6/index.html") && built.has("en/2023/6/badge.svg"));
    let mut f = Failures::new();
    for (path, bytes) in &built.output.files {
        if path.starts_with("static/") || !is_markup(path) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for p in injection_problems(&text) {
            f.push(format!("{path}: {p}"));
        }
        f.check(!text.to_lowercase().contains("<script>alert"), || {
            format!("{path} contains <script>alert")
        });
    }
    for path in ["2023/updates.xml", "en/2023/updates.xml"] {
        let problems = xml_balance_problems(built.text(path));
        f.check(problems.is_empty(), || format!("{path}: {problems:?}"));
    }
    f.assert_none("untrusted front matter");
}

#[test]
fn item_page_matches_its_snapshot() {
    insta::assert_snapshot!("basic_item_3_zh", basic().text("2023/3/index.html"));
}

#[test]
fn help_and_version_exit_zero() {
    let help = planpub(&["--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(
        help.stdout.contains("build") && help.stdout.contains("check"),
        "{}",
        help.stdout
    );
    let version = planpub(&["--version"]);
    assert_eq!(version.code, 0, "{}", version.stderr);
    assert!(
        version.stdout.contains(env!("CARGO_PKG_VERSION")),
        "{}",
        version.stdout
    );
}

#[test]
fn unknown_flag_is_a_usage_error_exiting_2() {
    let run = planpub(&["build", "--no-such-flag"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.stderr);
    let run = planpub(&["no-such-command"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn injection_checker_flags_handlers_scripts_and_javascript_urls() {
    // The checker the two tests above rely on must itself catch injections.
    let bad = r#"<p><img src=x onerror=alert(1)><a href=" JaVaScRiPt:alert(1)">x</a><script>alert(1)</script><svg onload=alert(1)></svg></p>"#;
    assert_eq!(
        injection_problems(bad).len(),
        4,
        "{:?}",
        injection_problems(bad)
    );
    let good = r#"<script type="application/ld+json">{"a":"\u003c"}</script><script src="/plan/static/site.js" defer></script><p>&lt;script&gt;alert(1) onerror=x</p><a href="https://a.cn/">a</a>"#;
    assert_eq!(injection_problems(good), Vec::<String>::new());
}

#[test]
// Regression: an undefined tag named `../../x` once wrote outside the output.
fn a_tag_name_cannot_write_outside_its_tag_folder() {
    // Tags not defined in site.toml get a slug from their name; a name
    // holding `..` or `/` must not turn into an output path that climbs out
    // of (or nests inside) <plan>/tags/.
    let site = TestSite::fixture("basic");
    site.overlay("hostile-tag", &[]);
    let mut f = Failures::new();
    match site.build() {
        Err(diags) => {
            // Refusing the tag is fine, if the error names the file.
            f.check(
                diags
                    .render()
                    .contains("content/2023/1-safety/07-traversal.md"),
                || {
                    format!(
                        "the build failed without naming the file:\n{}",
                        diags.render()
                    )
                },
            );
        }
        Ok(built) => {
            for path in built.output.files.keys() {
                let segments: Vec<&str> = path.split('/').collect();
                f.check(
                    !path.starts_with('/')
                        && !segments
                            .iter()
                            .any(|s| s.is_empty() || *s == "." || *s == ".."),
                    || format!("output path {path:?} is not a plain relative path"),
                );
                if let Some(rest) = path
                    .strip_prefix("2023/tags/")
                    .or_else(|| path.strip_prefix("en/2023/tags/"))
                {
                    f.check(rest == "index.html" || rest.split('/').count() == 2, || {
                        format!("tag page {path:?} is not <plan>/tags/<slug>/index.html")
                    });
                }
            }
        }
    }
    f.assert_none("tag slugs");
}

#[test]
fn search_results_of_an_untranslated_item_carry_its_language() {
    // Item 2 of the basic fixture has no English file: the English index
    // shows its Chinese title and text, and says so (search.js sets `lang`).
    let built = basic();
    let rows: Vec<serde_json::Value> = built
        .output
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("en/search/index/docs/"))
        .flat_map(|(_, b)| serde_json::from_slice::<Vec<serde_json::Value>>(b).unwrap())
        .collect();
    assert!(!rows.is_empty());
    for row in &rows {
        let row = row.as_array().unwrap();
        match row[0].as_u64() {
            Some(2) => assert_eq!(row.len(), 7, "{row:?}"),
            _ => assert_eq!(row.len(), 6, "translated items need no language: {row:?}"),
        }
    }
    let two = rows.iter().find(|r| r[0] == 2).unwrap();
    assert_eq!(two[6], "zh");
    // The Chinese index never marks its rows.
    for (p, b) in built
        .output
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("search/index/docs/"))
    {
        let rows: Vec<Vec<serde_json::Value>> = serde_json::from_slice(b).unwrap();
        assert!(rows.iter().all(|r| r.len() == 6), "{p}");
    }
}
