//! What the spreadsheet tools beside the pipeline (`planpub translate`,
//! `planpub progress`) share: a [`Problem`] at a cell or an argument, the
//! [`Failure`] of a command, `A1`-style cell references, a calamine cell's
//! text, and writing a file through a temporary one beside it.

use crate::diagnostics::escape_controls;
use calamine::Data;
use std::fmt;
use std::path::Path;

/// A problem with a command's arguments or with a returned document, at a
/// place that is not a line of a content file: `FILE.xlsx:Sheet1!C7`,
/// `FILE.xlf:12:5`, `--lang`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub at: String,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(at: &str, message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem {
            at: at.to_string(),
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

impl fmt::Display for Problem {
    /// `at: error: message` and `  = help: hint`, as diagnostics are
    /// printed, with the control characters a cell may hold escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: error: {}",
            escape_controls(&self.at),
            escape_controls(&self.message)
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = help: {}", escape_controls(hint))?;
        }
        Ok(())
    }
}

/// Why a command did nothing: the problems (content errors of the site
/// are in the `Diagnostics` instead) and the exit code.
#[derive(Clone, Debug)]
pub struct Failure {
    /// 2 for a usage error (unknown plan or language, file format), 1 for
    /// the rest.
    pub exit_code: u8,
    pub problems: Vec<Problem>,
}

impl Failure {
    pub(crate) fn usage(problem: Problem) -> Failure {
        Failure {
            exit_code: 2,
            problems: vec![problem],
        }
    }

    pub(crate) fn content(problems: Vec<Problem>) -> Failure {
        Failure {
            exit_code: 1,
            problems,
        }
    }
}

/// `A1`-style reference of a 0-based row and column.
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = String::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.insert(0, char::from(b'A' + rem as u8));
        c = (c - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// The letters of a 0-based column (`E`).
pub fn column_letters(col: u32) -> String {
    cell_ref(0, col).trim_end_matches('1').to_string()
}

/// A cell's text (`None` for an empty cell).
pub fn cell_text(data: &Data) -> Result<Option<String>, String> {
    match data {
        Data::Empty => Ok(None),
        Data::String(s) if s.is_empty() => Ok(None),
        Data::Error(e) => Err(format!("the cell holds an error ({e})")),
        other @ (Data::Int(_)
        | Data::Float(_)
        | Data::String(_)
        | Data::Bool(_)
        | Data::DateTime(_)
        | Data::DateTimeIso(_)
        | Data::DurationIso(_)) => Ok(Some(other.to_string())),
    }
}

/// At most 40 characters of a text, for a message.
pub fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Writes `bytes` to `path` through a temporary file beside it, so that
/// `path` is either as it was or complete.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.planpub-{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
}

#[cfg(test)]
mod tests {
    use super::{cell_ref, column_letters};

    #[test]
    fn cell_references_are_excel_style() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(6, 3), "D7");
        assert_eq!(cell_ref(9, 25), "Z10");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(0, 701), "ZZ1");
        assert_eq!(cell_ref(0, 702), "AAA1");
        assert_eq!(column_letters(4), "E");
        assert_eq!(column_letters(27), "AB");
    }
}
