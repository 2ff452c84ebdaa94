//! A returned translation → the translation files: which texts change,
//! the new text of each `X.<lang>.md` (and of site.toml for tag names),
//! and writing them all at once.
//!
//! [`plan_changes`] and the editors are pure; [`write_files`] is the only
//! function here that touches the disk. Files are edited with `toml_edit`,
//! so that what a webmaster wrote by hand (comments, order, quoting) stays
//! as it was around the values that change. The default-language files
//! are never written.

use super::units::{Field, TextUnit, UnitState, normalize};
use super::{Problem, ReturnedDocument};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table, Value};

/// A text to put into a translation file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub field: Field,
    pub text: String,
}

/// What changes in one translation file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileChange {
    /// Texts that differ from the file's (in unit order).
    pub edits: Vec<Edit>,
    /// The `source_hash` to record: the current one, unless a translation
    /// in the file stays as it was though its source changed.
    pub source_hash: Option<String>,
    /// Units that keep a stale translation (returned unchanged and not
    /// marked done), which keep the file stale.
    pub still_stale: Vec<String>,
    /// The file's units that the returned document holds.
    pub units_returned: usize,
}

/// Everything an import changes, by the path (relative to the site) of
/// the file it writes: a translation file, or site.toml for tag names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangePlan {
    pub files: BTreeMap<PathBuf, FileChange>,
    /// Units given a new or changed translation.
    pub texts_changed: usize,
}

/// Compares a returned document with the site's current units and decides
/// what to write; every problem with the document is reported, each at
/// its cell or unit, and then nothing is to be written.
///
/// `units` are the site's units in `returned.language`, in their order.
pub fn plan_changes(
    units: &[TextUnit<'_>],
    returned: &ReturnedDocument,
) -> Result<ChangePlan, Vec<Problem>> {
    let given = match_returned(units, returned)?;

    let lang = &returned.language;
    let mut plan = ChangePlan::default();
    // Every translation file a returned unit belongs to, with all its units.
    let mut by_file: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (i, u) in units.iter().enumerate() {
        by_file.entry(u.translation_path(lang)).or_default().push(i);
    }
    let touched: BTreeSet<PathBuf> = given
        .keys()
        .map(|&i| units[i].translation_path(lang))
        .collect();
    for path in touched {
        let mut change = FileChange::default();
        let mut translated_after = false;
        let mut file_hash = None;
        for &i in &by_file[&path] {
            let unit = &units[i];
            file_hash = file_hash.or(unit.file_hash.clone());
            let returned_unit = given.get(&i).map(|&r| &returned.units[r]);
            change.units_returned += usize::from(returned_unit.is_some());
            let new_text = returned_unit
                .and_then(|ru| ru.translation.as_deref())
                .map(normalize);
            match (new_text, unit.translation) {
                (Some(new), current) if current.map(normalize).as_deref() != Some(new.as_str()) => {
                    change.edits.push(Edit {
                        field: unit.field.clone(),
                        text: new,
                    });
                    translated_after = true;
                }
                (Some(_), Some(_)) => {
                    translated_after = true;
                    let confirmed = returned_unit.is_some_and(|ru| ru.marked_done);
                    if unit.state == UnitState::Stale && !confirmed {
                        change.still_stale.push(unit.id.clone());
                    }
                }
                (None, Some(_)) => {
                    translated_after = true;
                    if unit.state == UnitState::Stale {
                        change.still_stale.push(unit.id.clone());
                    }
                }
                (_, None) => {}
            }
        }
        plan.texts_changed += change.edits.len();
        if translated_after && change.still_stale.is_empty() {
            change.source_hash = file_hash;
        }
        plan.files.insert(path, change);
    }
    Ok(plan)
}

/// The unit each returned row or unit gives (unit index → returned
/// index), or every problem with them: a unit twice, one that no longer
/// exists, rows out of the export's order, a changed source, a unit
/// marked done without a translation.
fn match_returned(
    units: &[TextUnit<'_>],
    returned: &ReturnedDocument,
) -> Result<BTreeMap<usize, usize>, Vec<Problem>> {
    let mut problems = Vec::new();
    let by_id: BTreeMap<&str, usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.id.as_str(), i))
        .collect();
    // Unit index → the returned unit that gives it.
    let mut given: BTreeMap<usize, usize> = BTreeMap::new();
    let mut first_at: BTreeMap<&str, &str> = BTreeMap::new();
    // The previous row's unit, for the order of a spreadsheet's rows.
    let mut previous: Option<(usize, &str)> = None;
    for (r, ru) in returned.units.iter().enumerate() {
        if let Some(first) = first_at.insert(&ru.id, &ru.id_at) {
            problems.push(Problem::new(
                &ru.id_at,
                format!("unit `{}` appears twice (first at {first})", ru.shown_id),
                "keep one of the two, with its translation",
            ));
            continue;
        }
        let Some(&index) = by_id.get(ru.id.as_str()) else {
            problems.push(Problem::new(
                &ru.id_at,
                format!("unit `{}` no longer exists: its item, section, target, update or tag was removed or renumbered since the export", ru.shown_id),
                "export again (`planpub translate export`) and carry the translation over to the unit's new id",
            ));
            continue;
        };
        if returned.rows_ordered {
            if let Some((before, before_at)) = previous
                && index < before
            {
                problems.push(Problem::new(
                    &ru.id_at,
                    format!(
                        "rows were moved or sorted: unit `{}` comes before `{}` (at {before_at}) in the export",
                        ru.shown_id, units[before].id
                    ),
                    "keep the rows in the order of the export (sorting a column alone mixes up translations); export again if unsure",
                ));
            }
            previous = Some((index, &ru.id_at));
        }
        let unit = &units[index];
        if normalize(&ru.source) != unit.source {
            problems.push(Problem::new(
                &ru.source_at,
                format!(
                    "the source text of `{}` is not the current one{}",
                    ru.shown_id,
                    first_difference(&normalize(&ru.source), &unit.source)
                ),
                "the default-language text changed since the export, or the cell was edited: export again, and carry the translation over",
            ));
            continue;
        }
        if let Some(t) = &ru.translation
            && t.trim().is_empty()
            && !unit.field.may_be_empty()
        {
            problems.push(Problem::new(
                &ru.translation_at,
                format!("`{}` is marked done but has no translation", ru.shown_id),
                "write the translation, or mark it missing",
            ));
            continue;
        }
        given.insert(index, r);
    }
    if problems.is_empty() {
        Ok(given)
    } else {
        Err(problems)
    }
}

/// `: first difference at character 12 ("…")`, or nothing when one text
/// is the start of the other.
fn first_difference(returned: &str, current: &str) -> String {
    let at = returned
        .chars()
        .zip(current.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let context: String = current.chars().skip(at).take(12).collect();
    if context.is_empty() {
        format!(
            " (it is longer than the current text, from character {})",
            at + 1
        )
    } else {
        format!(
            " (first difference at character {}: now \"{context}…\")",
            at + 1
        )
    }
}

/// A document split at its front matter: everything up to and including
/// the opening `+++` line, the TOML, the closing `+++` line, the body.
struct Split<'a> {
    head: &'a str,
    front_matter: &'a str,
    fence: &'a str,
    body: &'a str,
}

fn split(text: &str) -> Option<Split<'_>> {
    let first_end = text.find('\n')? + 1;
    if text[..first_end].trim_end() != "+++" {
        return None;
    }
    let mut pos = first_end;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == "+++" {
            return Some(Split {
                head: &text[..first_end],
                front_matter: &text[first_end..pos],
                fence: &text[pos..end],
                body: &text[end..],
            });
        }
        pos = end;
    }
    None
}

/// Sets a string, keeping the comments and spacing around the old value.
fn set_string(table: &mut Table, key: &str, text: &str) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(v) => {
            let decor = v.decor().clone();
            *v = Value::from(text);
            *v.decor_mut() = decor;
        }
        None => {
            table.insert(key, toml_edit::value(text));
        }
    }
}

/// The table under `key`, made if missing (`implicit`: written only as
/// the prefix of its sub-tables, `[targets.<key>]`).
fn subtable<'t>(table: &'t mut Table, key: &str, implicit: bool) -> Result<&'t mut Table, String> {
    let item = table.entry(key).or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(implicit);
        Item::Table(t)
    });
    if let Item::Value(Value::InlineTable(inline)) = item {
        let mut t = std::mem::take(inline).into_table();
        t.set_implicit(implicit);
        *item = Item::Table(t);
    }
    match item {
        Item::Table(t) => Ok(t),
        Item::None | Item::Value(_) | Item::ArrayOfTables(_) => {
            Err(format!("`{key}` is not a table"))
        }
    }
}

/// The new text of a translation file `X.<lang>.md`: `existing` (or a new
/// file) with `edits` applied and `source_hash` recorded.
pub fn edit_translation(
    existing: Option<&str>,
    edits: &[Edit],
    source_hash: Option<&str>,
) -> Result<String, String> {
    let (head, front_matter, fence, old_body) = match existing {
        Some(text) => {
            let s = split(text).ok_or("it has no `+++` front matter")?;
            (s.head, s.front_matter, s.fence, s.body)
        }
        None => ("+++\n", "", "+++\n", ""),
    };
    let mut doc: DocumentMut = front_matter
        .parse()
        .map_err(|e| format!("its front matter is not TOML: {e}"))?;
    let mut body = None;
    for edit in edits {
        let root = doc.as_table_mut();
        match &edit.field {
            Field::Title => set_string(root, "title", &edit.text),
            Field::Issuer => set_string(root, "issuer", &edit.text),
            Field::Preamble | Field::Body => body = Some(edit.text.as_str()),
            Field::TargetLabel(key) => set_string(
                subtable(subtable(root, "targets", true)?, key, false)?,
                "label",
                &edit.text,
            ),
            Field::TargetUnit(key) => set_string(
                subtable(subtable(root, "targets", true)?, key, false)?,
                "unit",
                &edit.text,
            ),
            Field::UpdateText(date) => set_string(
                subtable(subtable(root, "updates", true)?, date, false)?,
                "text",
                &edit.text,
            ),
            Field::TagName(_) => return Err("a tag's name belongs in site.toml".into()),
        }
    }
    if let Some(hash) = source_hash {
        set_string(doc.as_table_mut(), "source_hash", hash);
    }
    let mut fm = doc.to_string();
    if !fm.is_empty() && !fm.ends_with('\n') {
        fm.push('\n');
    }
    let body = match body {
        Some(text) => format!("\n{text}\n"),
        None => old_body.to_string(),
    };
    let out = format!("{head}{fm}{fence}{body}");
    Ok(if head.ends_with("\r\n") {
        out.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        out
    })
}

/// site.toml with tag names set: `[tags."学校建设"] en = "School building"`.
pub fn edit_site_toml(existing: &str, lang: &str, names: &[Edit]) -> Result<String, String> {
    let mut doc: DocumentMut = existing
        .parse()
        .map_err(|e| format!("it is not TOML: {e}"))?;
    for edit in names {
        let Field::TagName(tag) = &edit.field else {
            return Err("only tag names are written to site.toml".into());
        };
        let tags = subtable(doc.as_table_mut(), "tags", true)?;
        set_string(subtable(tags, tag, false)?, lang, &edit.text);
    }
    Ok(doc.to_string())
}

/// Writes every file (paths relative to `root`) next to where it goes,
/// then renames them all into place: nothing is replaced unless every
/// file could be written. Returns what could not be done.
pub fn write_files(root: &Path, files: &[(PathBuf, String)]) -> Result<(), String> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let remove_staged = |staged: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (rel, text) in files {
        let dest = root.join(rel);
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dest.with_file_name(format!(".{name}.planpub-{}.tmp", std::process::id()));
        if let Err(e) = std::fs::write(&tmp, text) {
            let _ = std::fs::remove_file(&tmp);
            remove_staged(&staged);
            return Err(format!(
                "cannot write {}: {e}; nothing was changed",
                rel.display()
            ));
        }
        staged.push((tmp, dest));
    }
    for (i, (tmp, dest)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, dest) {
            remove_staged(&staged[i..]);
            return Err(format!(
                "cannot put {} in place: {e}; the {i} file(s) before it in the list were written, the rest not",
                dest.display()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_keeps_comments_order_and_body() {
        let existing = "+++\n# checked by the office\ntitle = \"Old\"  # keep\n\n[targets.a]\nlabel = \"A\"\nunit = \"\"\n+++\n\nOld body.\n";
        let edits = [
            Edit {
                field: Field::Title,
                text: "New".into(),
            },
            Edit {
                field: Field::UpdateText("2023-06-30".into()),
                text: "Done.".into(),
            },
        ];
        let out = edit_translation(Some(existing), &edits, Some("0123456789abcdef")).unwrap();
        assert_eq!(
            out,
            "+++\n# checked by the office\ntitle = \"New\"  # keep\nsource_hash = \"0123456789abcdef\"\n\n[targets.a]\nlabel = \"A\"\nunit = \"\"\n\n[updates.2023-06-30]\ntext = \"Done.\"\n+++\n\nOld body.\n"
        );
    }

    #[test]
    fn a_new_translation_file_has_front_matter_and_body() {
        let edits = [
            Edit {
                field: Field::Title,
                text: "Title".into(),
            },
            Edit {
                field: Field::Body,
                text: "Line one.\n\nLine two.".into(),
            },
            Edit {
                field: Field::TargetLabel("k".into()),
                text: "Schools".into(),
            },
        ];
        let out = edit_translation(None, &edits, Some("0123456789abcdef")).unwrap();
        assert_eq!(
            out,
            "+++\ntitle = \"Title\"\nsource_hash = \"0123456789abcdef\"\n\n[targets.k]\nlabel = \"Schools\"\n+++\n\nLine one.\n\nLine two.\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let existing = "+++\r\ntitle = \"Old\"\r\n+++\r\n\r\nBody.\r\n";
        let edits = [Edit {
            field: Field::Title,
            text: "New".into(),
        }];
        let out = edit_translation(Some(existing), &edits, None).unwrap();
        assert_eq!(out, "+++\r\ntitle = \"New\"\r\n+++\r\n\r\nBody.\r\n");
    }
}
