//! Edit storms (issue #15.11): seeded random edits, batched as the watcher
//! might batch them, end in what a clean build makes.

use super::server::{get, get_bytes, poll_until, start_server};
use super::*;
use std::time::Duration;

/// A small seeded generator (splitmix64): the same seed, the same edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A work item of the shipped site as the storm leaves it.
struct StormItem {
    /// Default-language file, where it is now.
    zh: PathBuf,
    en: PathBuf,
    original_zh: Vec<u8>,
    original_en: Vec<u8>,
    /// Broken by the storm (an unknown status), to be fixed at its end.
    broken: bool,
}

/// Random edits of the shipped site: texts, titles, edits undone at once,
/// renames, attachments made, changed and deleted, new items made and
/// deleted, files broken and fixed. Each step returns the paths it
/// touched (what the watcher would report).
struct Storm {
    root: PathBuf,
    rng: Rng,
    items: Vec<StormItem>,
    attachments: Vec<PathBuf>,
    new_items: Vec<PathBuf>,
    /// Every attachment the storm made, deleted since or not.
    made: Vec<PathBuf>,
    /// An edit to undo at the next step: (item, its bytes before).
    undo_next: Option<(usize, Vec<u8>)>,
    counter: usize,
    log: Vec<String>,
}

impl Storm {
    fn new(root: &Path, seed: u64) -> Storm {
        let mut items = Vec::new();
        for n in 1..=31 {
            let zh = item_file(root, n);
            let en = zh.with_extension("en.md");
            items.push(StormItem {
                original_zh: std::fs::read(&zh).unwrap(),
                original_en: std::fs::read(&en).unwrap_or_default(),
                zh,
                en,
                broken: false,
            });
        }
        Storm {
            root: root.to_path_buf(),
            rng: Rng(seed),
            items,
            attachments: Vec::new(),
            new_items: Vec::new(),
            undo_next: None,
            made: Vec::new(),
            counter: 0,
            log: Vec::new(),
        }
    }

    fn section_dir(&mut self) -> PathBuf {
        let i = self.rng.below(self.items.len());
        self.items[i].zh.parent().unwrap().to_path_buf()
    }

    /// One random step; returns the paths it touched.
    fn step(&mut self) -> Vec<PathBuf> {
        self.counter += 1;
        let k = self.counter;
        if let Some((i, before)) = self.undo_next.take() {
            // The edit undone, and at once a new attachment or new bytes
            // in one the site has.
            let zh = self.items[i].zh.clone();
            std::fs::write(&zh, &before).unwrap();
            let note = if self.rng.below(5) == 0 {
                let note = self.root.join(format!("content/2023/notes-{k}.txt"));
                self.attachments.push(note.clone());
                self.made.push(note.clone());
                note
            } else {
                self.root.join("content/2023/source.zh.txt")
            };
            std::fs::write(&note, format!("note {k}\n")).unwrap();
            self.log
                .push(format!("{k}: undo {} + {}", zh.display(), note.display()));
            return vec![zh, note];
        }
        // Mostly a few items, so that edits meet undos and renames.
        let i = if self.rng.below(10) < 7 {
            [15, 10, 6, 23][self.rng.below(4)]
        } else {
            self.rng.below(self.items.len())
        };
        let kind = self.rng.below(100);
        let it = &mut self.items[i];
        match kind {
            // An edit of the body.
            0..=21 => {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                let text = text.replacen("+++\n\n", &format!("+++\n\n（第{k}次修改）"), 1);
                std::fs::write(&it.zh, text).unwrap();
                self.log.push(format!("{k}: body of {}", it.zh.display()));
                vec![it.zh.clone()]
            }
            // A new title.
            22..=29 => {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                let text = text.replacen("\ntitle = \"", &format!("\ntitle = \"（{k}）"), 1);
                std::fs::write(&it.zh, text).unwrap();
                self.log.push(format!("{k}: title of {}", it.zh.display()));
                vec![it.zh.clone()]
            }
            // The original bytes back.
            30..=37 => {
                std::fs::write(&it.zh, &it.original_zh).unwrap();
                std::fs::write(&it.en, &it.original_en).unwrap();
                it.broken = false;
                self.log.push(format!("{k}: restore {}", it.zh.display()));
                vec![it.zh.clone(), it.en.clone()]
            }
            // An edit undone at once, with a new attachment beside it (the
            // sequence that left the edit served forever).
            38..=54 => {
                let before = std::fs::read(&it.zh).unwrap();
                let text = String::from_utf8(before.clone()).unwrap();
                std::fs::write(&it.zh, text.replacen("+++\n\n", "+++\n\n（将撤销）", 1)).unwrap();
                self.log
                    .push(format!("{k}: edit to undo {}", it.zh.display()));
                self.undo_next = Some((i, before));
                vec![it.zh.clone()]
            }
            // Renamed, with its translation.
            55..=59 => self.rename_step(i, k),
            // The English text edited.
            60..=69 => {
                let text = std::fs::read_to_string(&it.en).unwrap();
                std::fs::write(
                    &it.en,
                    text.replacen("+++\n\n", &format!("+++\n\nEdit {k}. "), 1),
                )
                .unwrap();
                self.log
                    .push(format!("{k}: english of {}", it.en.display()));
                vec![it.en.clone()]
            }
            // Broken (an unknown status), fixed at the end at the latest.
            70..=71 => {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                if !text.contains("\nstatus = \"") || it.broken {
                    return Vec::new();
                }
                std::fs::write(&it.zh, text.replacen("\nstatus = \"", "\nstatus = \"x-", 1))
                    .unwrap();
                it.broken = true;
                self.log.push(format!("{k}: break {}", it.zh.display()));
                vec![it.zh.clone()]
            }
            // An attachment made, changed or deleted.
            72..=89 => self.attachment_step(k),
            // A new item made (a copy of this one under a new number), or
            // one made earlier deleted.
            _ => self.new_item_step(i, k),
        }
    }

    /// Item `i` renamed, with its translation.
    fn rename_step(&mut self, i: usize, k: usize) -> Vec<PathBuf> {
        let it = &mut self.items[i];
        let name = it.zh.file_stem().unwrap().to_string_lossy().into_owned();
        let number = name.split('-').next().unwrap().to_string();
        let zh = it.zh.with_file_name(format!("{number}-renamed-{k}.md"));
        let en = it.zh.with_file_name(format!("{number}-renamed-{k}.en.md"));
        std::fs::rename(&it.zh, &zh).unwrap();
        let mut touched = vec![it.zh.clone(), zh.clone()];
        if it.en.exists() {
            std::fs::rename(&it.en, &en).unwrap();
            touched.extend([it.en.clone(), en.clone()]);
        }
        self.log.push(format!(
            "{k}: rename {} -> {}",
            it.zh.display(),
            zh.display()
        ));
        it.zh = zh;
        it.en = en;
        touched
    }

    /// An attachment made, changed or deleted.
    fn attachment_step(&mut self, k: usize) -> Vec<PathBuf> {
        if !self.attachments.is_empty() && self.rng.below(2) == 0 {
            let j = self.rng.below(self.attachments.len());
            let a = self.attachments[j].clone();
            if self.rng.below(2) == 0 {
                std::fs::remove_file(&a).unwrap();
                self.attachments.remove(j);
                self.log.push(format!("{k}: delete {}", a.display()));
            } else {
                std::fs::write(&a, format!("changed {k}\n")).unwrap();
                self.log.push(format!("{k}: change {}", a.display()));
            }
            vec![a]
        } else {
            let dir = self.section_dir();
            let a = dir.join(format!("data-{k}.csv"));
            std::fs::write(&a, format!("a,b\n{k},2\n")).unwrap();
            self.attachments.push(a.clone());
            self.made.push(a.clone());
            self.log.push(format!("{k}: attach {}", a.display()));
            vec![a]
        }
    }

    /// A new item made (a copy of item `i` under a new number), or one
    /// made earlier deleted.
    fn new_item_step(&mut self, i: usize, k: usize) -> Vec<PathBuf> {
        let it = &self.items[i];
        if !self.new_items.is_empty() && self.rng.below(2) == 0 {
            let j = self.rng.below(self.new_items.len());
            let f = self.new_items.remove(j);
            std::fs::remove_file(&f).unwrap();
            self.log.push(format!("{k}: delete item {}", f.display()));
            vec![f]
        } else {
            let text = String::from_utf8(it.original_zh.clone()).unwrap();
            let number = 100 + k;
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            for l in lines.iter_mut() {
                if l.starts_with("number = ") {
                    *l = format!("number = {number}");
                }
                if l.starts_with("related = ") {
                    *l = "related = []".into();
                }
            }
            let f = it.zh.with_file_name(format!("{number}-new.md"));
            std::fs::write(&f, lines.join("\n") + "\n").unwrap();
            self.new_items.push(f.clone());
            self.log.push(format!("{k}: new item {}", f.display()));
            vec![f]
        }
    }

    /// Fixes every file the storm broke; returns the paths touched.
    fn fix_all(&mut self) -> Vec<PathBuf> {
        let mut touched = Vec::new();
        for it in &mut self.items {
            if it.broken {
                let text = std::fs::read_to_string(&it.zh).unwrap();
                std::fs::write(&it.zh, text.replacen("\nstatus = \"x-", "\nstatus = \"", 1))
                    .unwrap();
                it.broken = false;
                touched.push(it.zh.clone());
            }
        }
        touched
    }

    fn any_broken(&self) -> bool {
        self.items.iter().any(|it| it.broken)
    }

    fn replay_hint(&self, seed: u64) -> String {
        format!(
            "seed {seed} (replay with PLANPUB_STORM_SEED={seed}); steps:\n{}",
            self.log.join("\n")
        )
    }
}

/// The storm seeds to run: PLANPUB_STORM_SEED, or a fixed few.
fn storm_seeds(default: &[u64]) -> Vec<u64> {
    match std::env::var("PLANPUB_STORM_SEED") {
        Ok(s) => vec![s.parse().expect("PLANPUB_STORM_SEED is a number")],
        Err(_) => default.to_vec(),
    }
}

// issue #15.11: the sequence that left an edit served forever: an edit,
// undone within the same batch as a new attachment.
#[test]
fn edit_undone_beside_a_new_attachment_serves_the_original() {
    let site = shipped_site();
    let root = site.root();
    let base = "http://127.0.0.1:1111/plan/";
    let (mut session, _) = Session::start(root, Some(base.into()));
    let f = item_file(root, 16);
    let original = std::fs::read(&f).unwrap();
    edit(&f, "+++\n\n", "+++\n\n（将撤销）");
    let first = session.rebuild(std::slice::from_ref(&f));
    assert!(first.partial, "the edited item's own pages go out first");
    std::fs::write(&f, &original).unwrap();
    let note = root.join("content/2023/notes.txt");
    std::fs::write(&note, "notes\n").unwrap();
    let outcome = session.rebuild(&[f.clone(), note]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    if session.has_pending_work() {
        session.finish();
    }
    assert_same_as_clean_build(&session, root, base, "edit undone beside a new attachment");
    assert!(
        session
            .output
            .read()
            .unwrap()
            .files
            .contains_key("2023/notes.txt")
    );

    // The same beside new bytes in an attachment the site has (an
    // incremental rebuild, where the diff from the last full rebuild saw
    // no change in the item).
    edit(&f, "+++\n\n", "+++\n\n（又将撤销）");
    assert!(session.rebuild(std::slice::from_ref(&f)).partial);
    std::fs::write(&f, &original).unwrap();
    let source = root.join("content/2023/source.zh.txt");
    std::fs::write(&source, "changed\n").unwrap();
    let outcome = session.rebuild(&[f.clone(), source]);
    assert!(!outcome.failed, "{}", outcome.diagnostics.render());
    assert!(outcome.incremental, "an incremental rebuild");
    if session.has_pending_work() {
        session.finish();
    }
    assert_same_as_clean_build(
        &session,
        root,
        base,
        "edit undone beside a changed attachment",
    );
}

// issue #15.11: after any sequence of edits, batched as the watcher might
// batch them, the session holds what a clean build makes, byte for byte.
#[test]
fn incremental_rebuilds_after_random_edit_storms_equal_clean_builds() {
    for seed in storm_seeds(&[2]) {
        let site = shipped_site();
        let root = site.root();
        let base = "http://127.0.0.1:1111/plan/";
        let (mut session, _) = Session::start(root, Some(base.into()));
        let mut storm = Storm::new(root, seed);
        let mut batch: Vec<PathBuf> = Vec::new();
        for step in 0..48 {
            batch.extend(storm.step());
            // Batches of one to a few steps; the rest of a partial
            // rebuild now and then before the next batch, as after a pause.
            if storm.rng.below(2) == 0 {
                let o = session.rebuild(&std::mem::take(&mut batch));
                storm.log.push(format!(
                    "   rebuild: failed {} partial {} incremental {} unchanged {}",
                    o.failed, o.partial, o.incremental, o.unchanged
                ));
                if session.has_pending_work() && storm.rng.below(3) == 0 {
                    session.finish();
                    storm.log.push("   finish".into());
                }
            }
            if step % 4 == 3 && !storm.any_broken() {
                session.rebuild(&std::mem::take(&mut batch));
                if session.has_pending_work() {
                    session.finish();
                }
                let hint = storm.replay_hint(seed);
                assert_same_as_clean_build(&session, root, base, &format!("step {step}, {hint}"));
            }
        }
        batch.extend(storm.fix_all());
        let outcome = session.rebuild(&batch);
        assert!(!outcome.failed, "{}", outcome.diagnostics.render());
        if session.has_pending_work() {
            session.finish();
        }
        assert_same_as_clean_build(&session, root, base, &storm.replay_hint(seed));
        if std::env::var("PLANPUB_STORM_LOG").is_ok() {
            eprintln!("{}", storm.replay_hint(seed));
        }
    }
}

// issue #15.11: the running server, edited fast (the watcher batches as it
// will), serves what a clean build makes once it is quiet: every file,
// fetched over HTTP.
#[test]
fn serve_after_a_random_edit_storm_serves_a_clean_build() {
    let seed = storm_seeds(&[7])[0];
    let site = shipped_site();
    let root = site.root();
    let server = start_server(root);
    let base = format!("http://127.0.0.1:{}/plan/", server.port);
    let mut storm = Storm::new(root, seed);
    for _ in 0..50 {
        storm.step();
        // From back to back to a pause longer than the watcher's window.
        let pause = [0, 0, 1, 5, 20, 120][storm.rng.below(6)];
        std::thread::sleep(Duration::from_millis(pause));
    }
    storm.fix_all();
    let clean = clean_build(root, &base, &storm.replay_hint(seed));
    let tag = b"<script src=\"/__planpub/live.js\"></script>\n";
    let differ: std::cell::RefCell<Vec<String>> = Default::default();
    poll_until(
        || {
            if server.state()["settled"] != true {
                return false;
            }
            *differ.borrow_mut() = clean
                .files
                .iter()
                .filter(|(path, bytes)| {
                    let (status, _, mut body) = get_bytes(server.port, &format!("/plan/{path}"));
                    if path.ends_with(".html")
                        && let Some(i) = body.windows(tag.len()).rposition(|w| w == tag)
                    {
                        body.drain(i..i + tag.len());
                    }
                    status != 200 || body != **bytes
                })
                .map(|(p, _)| p.clone())
                .collect();
            differ.borrow().is_empty()
        },
        "the served site to equal a clean build",
        || {
            format!(
                "differ: {:?}\n{}\n{}",
                differ.borrow(),
                server.printed(),
                storm.replay_hint(seed)
            )
        },
    );
    // Attachments made and deleted again are gone.
    for made in &storm.made {
        let rel = made.strip_prefix(root.join("content")).unwrap();
        let url = format!("/plan/{}", rel.to_string_lossy());
        let expected = if made.exists() { 200 } else { 404 };
        assert_eq!(
            get(server.port, &url).0,
            expected,
            "{url}\n{}",
            storm.replay_hint(seed)
        );
    }
    // Items made and deleted again are gone.
    for k in 100..100 + storm.counter + 1 {
        let path = format!("2023/{k}/index.html");
        if !clean.files.contains_key(&path) {
            let (status, _) = get(server.port, &format!("/plan/2023/{k}/"));
            assert_eq!(status, 404, "item {k} is gone\n{}", storm.replay_hint(seed));
        }
    }
}
