//! The incremental rebuild, driven through the library: what a session
//! serves after each edit is what a clean build makes, diagnostics
//! included.

use super::*;

/// An edit of the shipped plan: its name, the edit, and whether the
/// edited item's own pages go out first.
type Step<'a> = (&'a str, Box<dyn Fn() + 'a>, bool);

/// The edits `incremental_rebuild_equals_clean_build` makes, one by one.
fn edit_steps(root: &Path) -> Vec<Step<'_>> {
    let steps: Vec<Step<'_>> = vec![
        (
            "body edit",
            Box::new(|| edit(&item_file(root, 11), "实施“十四五”", "实施“十四五”（修订）")),
            true,
        ),
        (
            "title edit",
            Box::new(|| {
                edit(
                    &item_file(root, 16),
                    "title = \"抓好项目谋划建设和高校设置工作\"",
                    "title = \"抓好项目谋划建设和高校设置工作（新）\"",
                )
            }),
            true,
        ),
        (
            "status edit",
            Box::new(|| {
                // The item's own status and its latest update's agree
                // (they must since issue #19).
                edit(
                    &item_file(root, 24),
                    "status = \"in-progress\"\ntags",
                    "status = \"delayed\"\ntags",
                );
                edit(
                    &item_file(root, 24),
                    "status = \"in-progress\"\ntext = \"【示例】已新开工",
                    "status = \"delayed\"\ntext = \"【示例】已新开工",
                )
            }),
            true,
        ),
        (
            "target actual edit",
            Box::new(|| edit(&item_file(root, 26), "actual = 8600", "actual = 9100")),
            true,
        ),
        (
            "related edit",
            Box::new(|| edit(&item_file(root, 16), "related = [24]", "related = [24, 2]")),
            false,
        ),
        (
            "tag edit",
            Box::new(|| {
                edit(
                    &item_file(root, 16),
                    "tags = [\"学校建设\", \"高等教育\"]",
                    "tags = [\"学校建设\"]",
                )
            }),
            false,
        ),
        (
            "english edit",
            Box::new(|| {
                let en = item_file(root, 16).with_extension("en.md");
                let text = std::fs::read_to_string(&en).unwrap();
                std::fs::write(&en, text.replacen("+++\n\n", "+++\n\nRevised. ", 1)).unwrap();
            }),
            true,
        ),
    ];
    steps
}

/// Structural changes (delete, rename, move to another section), each
/// rebuilt incrementally to what a clean build gives.
fn check_structural_changes(session: &mut Session, root: &Path, base: &str) {
    // Structural changes: delete, rename, move to another section.
    // (Item 30 is related to no other item, so deleting it is no error.)
    let item30 = item_file(root, 30);
    std::fs::remove_file(&item30).unwrap();
    std::fs::remove_file(item30.with_extension("en.md")).unwrap();
    let outcome = session.rebuild(std::slice::from_ref(&item30));
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert!(outcome.changed.contains(&"2023/30/index.html".to_string()));
    assert_same_as_clean_build(session, root, base, "delete item 30");

    let item29 = item_file(root, 29);
    let renamed = item29.with_file_name("29-renamed.md");
    std::fs::rename(&item29, &renamed).unwrap();
    std::fs::rename(
        item29.with_extension("en.md"),
        renamed.with_extension("en.md"),
    )
    .unwrap();
    let outcome = session.rebuild(&[item29.clone(), renamed.clone()]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert_same_as_clean_build(session, root, base, "rename item 29");

    let moved = root.join("content/2023/1-party-leadership/29-renamed.md");
    std::fs::rename(&renamed, &moved).unwrap();
    std::fs::rename(
        renamed.with_extension("en.md"),
        moved.with_extension("en.md"),
    )
    .unwrap();
    let outcome = session.rebuild(&[renamed.clone(), moved.clone()]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert_same_as_clean_build(session, root, base, "move item 29 to section 1");
}

#[test]
fn incremental_rebuild_equals_clean_build() {
    let site = shipped_site();
    let root = site.root();
    let base = "http://127.0.0.1:1111/";
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    assert_same_as_clean_build(&session, root, base, "first build");

    let item16 = item_file(root, 16);
    for (name, step, first_own_pages) in edit_steps(root) {
        step();
        let outcome = session.rebuild(&[
            item16.clone(),
            item_file(root, 11),
            item_file(root, 24),
            item_file(root, 26),
            item16.with_extension("en.md"),
        ]);
        assert!(!outcome.failed, "{name}: {}", outcome.diagnostics.render());
        assert_eq!(outcome.partial, first_own_pages, "{name}: partial rebuild");
        assert_eq!(session.has_pending_work(), first_own_pages, "{name}");
        if outcome.partial {
            // What went out first is already final.
            let clean = clean_build(root, base, name);
            let served = session.output.read().unwrap();
            assert!(
                outcome.changed.iter().any(|p| p.ends_with("/index.html")),
                "{name}: the item page goes out first: {:?}",
                outcome.changed
            );
            for p in &outcome.changed {
                assert_eq!(served.files.get(p), clean.files.get(p), "{name}: {p}");
            }
            drop(served);
            let rest = session.finish();
            assert!(
                !rest.failed && !rest.partial,
                "{name}: {}",
                rest.diagnostics.render()
            );
            assert!(!session.has_pending_work());
        }
        assert_same_as_clean_build(&session, root, base, name);
    }

    check_structural_changes(&mut session, root, base);
}

#[test]
fn search_index_built_off_thread_lands_only_when_current() {
    let site = shipped_site();
    let root = site.root();
    let base = "http://127.0.0.1:1111/";
    let (mut session, _) = Session::start(root, Some(base.into()));
    session.set_background_index(true);
    let f = item_file(root, 16);
    edit(
        &f,
        "抓好项目谋划建设和高校设置工作",
        "抓好项目谋划建设和高校设置工作（一）",
    );
    let first = session.rebuild(std::slice::from_ref(&f));
    assert!(first.partial && first.index_job.is_none());
    let mut rest = session.finish();
    assert!(!rest.failed, "{}", rest.diagnostics.render());
    let older = rest.index_job.take().expect("the index is left to a job");
    // Reverted to the original title: the newest index is the clean one.
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, text.replace("工作（一）", "工作")).unwrap();
    let first = session.rebuild(std::slice::from_ref(&f));
    assert!(first.partial);
    let mut rest = session.finish();
    let newer = rest.index_job.take().unwrap();
    let changed = newer.run().expect("the newest index lands");
    assert!(
        changed.iter().all(|p| p.contains("search/index/")),
        "{changed:?}"
    );
    assert!(older.run().is_none(), "an outdated index must not land");
    assert_same_as_clean_build(&session, root, base, "index built off thread");
}

#[test]
fn failed_incremental_rebuild_keeps_last_good_site() {
    let site = shipped_site();
    let root = site.root();
    let (mut session, _) = Session::start(root, None);
    let before = session.output.read().unwrap().clone();
    let f = item_file(root, 12);
    edit(&f, "status = \"delayed\"", "status = \"doing\"");
    let outcome = session.rebuild(std::slice::from_ref(&f));
    assert!(outcome.failed);
    let report = outcome.diagnostics.render();
    assert!(
        report.contains("12-compulsory-education.md:")
            && report.contains("unknown status \"doing\""),
        "{report}"
    );
    assert_eq!(
        *session.output.read().unwrap(),
        before,
        "the last good site must stay"
    );
    edit(&f, "status = \"doing\"", "status = \"delayed\"");
    let outcome = session.rebuild(&[f]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
}

#[test]
fn reading_or_touching_files_rebuilds_nothing() {
    let site = shipped_site();
    let root = site.root();
    let (mut session, _) = Session::start(root, None);
    let item = item_file(root, 7);
    let theme_file = root.join("themes/default/templates/item.html");
    let touched = [
        item.clone(),
        root.join("site.toml"),
        theme_file.clone(),
        root.join("content/2023/_index.md"),
        // Gone before the rebuild ran: an editor's temporary file.
        root.join("content/2023/4913"),
    ];
    // Saved with the same bytes (or only read).
    for p in &touched[..4] {
        if p.exists() {
            let bytes = std::fs::read(p).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }
    let outcome = session.rebuild(&touched);
    assert!(outcome.unchanged, "nothing changed, nothing rebuilt");
    assert!(outcome.changed.is_empty() && !outcome.failed);

    // A real edit of the same files is seen.
    edit(&item, "+++\n\n", "+++\n\n（改）");
    let outcome = session.rebuild(std::slice::from_ref(&item));
    assert!(!outcome.unchanged && outcome.incremental);
    assert!(outcome.changed.contains(&"2023/7/index.html".to_string()));
    {
        assert!(theme_file.exists(), "{}", theme_file.display());
        let text = std::fs::read_to_string(&theme_file).unwrap();
        std::fs::write(&theme_file, format!("{text}\n")).unwrap();
        let outcome = session.rebuild(std::slice::from_ref(&theme_file));
        assert!(
            !outcome.unchanged && !outcome.incremental,
            "a theme edit rebuilds everything"
        );
    }
}

// issue #16.2: serve's incremental link check checked only the pages it
// re-rendered, so removing an anchor that an unchanged page links to
// passed in serve while build failed. Its result, diagnostics included,
// is now the clean build's.
#[test]
fn removing_an_anchor_an_unchanged_page_links_to_fails_in_serve_as_in_build() {
    let site = basic_site();
    let root = site.root();
    let base = "http://127.0.0.1:1111/";
    let item4 = root.join("content/2023/2-preschool/04-inclusive.md");
    edit(
        &item4,
        "另见[第3条](/2023/3/)。",
        "另见[第3条的目标](/2023/3/#target-kindergartens)。",
    );
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    let item3 = root.join("content/2023/2-preschool/03-kindergartens.md");
    edit(
        &item3,
        "key = \"kindergartens\"",
        "key = \"kindergartens-built\"",
    );
    let outcome = session.rebuild(std::slice::from_ref(&item3));
    let outcome = if session.has_pending_work() {
        session.finish()
    } else {
        outcome
    };
    let (clean, clean_failed) = clean_build_diagnostics(root, base);
    assert!(clean_failed, "the clean build fails:\n{clean}");
    assert!(
        clean.contains("#target-kindergartens` on page 2023/4/index.html"),
        "{clean}"
    );
    assert!(outcome.failed, "serve passed what build fails:\n{clean}");
    assert_eq!(outcome.diagnostics.render(), clean);
}

// issue #16.2: serve watched content/ with rules of its own and ignored a
// hidden file there, which `build` warns about; it now goes by load's.
#[test]
fn a_hidden_file_under_content_is_warned_about_in_serve_as_in_build() {
    let site = basic_site();
    let root = site.root();
    let base = "http://127.0.0.1:1111/";
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    let hidden = root.join("content/2023/.notes.md");
    std::fs::write(&hidden, "+++\ntitle = \"x\"\n+++\n").unwrap();
    let outcome = session.rebuild(std::slice::from_ref(&hidden));
    let (clean, clean_failed) = clean_build_diagnostics(root, base);
    assert!(!clean_failed, "{clean}");
    assert!(
        clean.contains("content/2023/.notes.md:1:1: warning: this file is hidden"),
        "{clean}"
    );
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert_eq!(outcome.diagnostics.render(), clean);
    assert_same_as_clean_build(&session, root, base, "hidden file");
}

// issue #21.2: the rebuild of the lists gives way to a new edit wherever
// it is asked to (after linking, at any page it renders or reads for
// links, before publishing): it publishes nothing, the work stays
// pending, and the next finish serves what a clean build of both edits
// gives. Every place it can stop is tried in turn.
#[test]
fn an_interrupted_finish_publishes_nothing_and_the_next_equals_a_clean_build() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let site = shipped_site();
    let root = site.root();
    let base = "http://127.0.0.1:1111/";
    let (mut session, first) = Session::start(root, Some(base.into()));
    assert!(!first.failed, "{}", first.diagnostics.render());
    // The first edit shows on lists (section 3, its tags) that the
    // second (section 6, another tag) does not touch: a stop that kept
    // the first edit's rebuild as if published would leave them stale.
    let item11 = item_file(root, 11);
    let item26 = item_file(root, 26);
    edit(
        &item11,
        "title = \"推进学前教育普及普惠优质安全发展\"",
        "title = \"推进学前教育普及普惠优质安全发展（修订）\"",
    );
    assert!(session.rebuild(std::slice::from_ref(&item11)).partial);
    let mut stops = 0;
    // 0, 1, 2, 3, 4, 6, 9, 13, …: after linking, early and late in the
    // rendering and in the link check, and at the end.
    let mut stop_at = 0usize;
    loop {
        stop_at = if stop_at < 4 {
            stop_at + 1
        } else {
            stop_at * 3 / 2
        };
        let stop_at = stop_at - 1;
        let served = session.output.read().unwrap().clone();
        let asked = AtomicUsize::new(0);
        let rest = session.finish_unless(&|| asked.fetch_add(1, Ordering::SeqCst) >= stop_at);
        if !rest.interrupted {
            // Asked fewer times than stop_at: it ran to the end.
            assert!(!rest.failed, "{}", rest.diagnostics.render());
            break;
        }
        stops += 1;
        assert!(
            rest.changed.is_empty(),
            "stop {stop_at}: {:?}",
            rest.changed
        );
        assert!(session.has_pending_work(), "stop {stop_at}: still pending");
        assert!(
            *session.output.read().unwrap() == served,
            "stop {stop_at}: an interrupted finish published something"
        );
        // The edit that interrupted it: another item's title, its own
        // pages at once.
        let title = format!("title = \"提升教师业务素质（{stop_at}）\"");
        let text = std::fs::read_to_string(&item26).unwrap();
        let line = text.lines().find(|l| l.starts_with("title = ")).unwrap();
        edit(&item26, line, &title);
        let outcome = session.rebuild(std::slice::from_ref(&item26));
        assert!(
            outcome.partial,
            "stop {stop_at}: {}",
            outcome.diagnostics.render()
        );
    }
    assert!(stops >= 10, "only {stops} places to stop were tried");
    assert!(!session.has_pending_work());
    assert_same_as_clean_build(&session, root, base, "after interrupted finishes");
}

// issue #21.1: the default item page is compiled into planpub. A site
// that starts overriding it while `serve` runs gets its own template at
// the next rebuild, and the compiled page again once the override goes.
#[test]
fn overriding_the_item_template_while_serving_takes_effect_and_undoing_it_too() {
    let site = shipped_site();
    let root = site.root();
    let (mut session, first) = Session::start(root, None);
    assert!(!first.failed, "{}", first.diagnostics.render());
    let page = |session: &Session| {
        let served = session.output.read().unwrap();
        String::from_utf8(served.files["2023/7/index.html"].clone()).unwrap()
    };
    let compiled = page(&session);
    let theme = std::fs::read_to_string(root.join("themes/default/templates/item.html")).unwrap();
    let own = root.join("templates/item.html");
    std::fs::create_dir_all(own.parent().unwrap()).unwrap();
    std::fs::write(
        &own,
        theme.replace(
            "<article class=\"item\"",
            "<p class=\"site-own\">ours</p><article class=\"item\"",
        ),
    )
    .unwrap();
    let outcome = session.rebuild(std::slice::from_ref(&own));
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    session.finish();
    assert!(page(&session).contains("<p class=\"site-own\">ours</p>"));

    std::fs::remove_file(&own).unwrap();
    let outcome = session.rebuild(std::slice::from_ref(&own));
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    session.finish();
    assert_eq!(page(&session), compiled);
}
