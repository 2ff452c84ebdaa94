//! A recognised plan → the content files of `content/<plan>/`, written all
//! at once or not at all.
//!
//! [`plan_content_files`] is pure: it lays the plan out as the content
//! format says (docs/content-format.md): `_index.md` for the plan, one
//! `<n>-section/` folder per section with its `_index.md`, one
//! `<NN>-item.md` per item, and `source.zh.txt`. Folder and file names
//! only need to be ASCII and unique: URLs come from the plan id and the
//! item numbers, never from them, so a webmaster may rename them later
//! (`3-quality-system/16-school-projects.md`) without breaking a link.
//!
//! [`write_plan_folder`] writes the files into a staging folder beside
//! `content/` and renames it into place, refusing to replace anything:
//! an import never overwrites and never leaves half a plan behind.

use super::structure::PlanDocument;
use std::io;
use std::path::{Path, PathBuf};

/// One file of the plan folder: its path inside `content/<plan>/` and its
/// text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentFile {
    pub path: PathBuf,
    pub text: String,
}

/// The files of `content/<plan>/` for a recognised plan; `source_text` is
/// the document's text (UTF-8, `\n` line endings), kept as `source.zh.txt`.
pub fn plan_content_files(plan: &PlanDocument, source_text: &str) -> Vec<ContentFile> {
    let mut files = Vec::new();
    let mut front = toml::Table::new();
    front.insert("title".into(), plan.title.clone().into());
    if let Some(issuer) = &plan.issuer {
        front.insert("issuer".into(), issuer.name.clone().into());
    }
    if let Some(date) = plan.published.as_deref().and_then(|d| d.parse().ok()) {
        front.insert("published".into(), toml::Value::Datetime(date));
    }
    files.push(ContentFile {
        path: PathBuf::from("_index.md"),
        text: content_file(&front, &plan.preamble),
    });

    let widest = plan
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.number.to_string().len())
        .max()
        .unwrap_or(0)
        .max(2);
    let mut folders_used = Vec::new();
    for section in &plan.sections {
        let folder = unique_name(format!("{}-section", section.number), &mut folders_used);
        let folder = PathBuf::from(folder);
        let mut front = toml::Table::new();
        front.insert("number".into(), i64::from(section.number).into());
        front.insert("title".into(), section.title.clone().into());
        files.push(ContentFile {
            path: folder.join("_index.md"),
            text: content_file(&front, &section.introduction),
        });
        let mut stems_used = Vec::new();
        for item in &section.items {
            let stem = unique_name(format!("{:0widest$}-item", item.number), &mut stems_used);
            let mut front = toml::Table::new();
            front.insert("number".into(), i64::from(item.number).into());
            front.insert("title".into(), item.title.clone().into());
            if !item.lead.is_empty() {
                let lead: Vec<toml::Value> = item.lead.iter().map(|u| u.clone().into()).collect();
                front.insert("lead".into(), lead.into());
            }
            files.push(ContentFile {
                path: folder.join(format!("{stem}.md")),
                text: content_file(&front, &item.body),
            });
        }
    }

    let mut source = source_text.to_string();
    if !source.is_empty() && !source.ends_with('\n') {
        source.push('\n');
    }
    files.push(ContentFile {
        path: PathBuf::from("source.zh.txt"),
        text: source,
    });
    files
}

/// `base`, or `base-2`, `base-3`… if taken (a repeated number in the
/// document must not make two items share a file).
fn unique_name(base: String, used: &mut Vec<String>) -> String {
    let mut name = base.clone();
    let mut n = 1;
    while used.contains(&name) {
        n += 1;
        name = format!("{base}-{n}");
    }
    used.push(name.clone());
    name
}

/// `+++`, the front matter, `+++`, a blank line and the body: the shape of
/// the shipped content files.
fn content_file(front: &toml::Table, body: &str) -> String {
    let mut text = String::from("+++\n");
    text.push_str(&toml::to_string(front).expect("a table of strings and numbers serializes"));
    text.push_str("+++\n");
    if !body.is_empty() {
        text.push('\n');
        text.push_str(body);
        text.push('\n');
    }
    text
}

/// Writes `files` as `root/content/<plan_id>/`, which must not exist: into
/// a staging folder in `root` first, then renamed into place without
/// replacing anything. On error nothing is left behind.
pub fn write_plan_folder(root: &Path, plan_id: &str, files: &[ContentFile]) -> io::Result<()> {
    let content = root.join("content");
    let staging = root.join(format!(".planpub-import-{plan_id}-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = write_files(&staging, files)
        .and_then(|()| std::fs::create_dir_all(&content))
        .and_then(|()| rename_no_replace(&staging, &content.join(plan_id)));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_files(dir: &Path, files: &[ContentFile]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.text)?;
    }
    Ok(())
}

/// Renames `from` to `to`, failing with `AlreadyExists` if `to` exists
/// (plain `rename` would silently replace an empty folder).
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            // Filesystems without RENAME_NOREPLACE: check, then rename.
            Err(Errno::INVAL | Errno::NOSYS) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", to.display()),
        ));
    }
    std::fs::rename(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::structure::{Issuer, IssuerSource, ItemDocument, SectionDocument};

    fn plan() -> PlanDocument {
        let item = |number: u32, lead: Vec<String>| ItemDocument {
            number,
            title: format!("事项\"{number}\""),
            body: "正文。\n\n第二段。".into(),
            lead,
            line: 3,
        };
        PlanDocument {
            title: "南阳市教育局2024年工作要点".into(),
            issuer: Some(Issuer {
                name: "南阳市教育局".into(),
                named_in: IssuerSource::Title,
            }),
            published: Some("2024-03-01".into()),
            preamble: "总体要求。".into(),
            sections: vec![SectionDocument {
                number: 1,
                title: "加强党建".into(),
                introduction: String::new(),
                line: 2,
                items: vec![item(1, vec!["市教育局".into()]), item(1, vec![])],
            }],
        }
    }

    #[test]
    fn files_carry_the_plan_in_the_content_format() {
        let files = plan_content_files(&plan(), "原文");
        let paths: Vec<&str> = files.iter().map(|f| f.path.to_str().unwrap()).collect();
        assert_eq!(
            paths,
            [
                "_index.md",
                "1-section/_index.md",
                "1-section/01-item.md",
                "1-section/01-item-2.md",
                "source.zh.txt"
            ]
        );
        assert_eq!(
            files[0].text,
            "+++\ntitle = \"南阳市教育局2024年工作要点\"\nissuer = \"南阳市教育局\"\npublished = 2024-03-01\n+++\n\n总体要求。\n"
        );
        let item = &files[2].text;
        let front: toml::Table = toml::from_str(item.split("+++\n").nth(1).unwrap()).unwrap();
        assert_eq!(front["title"].as_str(), Some("事项\"1\""));
        assert_eq!(front["lead"].as_array().unwrap().len(), 1);
        assert!(item.ends_with("+++\n\n正文。\n\n第二段。\n"));
        assert_eq!(files[4].text, "原文\n");
    }

    #[test]
    fn an_existing_plan_folder_is_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("content/2024")).unwrap();
        let files = plan_content_files(&plan(), "原文");
        let error = write_plan_folder(root.path(), "2024", &files).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        let left: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the staging folder was left behind");
        assert_eq!(
            std::fs::read_dir(root.path().join("content/2024"))
                .unwrap()
                .count(),
            0
        );
        write_plan_folder(root.path(), "2025", &files).unwrap();
        assert!(
            root.path()
                .join("content/2025/1-section/01-item.md")
                .is_file()
        );
    }
}
