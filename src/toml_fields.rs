//! Typed reading of spanned TOML tables, reporting every problem with its
//! line and column instead of stopping at the first one.
//!
//! serde would stop at the first ill-typed field; reading the spanned tree
//! field by field lets validation report all of them, warn about unknown
//! fields, and point at the exact key or value.

use crate::diagnostics::{Code, Diagnostics, LineIndex};
use crate::model::Date;
use std::borrow::Cow;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A parsed TOML document with the means to locate its spans.
pub struct TomlDocument<'a> {
    pub table: Spanned<DeTable<'a>>,
    pub lines: LineIndex<'a>,
}

/// Parses TOML, pushing every syntax error (with its line) into `diags`.
/// Returns `None` when the text has syntax errors.
pub fn parse_toml<'a>(
    lines: LineIndex<'a>,
    text: &'a str,
    diags: &mut Diagnostics,
) -> Option<TomlDocument<'a>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Some(TomlDocument { table, lines });
    }
    for e in errors {
        let at = e
            .span()
            .map(|s| lines.location(s.start))
            .unwrap_or_else(|| lines.location(0));
        diags.error(Code::InvalidToml,
            at,
            format!("invalid TOML: {}", e.message().trim()),
            Some("check the front matter's TOML syntax: strings need quotes, tables `[name]`, arrays `[a, b]`".into()),
        );
    }
    None
}

/// Reads fields out of one table, remembering which keys were read so that
/// the rest can be reported as unknown.
pub struct FieldReader<'t, 'a> {
    table: &'t DeTable<'a>,
    table_span: std::ops::Range<usize>,
    lines: &'t LineIndex<'a>,
    read: Vec<&'t str>,
}

/// What a value is, in words, for "found …" in messages: the kind, and
/// the value itself for a short scalar (`a decimal number (2.5)`).
pub fn type_name(v: &DeValue<'_>) -> String {
    let (kind, text) = match v {
        DeValue::String(_) => ("a string", None),
        DeValue::Integer(i) => ("a whole number", Some(i.to_string())),
        DeValue::Float(f) => ("a decimal number", Some(f.as_str().to_string())),
        DeValue::Boolean(b) => ("a boolean", Some(b.to_string())),
        DeValue::Datetime(dt) => (
            match (dt.date, dt.time, dt.offset) {
                (Some(_), None, _) => "a date",
                (Some(_), Some(_), None) => "a date with a time of day",
                (Some(_), Some(_), Some(_)) => "a date with a time and a time zone",
                (None, _, _) => "a time of day",
            },
            Some(dt.to_string()),
        ),
        DeValue::Array(_) => ("an array", None),
        DeValue::Table(_) => ("a table", None),
    };
    match text {
        Some(t) if t.chars().count() <= 40 => format!("{kind} ({t})"),
        _ => kind.to_string(),
    }
}

impl<'t, 'a> FieldReader<'t, 'a> {
    pub fn new(
        table: &'t DeTable<'a>,
        table_span: std::ops::Range<usize>,
        lines: &'t LineIndex<'a>,
    ) -> Self {
        FieldReader {
            table,
            table_span,
            lines,
            read: Vec::new(),
        }
    }

    pub fn lines(&self) -> &'t LineIndex<'a> {
        self.lines
    }

    /// Whether the table has the key (without marking it as read).
    pub fn has(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }

    /// The raw spanned value of a key, marking it as read.
    pub fn raw(&mut self, key: &'t str) -> Option<&'t Spanned<DeValue<'a>>> {
        self.read.push(key);
        self.table.get(key)
    }

    /// Where the table starts: missing-field errors point here.
    pub fn table_location(&self) -> crate::diagnostics::Location {
        self.lines.location(self.table_span.start)
    }

    fn wrong_type(
        &self,
        key: &str,
        v: &Spanned<DeValue<'a>>,
        expected: &str,
        diags: &mut Diagnostics,
    ) {
        diags.error(
            Code::WrongType,
            self.lines.span(&v.span()),
            format!(
                "`{key}` must be {expected}, found {}",
                type_name(v.get_ref())
            ),
            Some(format!("write `{key}` as {expected}")),
        );
    }

    fn missing(&self, key: &str, expected: &str, example: &str, diags: &mut Diagnostics) {
        diags.error(
            Code::MissingField,
            self.table_location(),
            format!("missing required field `{key}` ({expected})"),
            Some(format!("add a line such as `{key} = {example}`")),
        );
    }

    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "TOML's value types: every other one is the wrong type"
    )]
    pub fn string(&mut self, key: &'t str, diags: &mut Diagnostics) -> Option<Spanned<String>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned::new(v.span(), s.to_string())),
            _ => {
                self.wrong_type(key, v, "a string in quotes", diags);
                None
            }
        }
    }

    pub fn required_string(
        &mut self,
        key: &'t str,
        example: &str,
        diags: &mut Diagnostics,
    ) -> Option<Spanned<String>> {
        if self.table.get(key).is_none() {
            self.read.push(key);
            self.missing(key, "a string", example, diags);
            return None;
        }
        self.string(key, diags)
    }

    /// A whole number from `min` to `max`.
    pub fn integer(
        &mut self,
        key: &'t str,
        min: i64,
        max: i64,
        diags: &mut Diagnostics,
    ) -> Option<Spanned<i64>> {
        let v = self.raw(key)?;
        let at = self.lines.span(&v.span());
        let hint = || {
            Some(format!(
                "write `{key}` as a whole number from {min} to {max}"
            ))
        };
        let bound = match integer_value(v.get_ref()) {
            Some(Ok(n)) if (min..=max).contains(&n) => return Some(Spanned::new(v.span(), n)),
            Some(Ok(n)) if n < min => format!("at least {min}"),
            Some(Err(OutOfRange)) if integer_text(v.get_ref()).starts_with('-') => {
                format!("at least {min}")
            }
            Some(_) => format!("at most {max}"),
            None => {
                self.wrong_type(key, v, "a whole number", diags);
                return None;
            }
        };
        diags.error(
            Code::OutOfRange,
            at,
            format!(
                "`{key}` must be {bound}, found {}",
                integer_text(v.get_ref())
            ),
            hint(),
        );
        None
    }

    pub fn required_integer(
        &mut self,
        key: &'t str,
        min: i64,
        max: i64,
        diags: &mut Diagnostics,
    ) -> Option<Spanned<i64>> {
        if self.table.get(key).is_none() {
            self.read.push(key);
            self.missing(key, "a whole number", "1", diags);
            return None;
        }
        self.integer(key, min, max, diags)
    }

    /// Any finite number (integer or decimal).
    pub fn number(&mut self, key: &'t str, diags: &mut Diagnostics) -> Option<Spanned<f64>> {
        let v = self.raw(key)?;
        match number_value(v.get_ref()) {
            Some(Ok(n)) => Some(Spanned::new(v.span(), n)),
            Some(Err(problem)) => {
                diags.error(
                    Code::InvalidValue,
                    self.lines.span(&v.span()),
                    format!("`{key}` must be a finite number, found {problem}"),
                    Some(format!("write `{key}` as a number such as 16 or 2.5")),
                );
                None
            }
            None => {
                self.wrong_type(key, v, "a number", diags);
                None
            }
        }
    }

    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "TOML's value types: every other one is the wrong type"
    )]
    pub fn boolean(&mut self, key: &'t str, diags: &mut Diagnostics) -> Option<bool> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(key, v, "true or false", diags);
                None
            }
        }
    }

    pub fn date(&mut self, key: &'t str, diags: &mut Diagnostics) -> Option<Spanned<Date>> {
        let v = self.raw(key)?;
        match date_value(v.get_ref()) {
            Some(d) => Some(Spanned::new(v.span(), d)),
            None => {
                self.wrong_type(key, v, "a date such as 2023-06-30 (no quotes)", diags);
                None
            }
        }
    }

    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "TOML's value types: every other one is the wrong type"
    )]
    pub fn string_array(&mut self, key: &'t str, diags: &mut Diagnostics) -> Vec<Spanned<String>> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, v, "an array of strings, e.g. [\"a\", \"b\"]", diags);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Spanned::new(item.span(), s.to_string())),
                other => diags.error(
                    Code::WrongType,
                    self.lines.span(&item.span()),
                    format!("`{key}` must hold only strings, found {}", type_name(other)),
                    Some("put each entry in quotes".into()),
                ),
            }
        }
        out
    }

    /// An array of whole numbers; a number beyond the 64-bit range is
    /// reported here, one out of `min..=max` by the caller.
    pub fn integer_array(&mut self, key: &'t str, diags: &mut Diagnostics) -> Vec<Spanned<i64>> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, v, "an array of whole numbers, e.g. [3, 12]", diags);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match integer_value(item.get_ref()) {
                Some(Ok(n)) => out.push(Spanned::new(item.span(), n)),
                Some(Err(OutOfRange)) => diags.error(
                    Code::OutOfRange,
                    self.lines.span(&item.span()),
                    format!(
                        "`{key}` holds {}, which is too large",
                        integer_text(item.get_ref())
                    ),
                    None,
                ),
                None => diags.error(
                    Code::WrongType,
                    self.lines.span(&item.span()),
                    format!(
                        "`{key}` must hold only whole numbers, found {}",
                        type_name(item.get_ref())
                    ),
                    Some("write item numbers without quotes, e.g. [3, 12]".into()),
                ),
            }
        }
        out
    }

    /// An array of tables (`[[key]]`), each with its span.
    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "TOML's value types: every other one is the wrong type"
    )]
    pub fn table_array(
        &mut self,
        key: &'t str,
        diags: &mut Diagnostics,
    ) -> Vec<(&'t DeTable<'a>, std::ops::Range<usize>)> {
        let Some(v) = self.raw(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, v, &format!("an array of tables (`[[{key}]]`)"), diags);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, item.span())),
                other => diags.error(
                    Code::WrongType,
                    self.lines.span(&item.span()),
                    format!(
                        "each entry of `{key}` must be a table, found {}",
                        type_name(other)
                    ),
                    Some(format!("write each entry as a `[[{key}]]` block")),
                ),
            }
        }
        out
    }

    /// A sub-table (`[key]`), with its span.
    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "TOML's value types: every other one is the wrong type"
    )]
    pub fn table(
        &mut self,
        key: &'t str,
        diags: &mut Diagnostics,
    ) -> Option<(&'t DeTable<'a>, std::ops::Range<usize>)> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some((t, v.span())),
            _ => {
                self.wrong_type(key, v, &format!("a table (`[{key}]`)"), diags);
                None
            }
        }
    }

    /// Warns about every key that was not read: a typo in a field name
    /// should not pass in silence.
    pub fn warn_unknown(&self, what: &str, known: &[&str], diags: &mut Diagnostics) {
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref();
            if !self.read.contains(&name) {
                let hint = closest(name, known)
                    .map(|k| format!("did you mean `{k}`? known fields: {}", known.join(", ")))
                    .unwrap_or_else(|| format!("known fields: {}", known.join(", ")));
                diags.warning(
                    Code::UnknownField,
                    self.lines.span(&key.span()),
                    format!("unknown field `{name}` in {what}; it is ignored"),
                    Some(hint),
                );
            }
        }
    }
}

/// A whole number beyond what 64 bits hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfRange;

/// An integer's value: `None` if the value is not an integer, `Err` if it
/// does not fit 64 bits.
fn integer_value(v: &DeValue<'_>) -> Option<Result<i64, OutOfRange>> {
    let DeValue::Integer(i) = v else {
        return None;
    };
    // `as_str` is the number as `from_str_radix` reads it (sign, digits,
    // no prefix or underscores). Read as 128 bits, so that anything the
    // parser accepted and does not fit 64 bits is out of range, not
    // "not a number".
    Some(
        i128::from_str_radix(i.as_str(), i.radix())
            .ok()
            .and_then(|n| i64::try_from(n).ok())
            .ok_or(OutOfRange),
    )
}

/// An integer as written (with its `0x` prefix), for messages.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "TOML's value types: every other one is the wrong type"
)]
fn integer_text(v: &DeValue<'_>) -> String {
    match v {
        DeValue::Integer(i) => i.to_string(),
        other => type_name(other),
    }
}

/// A number's value: `None` if it is not a number, `Err` with what is
/// wrong for one that is not finite (`nan`, `inf`, or too large such as
/// `1e400`).
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "TOML's value types: every other one is the wrong type"
)]
fn number_value(v: &DeValue<'_>) -> Option<Result<f64, String>> {
    match v {
        DeValue::Integer(i) => Some(match integer_value(v)? {
            Ok(n) => Ok(n as f64),
            // Beyond 64 bits but written in decimal: still a number.
            Err(OutOfRange) => i
                .as_str()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && i.radix() == 10)
                .ok_or_else(|| format!("{i}, which is too large")),
        }),
        DeValue::Float(f) => {
            let text = f.as_str();
            let s: String = text.chars().filter(|c| *c != '_').collect();
            Some(match s.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(n),
                Ok(n) if n.is_nan() => Err(format!("{text} (not a number)")),
                Ok(_) if s.contains("inf") => Err(format!("{text} (infinity)")),
                _ => Err(format!("{text}, which is too large")),
            })
        }
        _ => None,
    }
}

#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "TOML's value types: every other one is the wrong type"
)]
fn date_value(v: &DeValue<'_>) -> Option<Date> {
    match v {
        DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            Some(Date {
                year: i32::from(d.year),
                month: u32::from(d.month),
                day: u32::from(d.day),
            })
        }
        _ => None,
    }
}

/// The key of a table entry as text.
pub fn key_str<'k>(key: &'k Spanned<Cow<'_, str>>) -> &'k str {
    key.get_ref()
}

/// The known name nearest to a misspelt one (edit distance ≤ 2).
pub fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_suggests_a_near_field_name() {
        assert_eq!(closest("stauts", &["status", "title"]), Some("status"));
        assert_eq!(closest("zzz", &["status"]), None);
    }
}
