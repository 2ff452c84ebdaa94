//! Links that never change meaning (issue #19.4): a renumbered item's old
//! URLs lead to it in every language (a page that redirects, the current
//! badge, `_redirects`, an nginx map answering 301), a withdrawn item
//! keeps its page and leaves the figures, `planpub renumber` rewrites a
//! site so that every old URL still leads to the item it meant, and Atom
//! entry ids survive it.
//!
//! tests/fixtures/renumbered/ is tests/fixtures/basic/ after a
//! renumbering by hand: item 3 is now item 5 (`former_numbers = [3]`) and
//! item 4 is withdrawn.

use crate::common::*;
use crate::deploy_servers::{Server, free_port, get, header, wait_until_listening};
use planpub::diagnostics::Diagnostics;
use planpub::write::OutputDir;
use planpub::{BuildOptions, build_and_write};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const BASE: &str = "/plan/";

/// The output file a root-relative URL of the site names.
fn output_path_of(url: &str) -> String {
    let path = url
        .strip_prefix(BASE)
        .unwrap_or_else(|| panic!("{url} is not under {BASE}"));
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// The URL a page's `<meta http-equiv="refresh">` sends the browser to.
fn refresh_target(html: &str) -> Option<String> {
    let content = tags_named(html, "meta")
        .into_iter()
        .find(|t| {
            t.attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        })?
        .attr("content")?
        .to_string();
    let (delay, url) = content.split_once(';')?;
    assert_eq!(delay.trim(), "0", "the redirect waits: {content}");
    Some(url.trim().strip_prefix("url=")?.to_string())
}

/// The text of the page's `<h1>`.
fn heading(html: &str) -> String {
    let h1 = tags_named(html, "h1");
    inner_text(&element_at(html, &h1[0]).unwrap())
}

/// The `(old, new, code)` lines of a `_redirects` file, comments left out.
fn redirect_lines(text: &str) -> BTreeSet<(String, String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 3, "a _redirects line is `old new code`: {l:?}");
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

/// The entries of the `map` block of redirects.nginx.conf, `default` left
/// out, each `"key" "value";` as (key, value).
fn nginx_map_entries(text: &str) -> BTreeSet<(String, String)> {
    let start = text
        .find("map $uri $planpub_redirect {")
        .expect("the map block");
    let block = &text[start..];
    let block = &block[block.find('{').unwrap() + 1..block.find('}').unwrap()];
    block
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty() && !l.starts_with("default "))
        .map(|l| {
            let l = l.strip_suffix(';').expect("an entry ends with ;");
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 2, "an entry is `key value;`: {l:?}");
            (f[0].trim_matches('"').into(), f[1].trim_matches('"').into())
        })
        .collect()
}

#[test]
fn old_item_urls_in_both_languages_lead_to_the_renumbered_item() {
    let built = TestSite::fixture("renumbered").build_ok();
    let mut f = Failures::new();
    for (old, new, title, heading_words) in [
        (
            "2023/3/index.html",
            "2023/5/index.html",
            "新建公办幼儿园",
            "第3条现为第5条",
        ),
        (
            "en/2023/3/index.html",
            "en/2023/5/index.html",
            "Build public kindergartens",
            "Item 3 is now item 5",
        ),
    ] {
        let html = built.text(old);
        let target = refresh_target(html);
        f.check(target.is_some(), || format!("{old}: no meta refresh"));
        let Some(target) = target else { continue };
        f.check(output_path_of(&target) == new, || {
            format!("{old} redirects to {target}, not to {new}")
        });
        // The target exists and is the item it meant.
        let new_html = built.text(&output_path_of(&target));
        f.check(heading(new_html).contains(title), || {
            format!("{target} is not the item titled {title}")
        });
        f.check(heading(html) == heading_words, || {
            format!("{old}: heading {:?}", heading(html))
        });
        let links: Vec<String> = tags_named(html, "a")
            .iter()
            .filter_map(|a| a.attr("href").map(str::to_string))
            .collect();
        f.check(links == vec![target.clone()], || {
            format!("{old} links to {links:?}, not only to {target}")
        });
        let anchor = element_at(html, &tags_named(html, "a")[0]).unwrap();
        f.check(inner_text(&anchor).contains(title), || {
            format!("{old}: the link does not name the item: {anchor}")
        });
        let canonical = links_with_rel(html, "canonical");
        f.check(
            canonical.len() == 1
                && canonical[0].attr("href") == Some(&*format!("https://example.org{target}")),
            || format!("{old}: canonical {canonical:?}"),
        );
        f.check(meta(html, "robots").as_deref() == Some("noindex"), || {
            format!("{old} may be indexed")
        });
        let lang = tags_named(html, "html")[0].attr("lang").map(str::to_string);
        let want = if old.starts_with("en/") { "en" } else { "zh" };
        f.check(lang.as_deref().is_some_and(|l| l.starts_with(want)), || {
            format!("{old}: <html lang={lang:?}>")
        });
    }
    // Old pages are not pages to index: not in the sitemap.
    let sitemap = built.text("sitemap.xml");
    f.check(!sitemap.contains("/2023/3/"), || {
        "the sitemap lists an old URL".into()
    });
    f.assert_none("old item URLs");
}

#[test]
fn the_old_badge_url_serves_the_current_badge_in_both_languages() {
    let built = TestSite::fixture("renumbered").build_ok();
    for (old, new) in [
        ("2023/3/badge.svg", "2023/5/badge.svg"),
        ("en/2023/3/badge.svg", "en/2023/5/badge.svg"),
    ] {
        assert_eq!(built.bytes(old), built.bytes(new), "{old}");
        assert!(
            built.text(old).contains("5"),
            "{old} does not show the current number"
        );
    }
}

#[test]
fn redirect_files_list_every_move_in_every_language_with_the_base_path() {
    let built = TestSite::fixture("renumbered").build_ok();
    let want = [
        ("/plan/2023/3/", "/plan/2023/5/"),
        ("/plan/en/2023/3/", "/plan/en/2023/5/"),
    ];
    let lines = redirect_lines(built.text("_redirects"));
    let expected: BTreeSet<(String, String, String)> = want
        .iter()
        .map(|(o, n)| (o.to_string(), n.to_string(), "301".to_string()))
        .collect();
    assert_eq!(lines, expected);
    for (_, new, _) in &lines {
        assert!(built.has(&output_path_of(new)), "{new} leads nowhere");
    }
    let map = nginx_map_entries(built.text("redirects.nginx.conf"));
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for (o, n) in want {
        expected.insert((o.into(), n.into()));
        expected.insert((format!("{o}index.html"), n.into()));
    }
    assert_eq!(map, expected);
}

#[test]
fn with_nothing_moved_both_redirect_files_are_written_without_entries() {
    let built = basic();
    assert!(redirect_lines(built.text("_redirects")).is_empty());
    assert!(nginx_map_entries(built.text("redirects.nginx.conf")).is_empty());
}

/// nginx with the built redirects.nginx.conf, as its usage comment says,
/// and deploy/nginx-planpub.conf for the site under /plan/.
#[test]
fn nginx_answers_an_old_url_with_a_301_to_the_item() {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nginx is not installed: apt-get install nginx (scripts/test does)");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let site = TestSite::fixture("renumbered");
    let www = dir.path().join("www");
    let mut diags = Diagnostics::new();
    build_and_write(
        &BuildOptions {
            root: site.root().to_path_buf(),
            base_url: Some(format!("http://127.0.0.1:{port}/plan/")),
        },
        &OutputDir::choose(site.root(), &www.join("plan"), false).expect("a new folder"),
        &mut diags,
    )
    .unwrap_or_else(|_| panic!("{}", diags.render()));
    let location = std::fs::read_to_string(repo().join("deploy/nginx-planpub.conf"))
        .unwrap()
        .replace("root /srv/www;", &format!("root {};", www.display()));
    std::fs::write(dir.path().join("planpub.conf"), location).unwrap();
    let p = dir.path().display();
    let map = www.join("plan/redirects.nginx.conf");
    let conf = format!(
        "user root;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {p}/body;\n  proxy_temp_path {p}/proxy;\n  fastcgi_temp_path {p}/fastcgi;\n  uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n  include {map};\n  server {{\n    listen 127.0.0.1:{port};\n    if ($planpub_redirect) {{ return 301 $planpub_redirect; }}\n    include {p}/planpub.conf;\n  }}\n}}\n",
        map = map.display()
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
    let test = Command::new(nginx)
        .args(["-t", "-p"])
        .arg(dir.path())
        .arg("-c")
        .arg(dir.path().join("nginx.conf"))
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );
    let _server = Server(
        Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .spawn()
            .unwrap(),
    );
    wait_until_listening(port, "nginx");
    for (old, new, title) in [
        ("/plan/2023/3/", "/plan/2023/5/", "新建公办幼儿园"),
        (
            "/plan/en/2023/3/",
            "/plan/en/2023/5/",
            "Build public kindergartens",
        ),
        ("/plan/2023/3/index.html", "/plan/2023/5/", "新建公办幼儿园"),
    ] {
        let (status, head, _) = get(port, old, false);
        assert_eq!(status, 301, "{old}: {head}");
        let to = header(&head, "location");
        assert!(
            to == new || to.ends_with(&format!(":{port}{new}")),
            "{old} moves to {to}, not {new}"
        );
        let (status, _, body) = get(port, new, false);
        assert_eq!(status, 200, "{new}");
        assert!(String::from_utf8_lossy(&body).contains(title), "{new}");
    }
    // An item that did not move is served as before.
    let (status, _, _) = get(port, "/plan/2023/1/", false);
    assert_eq!(status, 200);
}

// issue #19.4: withdrawn items
#[test]
fn a_withdrawn_item_keeps_its_page_marked_with_date_and_reason_in_both_languages() {
    let built = TestSite::fixture("renumbered").build_ok();
    let mut f = Failures::new();
    for (page, badge, words) in [
        (
            "2023/4/index.html",
            "2023/4/badge.svg",
            ["2023-07-01", "并入第5条统筹推进", "已撤销"],
        ),
        (
            "en/2023/4/index.html",
            "en/2023/4/badge.svg",
            ["2023-07-01", "Merged into item 5", "Withdrawn"],
        ),
    ] {
        let html = built.text(page);
        let notice = tags_named(html, "p")
            .into_iter()
            .find(|t| t.attr("class") == Some("withdrawn-notice"))
            .and_then(|t| element_at(html, &t))
            .map(|e| inner_text(&e))
            .unwrap_or_default();
        f.check(
            notice.contains(words[0]) && notice.contains(words[1]),
            || format!("{page}: the notice says {notice:?}"),
        );
        let status = element_by_id(html, "item-title").is_some()
            && tags_named(html, "span")
                .iter()
                .any(|t| t.attr("class") == Some("badge badge-withdrawn"));
        f.check(status, || format!("{page}: no withdrawn status badge"));
        f.check(inner_text(html).contains(words[2]), || {
            format!("{page}: the status label {} is not shown", words[2])
        });
        let svg = built.text(badge);
        f.check(svg.contains(words[2]) && !svg.contains('%'), || {
            format!("{badge} does not say withdrawn (or shows a percent): {svg}")
        });
    }
    f.assert_none("the withdrawn item");
}

#[test]
fn a_withdrawn_item_is_out_of_percentages_and_status_counts_and_counted_apart() {
    let built = TestSite::fixture("renumbered").build_ok();
    let items = built.json("2023/items.json");
    let item4 = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == 4)
        .unwrap();
    assert_eq!(item4["withdrawn"]["date"], "2023-07-01");
    assert_eq!(item4["withdrawn"]["reason"]["zh"], "并入第5条统筹推进");
    assert_eq!(item4["withdrawn"]["reason"]["en"], "Merged into item 5");
    assert!(item4["percent"].is_null() && item4["status"].is_null());
    let item5 = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == 5)
        .unwrap();
    assert_eq!(item5["former_numbers"], serde_json::json!([3]));
    assert!(item5["withdrawn"].is_null());
    // items.csv, read with a CSV parser: the withdrawn item's row says
    // when, the others are empty there.
    let rows = csv_records(built.text("2023/items.csv").trim_start_matches('\u{feff}'));
    let column = rows[0]
        .iter()
        .position(|h| h == "withdrawn")
        .expect("items.csv has a withdrawn column");
    for row in &rows[1..] {
        let expected = if row[0] == "4" { "2023-07-01" } else { "" };
        assert_eq!(row[column], expected, "items.csv row of item {}", row[0]);
    }
    assert_eq!(rows.len(), 1 + items["items"].as_array().unwrap().len());

    // The dashboard: 3 items counted, the withdrawn one said apart; the
    // status table's counts add up to the items counted.
    for (page, counted, apart) in [
        ("2023/index.html", "3", "另有1条已撤销"),
        ("en/2023/index.html", "3", "1 withdrawn"),
    ] {
        let html = built.text(page);
        let dashboard = element_by_id(html, "dashboard-heading").unwrap();
        assert!(!dashboard.is_empty());
        let text = inner_text(html);
        assert!(text.contains(apart), "{page} does not count it apart");
        // The plan page's one set of counts (ul.status-counts, a
        // `.count` per status) adds up to the items counted.
        let counts = tags_named(html, "ul")
            .into_iter()
            .find(|t| t.attr("class") == Some("status-counts"))
            .and_then(|t| element_at(html, &t))
            .expect("the plan page's status counts");
        let sum: usize = tags_named(&counts, "span")
            .iter()
            .filter(|t| t.attr("class") == Some("count"))
            .map(|span| {
                inner_text(&element_at(&counts, span).unwrap())
                    .trim()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert_eq!(sum.to_string(), counted, "{page}: status counts");
        let withdrawn_listed = tags_named(html, "a").iter().any(|a| {
            a.attr("href")
                .is_some_and(|h| h.ends_with("/status/withdrawn/"))
        });
        assert!(!withdrawn_listed, "{page}: withdrawn is a status group");
    }
    // No status page lists it.
    for path in built.paths_ending("index.html") {
        if path.contains("/status/") {
            assert!(
                !built.text(path).contains("扶持普惠性民办园")
                    && !built.text(path).contains("Support affordable private"),
                "{path} lists the withdrawn item"
            );
        }
    }
}

// issue #19.4: Atom entry ids survive a renumbering
#[test]
fn atom_entry_ids_are_tag_uris_from_the_first_number_that_a_renumbering_keeps() {
    let before = basic();
    let after = TestSite::fixture("renumbered").build_ok();
    let ids = |built: &Built, feed: &str| -> BTreeSet<String> {
        let xml = built.text(feed);
        assert!(xml_balance_problems(xml).is_empty(), "{feed}");
        xml_elements(xml, "entry")
            .into_iter()
            .map(|e| {
                let id = xml_elements(e, "id")[0];
                id.trim_start_matches("<id>")
                    .trim_end_matches("</id>")
                    .to_string()
            })
            .collect()
    };
    let zh = ids(&after, "2023/updates.xml");
    assert!(
        zh.contains("tag:example.org,2023:plan/2023/item/3/update/2023-06-30"),
        "{zh:?}"
    );
    let en = ids(&after, "en/2023/updates.xml");
    assert!(
        en.contains("tag:example.org,2023:en/plan/2023/item/3/update/2023-06-30"),
        "{en:?}"
    );
    assert_eq!(zh, ids(before, "2023/updates.xml"));
    assert_eq!(en, ids(before, "en/2023/updates.xml"));
    assert!(zh.is_disjoint(&en), "the languages' entries share ids");
    assert_eq!(
        zh.len(),
        xml_elements(after.text("2023/updates.xml"), "entry").len(),
        "ids repeat"
    );
}

// ---------------------------------------------------------------------------
// planpub renumber
// ---------------------------------------------------------------------------

/// The item an item URL shows in a build: the `<h1>` of the page, after
/// following a moved page's redirect.
fn item_shown(built: &Built, url_path: &str) -> Option<String> {
    let html = std::str::from_utf8(built.output.files.get(url_path)?).ok()?;
    match refresh_target(html) {
        Some(target) => item_shown(built, &output_path_of(&target)),
        None => Some(heading(html)),
    }
}

/// Every item URL of `before` (both languages) shows the same item in
/// `after`.
fn old_urls_lead_to_the_same_items(before: &Built, after: &Built) {
    let mut f = Failures::new();
    for path in before.paths_ending("/index.html") {
        let item_page = path
            .trim_start_matches("en/")
            .strip_prefix("2023/")
            .and_then(|r| r.strip_suffix("/index.html"))
            .is_some_and(|n| n.parse::<u32>().is_ok());
        if !item_page {
            continue;
        }
        let was = item_shown(before, path);
        let is = item_shown(after, path);
        f.check(was.is_some() && was == is, || {
            format!("{path} showed {was:?}, now {is:?}")
        });
    }
    f.assert_none("old item URLs after renumbering");
}

fn feed_ids(built: &Built, feed: &str) -> BTreeSet<String> {
    xml_elements(built.text(feed), "entry")
        .into_iter()
        .map(|e| inner_text(xml_elements(e, "id")[0]))
        .collect()
}

#[test]
fn renumber_dry_run_prints_every_change_and_writes_nothing() {
    let site = TestSite::fixture("basic");
    let before = read_tree(site.root());
    let run = site.run(&["renumber", "--plan", "2023", "3", "5", "--dry-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "content/2023/2-preschool/03-kindergartens.md → content/2023/2-preschool/05-kindergartens.md",
        "content/2023/2-preschool/03-kindergartens.en.md → content/2023/2-preschool/05-kindergartens.en.md",
        "number = 3 → 5",
        "former_numbers += 3",
        "related: 3 → 5",
        "link /2023/3/ → /2023/5/",
        "nothing was written",
    ] {
        assert!(run.stdout.contains(line), "no {line:?} in:\n{}", run.stdout);
    }
    assert_eq!(read_tree(site.root()), before, "--dry-run changed files");
}

#[test]
fn renumber_moves_an_item_keeping_comments_and_every_old_url_leads_to_it() {
    let site = TestSite::fixture("basic");
    let file = "content/2023/2-preschool/03-kindergartens.md";
    let text = site.read(file).replace(
        "number = 3\n",
        "number = 3   # 编号以文件为准\n# 2023年4月核定\n",
    );
    site.write(file, text);
    let before = site.build_ok();
    let run = site.run(&["renumber", "--plan", "2023", "3", "5"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!site.path(file).exists());
    assert!(
        !site
            .path("content/2023/2-preschool/03-kindergartens.en.md")
            .exists()
    );
    assert!(!site.path(".planpub-renumber").exists());
    let moved = site.read("content/2023/2-preschool/05-kindergartens.md");
    assert!(
        moved.contains("number = 5   # 编号以文件为准\n# 2023年4月核定\n")
            && moved.contains("former_numbers = [3]"),
        "{moved}"
    );
    assert!(
        site.read("content/2023/1-safety/01-campus-safety.md")
            .contains("related = [5]")
    );
    assert!(
        site.read("content/2023/2-preschool/04-inclusive.en.md")
            .contains("(/2023/5/)")
    );
    let after = site.build_ok();
    assert_eq!(after.diags.error_count(), 0);
    old_urls_lead_to_the_same_items(&before, &after);
    assert_eq!(
        feed_ids(&before, "2023/updates.xml"),
        feed_ids(&after, "2023/updates.xml")
    );
    assert_eq!(
        feed_ids(&before, "en/2023/updates.xml"),
        feed_ids(&after, "en/2023/updates.xml")
    );
}

#[test]
fn renumber_insert_opens_a_gap_and_every_old_url_leads_to_its_item() {
    let site = TestSite::fixture("basic");
    let before = site.build_ok();
    let run = site.run(&["renumber", "--plan", "2023", "--insert", "4"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for f in [
        "content/2023/2-preschool/05-inclusive.md",
        "content/2023/2-preschool/05-inclusive.en.md",
    ] {
        assert!(site.path(f).exists(), "no {f}");
    }
    assert!(
        site.read("content/2023/2-preschool/03-kindergartens.md")
            .contains("related = [5]")
    );
    let after = site.build_ok();
    assert!(after.has("2023/4/index.html"), "item 4's old URL");
    old_urls_lead_to_the_same_items(&before, &after);
    // A second renumbering keeps the first one's old URLs.
    let run = site.run(&["renumber", "--plan", "2023", "5", "7"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        site.read("content/2023/2-preschool/07-inclusive.md")
            .contains("former_numbers = [4, 5]")
    );
    let again = site.build_ok();
    old_urls_lead_to_the_same_items(&before, &again);
    old_urls_lead_to_the_same_items(&after, &again);
    assert_eq!(
        feed_ids(&before, "2023/updates.xml"),
        feed_ids(&again, "2023/updates.xml")
    );
}

/// A gap opened before other items would shift each onto the next one's
/// number: the old URL of that number would show another item. Refused,
/// with nothing written.
#[test]
fn renumber_insert_refuses_to_give_an_old_url_another_item() {
    let site = TestSite::fixture("basic");
    let tree = read_tree(site.root());
    let run = site.run(&["renumber", "--plan", "2023", "--insert", "2"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("item 2 cannot become item 3: /2023/3/ is item 3's URL")
            && run.stderr.contains("--insert 5"),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(site.root()), tree);
}

#[test]
fn renumber_refuses_a_taken_number_an_old_url_and_a_site_with_errors() {
    let site = TestSite::fixture("basic");
    let tree = read_tree(site.root());
    let run = site.run(&["renumber", "--plan", "2023", "3", "4"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("item 4 exists in plan 2023")
            && run
                .stderr
                .contains("planpub renumber --plan 2023 --insert 4"),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(site.root()), tree);

    let renumbered = TestSite::fixture("renumbered");
    let tree = read_tree(renumbered.root());
    let run = renumbered.run(&["renumber", "--plan", "2023", "1", "3"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("/2023/3/ leads to item 5"),
        "{}",
        run.stderr
    );
    assert_eq!(read_tree(renumbered.root()), tree);

    let broken = TestSite::fixture("basic");
    broken.overlay("errors/related-to-missing-item", &["expected.txt"]);
    let tree = read_tree(broken.root());
    let run = broken.run(&["renumber", "--plan", "2023", "3", "5"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error:") && run.stderr.contains("nothing was changed"));
    assert_eq!(read_tree(broken.root()), tree);
}
