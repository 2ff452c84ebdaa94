//! The default theme's item page and item row are compiled into planpub
//! (src/render/native.rs, issue #21.1) and used only while a site renders
//! with the built-in templates unchanged. These tests build each kind of
//! site twice: as it is (compiled templates), and with the same templates
//! copied into the site's templates/ with a comment added (so tera renders
//! them), and require every file of the two builds to be the same bytes.
//! They also check that a site's own item template or row is used as
//! soon as it differs.

use crate::common::*;

/// The templates the compiled renderers stand for.
const PAGE_TEMPLATES: &[&str] = &["item.html", "base.html", "macros.html"];
const ROW_TEMPLATE: &str = "partials/item_row.html";

/// Overrides `names` in the site's templates/ with the theme's own text
/// and a comment: the same page, which tera renders.
fn through_tera(site: &TestSite, names: &[&str]) {
    for name in names {
        let theme = std::fs::read_to_string(repo().join("themes/default/templates").join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        site.write(
            &format!("templates/{name}"),
            format!("{theme}{{# rendered by tera: tests/it/native_templates.rs #}}"),
        );
    }
}

/// Builds the site made by `make` as it is, then with `names` rendered
/// by tera, and lists every difference.
fn differences(make: &dyn Fn() -> TestSite, names: &[&str]) -> (usize, Vec<String>) {
    let compiled = make().build_ok();
    let site = make();
    through_tera(&site, names);
    let tera = site.build_ok();
    let mut problems = Vec::new();
    let a: Vec<&String> = compiled.output.files.keys().collect();
    let b: Vec<&String> = tera.output.files.keys().collect();
    if a != b {
        problems.push(format!(
            "different files: {} compiled, {} through tera",
            a.len(),
            b.len()
        ));
    }
    for (path, bytes) in &compiled.output.files {
        let Some(other) = tera.output.files.get(path) else {
            continue;
        };
        if bytes != other {
            let (x, y) = (
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(other),
            );
            let at = x
                .bytes()
                .zip(y.bytes())
                .position(|(p, q)| p != q)
                .unwrap_or(x.len().min(y.len()));
            problems.push(format!(
                "{path} differs at byte {at}:\n  compiled: {:?}\n  tera:     {:?}",
                context_at(&x, at, 80),
                context_at(&y, at, 80)
            ));
        }
    }
    let items = compiled
        .output
        .files
        .keys()
        .filter(|p| {
            p.ends_with("/index.html")
                && p.split('/')
                    .rev()
                    .nth(1)
                    .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .count();
    (items, problems)
}

/// Every kind of site the tests build: both plans' fixtures, hostile
/// content, withdrawn and renumbered items, progress rounds with history
/// charts, a third language written right to left, and the 2023 plan.
/// A way to make a test site afresh.
type MakeSite = Box<dyn Fn() -> TestSite>;

fn sites() -> Vec<(&'static str, MakeSite)> {
    fn overlaid(base: &'static str, overlay: &'static str) -> MakeSite {
        Box::new(move || {
            let site = TestSite::fixture(base);
            site.overlay(overlay, &[]);
            site
        })
    }
    vec![
        ("plan2023", Box::new(TestSite::plan2023)),
        ("plan2023 + rounds", overlaid("plan2023", "rounds")),
        ("basic", Box::new(|| TestSite::fixture("basic"))),
        ("basic + untrusted", overlaid("basic", "untrusted")),
        (
            "basic + untrusted-fields",
            overlaid("basic", "untrusted-fields"),
        ),
        ("two-plans", Box::new(|| TestSite::fixture("two-plans"))),
        ("renumbered", Box::new(|| TestSite::fixture("renumbered"))),
        (
            "third-language-search",
            Box::new(|| TestSite::fixture("third-language-search")),
        ),
        (
            "three languages, right to left",
            Box::new(|| crate::languages::three_languages("rtl")),
        ),
    ]
}

#[test]
fn compiled_item_pages_and_rows_are_the_bytes_tera_renders_on_every_fixture() {
    let mut f = Failures::new();
    for (name, make) in sites() {
        let (items, problems) =
            differences(make.as_ref(), &[PAGE_TEMPLATES, &[ROW_TEMPLATE]].concat());
        f.check(items > 0, || format!("{name}: no item pages were built"));
        for p in problems.iter().take(5) {
            f.push(format!("{name}: {p}"));
        }
    }
    f.assert_none("compiled and tera renders");
}

#[test]
fn compiled_item_pages_with_rows_from_tera_are_the_same_bytes() {
    // The page compiled, its rows (siblings, related) through tera: the
    // two renderers meet inside one page.
    let mut f = Failures::new();
    for (name, make) in sites().into_iter().take(3) {
        let (_, problems) = differences(make.as_ref(), &[ROW_TEMPLATE]);
        for p in problems.iter().take(5) {
            f.push(format!("{name}: {p}"));
        }
    }
    f.assert_none("compiled and tera renders");
}

#[test]
fn a_site_that_changes_the_item_template_or_row_gets_its_own() {
    for (name, marker) in [
        ("item.html", "<p class=\"site-own-item\">"),
        ("base.html", "<p class=\"site-own-base\">"),
        ("macros.html", "<b class=\"site-own-badge\">"),
        (ROW_TEMPLATE, "<li class=\"site-own-row\">"),
    ] {
        let site = TestSite::plan2023();
        let theme =
            std::fs::read_to_string(repo().join("themes/default/templates").join(name)).unwrap();
        let changed = match name {
            "item.html" => theme.replace(
                "<article class=\"item\"",
                &format!("{marker}</p><article class=\"item\""),
            ),
            "base.html" => theme.replace(
                "<main id=\"main\"",
                &format!("{marker}</p><main id=\"main\""),
            ),
            "macros.html" => theme.replace(
                "<span class=\"badge badge-",
                &format!("{marker}</b><span class=\"badge badge-"),
            ),
            _ => theme.replace("<li class=\"item-row\">", marker),
        };
        assert_ne!(changed, theme, "{name}: the marker's place is in the theme");
        site.write(&format!("templates/{name}"), changed);
        let built = site.build_ok();
        for page in ["2023/16/index.html", "en/2023/16/index.html"] {
            assert!(
                built.text(page).contains(marker),
                "{page} does not show the site's own {name}"
            );
        }
    }
}
