//! Diagnostics shared by every stage: a problem in a file, at a line and
//! column, with a message and a hint on how to fix it.
//!
//! Stages never print and never stop at the first problem: they push into a
//! [`Diagnostics`] list and carry on, so that one run reports everything.
//! `main` is the one place that prints them and picks the exit code.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors fail the build, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of problem a diagnostic reports: what a program (or `main`,
/// counting missing translations) goes by, instead of the message's words.
/// The kebab-case name ([`Code::name`]) is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A file or folder could not be read.
    CannotRead,
    /// A file is not valid UTF-8.
    NotUtf8,
    /// A file or folder is where the content layout has no place for it.
    OutOfLayout,
    /// A hidden file or folder under content/, not published.
    HiddenFile,
    /// A symbolic link where planpub does not follow links.
    SymbolicLink,
    /// A file under content/ that is not published as an attachment.
    AttachmentRefused,
    /// A file in a language site.toml does not list.
    UnknownLanguage,
    /// site.toml names a theme that is not there.
    MissingTheme,
    /// The theme lacks a template every page type needs.
    MissingTemplate,
    /// A language has no UI strings file.
    MissingUiStrings,
    /// A UI strings file is wrong (a key missing, not a string, clashing).
    UiStrings,
    /// A Markdown file without `+++` front matter, or with it unclosed.
    NoFrontMatter,
    /// TOML that does not parse.
    InvalidToml,
    /// A required field is missing.
    MissingField,
    /// A field has the wrong type.
    WrongType,
    /// A number beyond what a field allows.
    OutOfRange,
    /// A value of the right type that the field does not allow.
    InvalidValue,
    /// A field nobody reads (a typo, most likely).
    UnknownField,
    /// A field in a translation that only the default-language file sets.
    IgnoredField,
    /// A body that nests elements too deep to render.
    NestedTooDeep,
    /// A number, key or date used twice where it must be unique.
    Duplicate,
    /// A reference to an item, target or update that does not exist.
    DanglingReference,
    /// A translation file without its default-language file.
    TranslationWithoutOriginal,
    /// Text shown in the default language because its translation is
    /// missing: a file, or a field of one.
    MissingTranslation,
    /// A translation whose `source_hash` is not that of the current
    /// default-language text: the source changed since it was translated.
    StaleTranslation,
    /// A plan or section folder without its `_index.md`, or no plan.
    MissingIndexFile,
    /// A plan folder named like a path planpub uses.
    ReservedName,
    /// A tag that site.toml does not define.
    UndefinedTag,
    /// A template that fails to compile or render.
    TemplateError,
    /// Two outputs at one path.
    OutputClash,
    /// A link or asset reference that leads nowhere.
    BrokenLink,
    /// The site could not be written.
    CannotWrite,
    /// A folder a build left beside the output.
    OutputLeftBehind,
    /// A base URL that is not a full http(s) URL.
    BadBaseUrl,
    /// `planpub import`: the document could not be decoded or opened.
    ImportUnreadable,
    /// `planpub import`: a paragraph, heading or number out of place.
    ImportStructure,
    /// `planpub import`: the plan id or the document is refused.
    ImportRefused,
    /// A date outside the plan's period (`start` to `end`).
    OutsidePeriod,
    /// An update dated after the item's `due` date.
    AfterDue,
    /// A file or folder name whose number disagrees with its `number`.
    NameNumberMismatch,
    /// An item field written below a `[[targets]]` or `[[updates]]` line,
    /// where TOML puts it into that table.
    MisplacedField,
}

impl Code {
    /// The code's stable name, e.g. `missing-translation`.
    pub fn name(self) -> &'static str {
        match self {
            Code::CannotRead => "cannot-read",
            Code::NotUtf8 => "not-utf8",
            Code::OutOfLayout => "out-of-layout",
            Code::HiddenFile => "hidden-file",
            Code::SymbolicLink => "symbolic-link",
            Code::AttachmentRefused => "attachment-refused",
            Code::UnknownLanguage => "unknown-language",
            Code::MissingTheme => "missing-theme",
            Code::MissingTemplate => "missing-template",
            Code::MissingUiStrings => "missing-ui-strings",
            Code::UiStrings => "ui-strings",
            Code::NoFrontMatter => "no-front-matter",
            Code::InvalidToml => "invalid-toml",
            Code::MissingField => "missing-field",
            Code::WrongType => "wrong-type",
            Code::OutOfRange => "out-of-range",
            Code::InvalidValue => "invalid-value",
            Code::UnknownField => "unknown-field",
            Code::IgnoredField => "ignored-field",
            Code::NestedTooDeep => "nested-too-deep",
            Code::Duplicate => "duplicate",
            Code::DanglingReference => "dangling-reference",
            Code::TranslationWithoutOriginal => "translation-without-original",
            Code::MissingTranslation => "missing-translation",
            Code::StaleTranslation => "stale-translation",
            Code::MissingIndexFile => "missing-index-file",
            Code::ReservedName => "reserved-name",
            Code::UndefinedTag => "undefined-tag",
            Code::TemplateError => "template-error",
            Code::OutputClash => "output-clash",
            Code::BrokenLink => "broken-link",
            Code::CannotWrite => "cannot-write",
            Code::OutputLeftBehind => "output-left-behind",
            Code::BadBaseUrl => "bad-base-url",
            Code::ImportUnreadable => "import-unreadable",
            Code::ImportStructure => "import-structure",
            Code::ImportRefused => "import-refused",
            Code::OutsidePeriod => "outside-period",
            Code::AfterDue => "after-due",
            Code::NameNumberMismatch => "name-number-mismatch",
            Code::MisplacedField => "misplaced-field",
        }
    }
}

/// One problem, located in a file. `line` and `column` are 1-based; a
/// problem about a whole file points at 1:1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    /// `path:line:column: error: message`, and `  = help: hint` on a line
    /// of its own. Content reaches messages (keys, values, file names), so
    /// control characters are escaped: nothing a file holds can move the
    /// cursor, recolour the terminal or start a line of its own.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {}: {}",
            escape_controls(&self.path.display().to_string()),
            self.line,
            self.column,
            kind,
            escape_controls(&self.message)
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = help: {}", escape_controls(hint))?;
        }
        Ok(())
    }
}

/// `text` with every character that a terminal or an editor acts on
/// written as an escape: C0 and C1 controls (ESC, CR, LF, TAB, …, `\n`,
/// `\r` and `\t` by name, others as `\u{1b}`), DEL, the line and paragraph
/// separators U+2028/U+2029, and the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) that can make text read backwards.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let needs_escape = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The problems found so far, in the order found. [`Diagnostics::sorted`]
/// gives the stable order in which they are printed.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// An error at a place in a file.
    pub fn error(
        &mut self,
        code: Code,
        at: Location,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.push(at.diagnostic(Severity::Error, code, message.into(), hint));
    }

    /// A warning at a place in a file.
    pub fn warning(
        &mut self,
        code: Code,
        at: Location,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.push(at.diagnostic(Severity::Warning, code, message.into(), hint));
    }

    /// The same diagnostics with every warning made an error (`planpub
    /// check --strict`).
    pub fn warnings_as_errors(self) -> Diagnostics {
        let items = self
            .items
            .into_iter()
            .map(|d| Diagnostic {
                severity: Severity::Error,
                ..d
            })
            .collect();
        Diagnostics { items }
    }

    /// How many diagnostics carry `code`.
    pub fn count(&self, code: Code) -> usize {
        self.items.iter().filter(|d| d.code == code).count()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted by file, line, column, then message: the order users read.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
        });
        v.dedup_by(|a, b| a == b);
        v
    }

    /// Every diagnostic, formatted, one after another (for tests and the
    /// overlay in `serve`).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            out.push_str(&d.to_string());
            out.push('\n');
        }
        out
    }
}

/// A place in a file: a path (relative to the site root, as printed) and a
/// 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn file(path: &Path) -> Self {
        Location {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
        }
    }

    pub fn at(path: &Path, line: usize, column: usize) -> Self {
        Location {
            path: path.to_path_buf(),
            line,
            column,
        }
    }

    fn diagnostic(
        self,
        severity: Severity,
        code: Code,
        message: String,
        hint: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            path: self.path,
            line: self.line,
            column: self.column,
            message,
            hint,
        }
    }
}

/// Maps byte offsets in a piece of text to lines and columns of the file
/// it came from. `first_line` is the file line on which `text` starts (front
/// matter starts on line 2, after the opening `+++`).
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    path: &'a Path,
    text: &'a str,
    first_line: usize,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(path: &'a Path, text: &'a str, first_line: usize) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            path,
            text,
            first_line,
            line_starts,
        }
    }

    /// The location of a byte offset; the column counts characters, not
    /// bytes, so that it matches what an editor shows for Chinese text.
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        Location::at(self.path, self.first_line + line, column)
    }

    pub fn span(&self, span: &Range<usize>) -> Location {
        self.location(span.start)
    }

    /// The text of the line that holds a byte offset, without its line
    /// break.
    pub fn line_text(&self, offset: usize) -> &'a str {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        self.text[start..end].trim_end_matches('\r')
    }

    /// The file line of the first line of `text` that is a table header
    /// (`[name]` or `[[name]]`), if any.
    pub fn first_table_header(&self) -> Option<(usize, &'a str)> {
        self.text.lines().enumerate().find_map(|(i, l)| {
            let t = l.trim();
            let header = t.starts_with('[')
                && t.split('#')
                    .next()
                    .is_some_and(|h| h.trim_end().ends_with(']'))
                && !t.contains('=');
            header.then_some((self.first_line + i, t))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // issue #15.16
    #[test]
    fn control_characters_in_paths_messages_and_hints_are_printed_escaped() {
        let d = Diagnostic {
            severity: Severity::Error,
            code: Code::InvalidValue,
            path: PathBuf::from("content/2023/a\u{1b}[2Jb.md"),
            line: 3,
            column: 7,
            message: "unknown status \"x\u{1b}[31m\ry\u{2028}z\u{85}\u{202E}\"".into(),
            hint: Some("tab\there\nnext".into()),
        };
        assert_eq!(
            d.to_string(),
            "content/2023/a\\u{1b}[2Jb.md:3:7: error: unknown status \"x\\u{1b}[31m\\ry\\u{2028}z\\u{85}\\u{202e}\"\n  = help: tab\\there\\nnext"
        );
        // Text without them is left as it is, Chinese included.
        assert_eq!(escape_controls("标题 \"a\" \\"), "标题 \"a\" \\");
    }

    #[test]
    fn line_index_counts_characters_and_offsets_lines() {
        let text = "a = 1\n标题 = \"x\"\n";
        let idx = LineIndex::new(Path::new("f.md"), text, 2);
        let at = idx.location(text.find('=').unwrap());
        assert_eq!((at.line, at.column), (2, 3));
        let second = text.find("= \"x").unwrap();
        let at = idx.location(second);
        assert_eq!((at.line, at.column), (3, 4));
    }
}
