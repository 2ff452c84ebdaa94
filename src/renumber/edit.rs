//! The text edits of a renumbering, each on one file's text: front
//! matter and round files through `toml_edit` (comments and layout stay
//! as they were), item links in Markdown bodies, numbered file names.

use std::collections::BTreeMap;
use toml_edit::{Array, DocumentMut, Value};

/// Old number → new number, for the items that move.
pub type NumberMap = BTreeMap<u32, u32>;

/// The byte range of a document's front matter (between the `+++`
/// lines), or `None` when it has none.
pub fn front_matter_range(text: &str) -> Option<std::ops::Range<usize>> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "+++" {
        return None;
    }
    let start = first_end + 1;
    let mut pos = start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == "+++" {
            return Some(start..pos);
        }
        pos = end + 1;
    }
    None
}

/// Sets an integer value, keeping the space and comments around it.
fn set_integer(v: &mut Value, n: u32) {
    let decor = v.decor().clone();
    *v = Value::from(i64::from(n));
    *v.decor_mut() = decor;
}

/// The number a value holds, if it is a whole number that can be one.
fn number_of(v: &Value) -> Option<u32> {
    v.as_integer().and_then(|n| u32::try_from(n).ok())
}

/// An item's front matter renumbered: `number` (when it moves, with the
/// old number appended to `former_numbers`) and `related`, through `map`.
/// Returns the new front matter and what changed, in words.
pub fn renumber_item_front_matter(
    front_matter: &str,
    map: &NumberMap,
) -> Result<(String, Vec<String>), String> {
    let mut doc: DocumentMut = front_matter.parse().map_err(|e| format!("{e}"))?;
    let mut notes = Vec::new();
    let old = doc
        .get_mut("number")
        .and_then(|i| i.as_value_mut())
        .and_then(|v| number_of(v).map(|n| (n, v)));
    if let Some((old, v)) = old
        && let Some(&new) = map.get(&old)
    {
        set_integer(v, new);
        notes.push(format!("number = {old} → {new}"));
        match doc.get_mut("former_numbers").and_then(|i| i.as_array_mut()) {
            Some(former) => former.push(i64::from(old)),
            None => {
                let mut former = Array::new();
                former.push(i64::from(old));
                doc.insert("former_numbers", toml_edit::value(former));
            }
        }
        notes.push(format!("former_numbers += {old}"));
    }
    if let Some(related) = doc.get_mut("related").and_then(|i| i.as_array_mut()) {
        for v in related.iter_mut() {
            if let Some(n) = number_of(v)
                && let Some(&new) = map.get(&n)
            {
                set_integer(v, new);
                notes.push(format!("related: {n} → {new}"));
            }
        }
    }
    Ok((doc.to_string(), notes))
}

/// A progress round (`content/<plan>/progress/<date>.toml`) renumbered:
/// each `[[item]]`'s `number`.
pub fn renumber_round(text: &str, map: &NumberMap) -> Result<(String, Vec<String>), String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let mut notes = Vec::new();
    if let Some(items) = doc.get_mut("item").and_then(|i| i.as_array_of_tables_mut()) {
        for t in items.iter_mut() {
            if let Some(v) = t.get_mut("number").and_then(|i| i.as_value_mut())
                && let Some(n) = number_of(v)
                && let Some(&new) = map.get(&n)
            {
                set_integer(v, new);
                notes.push(format!("[[item]] number = {n} → {new}"));
            }
        }
    }
    Ok((doc.to_string(), notes))
}

/// Every link to an item of plan `plan` in a Markdown text
/// (`/<plan>/<number>/`, with or without a language, base path or host
/// before it, and whatever follows: `#target-…`, `badge.svg`) pointed at
/// the item's new number. One pass: a link is rewritten at most once.
pub fn rewrite_item_links(text: &str, plan: &str, map: &NumberMap) -> (String, Vec<String>) {
    let needle = format!("/{plan}/");
    let mut out = String::with_capacity(text.len());
    let mut notes = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let moved = after[digits..]
            .starts_with('/')
            .then(|| after[..digits].parse::<u32>().ok())
            .flatten()
            .and_then(|n| map.get(&n).map(|&new| (n, new)));
        out.push_str(&rest[..at + needle.len()]);
        match moved {
            Some((old, new)) => {
                out.push_str(&new.to_string());
                notes.push(format!("link /{plan}/{old}/ → /{plan}/{new}/"));
                rest = &after[digits..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    (out, notes)
}

/// A file name with its number prefix (`03-kindergartens.en.md`) given the
/// new number, as wide as before (`05-kindergartens.en.md`); `None` when
/// the name does not start with `old`.
pub fn renamed(file_name: &str, old: u32, new: u32) -> Option<String> {
    let digits = file_name.len()
        - file_name
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    if digits == 0 || file_name[..digits].parse::<u32>().ok()? != old {
        return None;
    }
    Some(format!("{new:0digits$}{}", &file_name[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(u32, u32)]) -> NumberMap {
        pairs.iter().copied().collect()
    }

    #[test]
    fn links_move_once_and_only_whole_numbers() {
        let m = map(&[(3, 4), (4, 5)]);
        let (out, notes) = rewrite_item_links(
            "[a](/2023/3/) [b](/en/2023/4/#target-x) [c](/2023/13/) [d](/2024/3/) 2023/3/1 [e](https://h/plan/2023/3/badge.svg)",
            "2023",
            &m,
        );
        assert_eq!(
            out,
            "[a](/2023/4/) [b](/en/2023/5/#target-x) [c](/2023/13/) [d](/2024/3/) 2023/3/1 [e](https://h/plan/2023/4/badge.svg)"
        );
        assert_eq!(notes.len(), 3);
    }

    #[test]
    fn front_matter_keeps_its_comments_and_layout() {
        let fm = "number = 3   # the item\ntitle = \"x\"\nrelated = [4, 1]  # see also\n\n[[updates]]\ndate = 2023-01-01\ntext = \"y\"\n";
        let (out, _) = renumber_item_front_matter(fm, &map(&[(3, 5), (4, 6)])).unwrap();
        assert_eq!(
            out,
            "number = 5   # the item\ntitle = \"x\"\nrelated = [6, 1]  # see also\nformer_numbers = [3]\n\n[[updates]]\ndate = 2023-01-01\ntext = \"y\"\n"
        );
        let (again, _) = renumber_item_front_matter(&out, &map(&[(5, 7)])).unwrap();
        assert!(again.contains("former_numbers = [3, 5]"), "{again}");
    }

    #[test]
    fn round_files_renumber_their_items_and_keep_comments() {
        let round = "# 第三季度\n[[item]]\nnumber = 3  # 学前\nstatus = \"in-progress\"\n\n[[item]]\nnumber = 7\ntext = { zh = \"……\", en = \"…\" }\n";
        let (out, notes) = renumber_round(round, &map(&[(3, 5)])).unwrap();
        assert_eq!(out, round.replace("number = 3  #", "number = 5  #"));
        assert_eq!(notes, ["[[item]] number = 3 → 5"]);
    }

    #[test]
    fn file_names_keep_their_width() {
        assert_eq!(renamed("03-a.en.md", 3, 5).as_deref(), Some("05-a.en.md"));
        assert_eq!(renamed("9-a.md", 9, 10).as_deref(), Some("10-a.md"));
        assert_eq!(renamed("13-a.md", 3, 5), None);
        assert_eq!(renamed("a.md", 3, 5), None);
    }
}
