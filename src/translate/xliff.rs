//! XLIFF 2.0, what translation tools (CAT tools) read and write: written
//! as text, read back with `quick-xml`.
//!
//! One `<file>` per export, one `<unit>` per text unit with one
//! `<segment>`: `<source>` the default-language text, `<target>` the
//! current translation if there is one. A segment's `state` is `initial`
//! for a missing or stale translation (a note and `subState="planpub:stale"`
//! say which) and `translated` for a done one.
//!
//! XLIFF ids are NMTOKENs, which cannot hold `/`: a unit's id is written
//! with `:` for `/` (`2023:16:title`), and any other character an NMTOKEN
//! cannot hold, and `_`, as `_xHHHH_`; `name` holds the id as it is. Unit
//! ids are what is read back; a tool that splits a unit into several
//! segments is fine (the segments are joined), inline codes are refused
//! (the export writes none, except `<cp>` for a character XML cannot hold).

use super::units::{TextUnit, UnitState};
use super::{ExportMeta, Problem, ReturnedDocument, ReturnedUnit};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use std::fmt::Write as _;

/// The XLIFF 2.0 core namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:2.0";

/// Whether XML's NameChar production allows `c` (an NMTOKEN is a run of them).
fn is_name_char(c: char) -> bool {
    matches!(c,
        ':' | '_' | '-' | '.' | 'A'..='Z' | 'a'..='z' | '0'..='9' | '\u{B7}'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{203F}'..='\u{2040}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// A unit id as an XLIFF id: `2023/16/title` → `2023:16:title`.
pub fn encode_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        match c {
            '/' => out.push(':'),
            ':' | '_' => {
                let _ = write!(out, "_x{:04X}_", c as u32);
            }
            c if is_name_char(c) => out.push(c),
            c => {
                let _ = write!(out, "_x{:04X}_", c as u32);
            }
        }
    }
    out
}

/// An XLIFF id back to a unit id; `None` if it is not one [`encode_id`]
/// writes.
pub fn decode_id(xliff_id: &str) -> Option<String> {
    let mut out = String::with_capacity(xliff_id.len());
    let mut rest = xliff_id;
    while let Some(c) = rest.chars().next() {
        if c == ':' {
            out.push('/');
            rest = &rest[1..];
        } else if let Some(escaped) = rest.strip_prefix("_x") {
            let end = escaped.find('_')?;
            let code = u32::from_str_radix(&escaped[..end], 16).ok()?;
            out.push(char::from_u32(code)?);
            rest = &escaped[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Some(out)
}

/// Whether XML 1.0 allows `c` in text.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Text content: escaped, with `<cp hex="…"/>` for a character XML 1.0
/// cannot hold.
fn text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => out.push_str("<cp hex=\"000D\"/>"),
            c if !is_xml_char(c) => {
                let _ = write!(out, "<cp hex=\"{:04X}\"/>", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// An attribute value, escaped (characters XML cannot hold dropped).
fn attr(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().filter(|&c| is_xml_char(c)) {
        match c {
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// The XLIFF 2.0 document for `units`.
pub fn write_xliff(units: &[TextUnit<'_>], meta: &ExportMeta<'_>) -> Result<String, String> {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<xliff xmlns=\"{NAMESPACE}\" version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">",
        attr(meta.source_language),
        attr(meta.language)
    );
    let _ = writeln!(
        out,
        "  <file id=\"{}\" original=\"content/{}\">",
        attr(&encode_id(meta.plan_id)),
        attr(meta.plan_id)
    );
    out.push_str("    <notes>\n      <note category=\"instructions\">");
    text(
        &mut out,
        &format!(
            "{} — exported by planpub translate export; import with planpub translate import. Translate the targets; keep the unit ids. A segment in state initial with a target was translated from an earlier source (stale): check it and set its state to translated. Bodies are Markdown: keep blank lines, list markers, emphasis and links.",
            meta.plan_title
        ),
    );
    out.push_str("</note>\n    </notes>\n");
    for u in units {
        let _ = writeln!(
            out,
            "    <unit id=\"{}\" name=\"{}\" canResegment=\"no\" xml:space=\"preserve\">",
            attr(&encode_id(&u.id)),
            attr(&u.id)
        );
        out.push_str("      <notes>\n        <note category=\"location\">");
        text(
            &mut out,
            &u.source_path.to_string_lossy().replace('\\', "/"),
        );
        out.push_str("</note>\n");
        if u.state == UnitState::Stale {
            out.push_str("        <note category=\"state\">stale: the source changed since this was translated; check the target, then set the segment's state to translated</note>\n");
        }
        out.push_str("      </notes>\n");
        let state = match u.state {
            UnitState::Done => "state=\"translated\"",
            UnitState::Stale => "state=\"initial\" subState=\"planpub:stale\"",
            UnitState::Missing => "state=\"initial\"",
        };
        let _ = write!(out, "      <segment {state}>\n        <source>");
        text(&mut out, &u.source);
        out.push_str("</source>\n");
        if let Some(t) = u.translation {
            out.push_str("        <target>");
            text(&mut out, &super::units::normalize(t));
            out.push_str("</target>\n");
        }
        out.push_str("      </segment>\n    </unit>\n");
    }
    out.push_str("  </file>\n</xliff>\n");
    Ok(out)
}

/// `line:column` (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A unit being read.
#[derive(Default)]
struct OpenUnit {
    raw_id: String,
    at: String,
    source: String,
    target: String,
    segments: usize,
    segments_with_target: usize,
    all_done: bool,
    in_segment: bool,
    /// Inside `<source>` or `<target>` of a segment or an ignorable.
    capture: Option<Capture>,
    ignorable_has_target: bool,
    ignorable_source: String,
    in_ignorable: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    Source,
    Target,
}

impl OpenUnit {
    fn push(&mut self, s: &str) {
        match (self.capture, self.in_ignorable) {
            (Some(Capture::Source), false) => self.source.push_str(s),
            (Some(Capture::Target), false) => self.target.push_str(s),
            (Some(Capture::Source), true) => self.ignorable_source.push_str(s),
            (Some(Capture::Target), true) => self.target.push_str(s),
            (None, _) => {}
        }
    }
}

/// Reads a returned XLIFF 2.0 document (`shown` is the file as named on
/// the command line). Problems are located by line and column, and name
/// the unit's id.
pub fn read_xliff(bytes: &[u8], shown: &str) -> Result<ReturnedDocument, Vec<Problem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(xml) = std::str::from_utf8(bytes) else {
        return Err(vec![Problem::new(
            shown,
            "not UTF-8 text",
            "save the XLIFF file as UTF-8",
        )]);
    };
    let mut reader = quick_xml::reader::NsReader::from_str(xml);
    let mut state = ReadState {
        xml,
        shown,
        problems: Vec::new(),
        language: None,
        source_language: None,
        seen_root: false,
        units: Vec::new(),
        unit: None,
        skipped: 0,
    };
    loop {
        let position = reader.buffer_position();
        let (namespace, event) = match reader.read_resolved_event() {
            Ok(read) => read,
            Err(e) => return Err(state.malformed(reader.error_position(), &e)),
        };
        let core = matches!(namespace, ResolveResult::Bound(ns) if ns.0 == NAMESPACE);
        match event {
            Event::Start(e) => state.start(&e, false, core, position)?,
            Event::Empty(e) => state.start(&e, true, core, position)?,
            Event::End(e) => state.end(e.local_name().as_ref(), core),
            Event::Text(t) => state.text(&t.xml10_content()),
            Event::CData(t) => state.text(&t.into_inner()),
            Event::GeneralRef(r) => state.general_ref(&r, position)?,
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !state.seen_root {
        return Err(vec![Problem::new(
            shown,
            "the file holds no XML element",
            "export XLIFF 2.0 again",
        )]);
    }
    let mut problems = state.problems;
    let returned = returned_units(state.units, &mut problems);
    let (language, language_at) = state.language.unwrap_or_default();
    Ok(ReturnedDocument {
        language,
        language_at,
        source_language: state.source_language,
        rows_ordered: false,
        units: returned,
        problems,
    })
}

/// `FILE.xlf:line:column` of a byte offset.
fn locate(xml: &str, shown: &str, offset: u64) -> String {
    let (line, column) = line_col(xml, offset as usize);
    format!("{shown}:{line}:{column}")
}

/// What [`read_xliff`] has read so far.
struct ReadState<'x> {
    xml: &'x str,
    shown: &'x str,
    problems: Vec<Problem>,
    /// trgLang, and where it is.
    language: Option<(String, String)>,
    /// srcLang, and where it is.
    source_language: Option<(String, String)>,
    seen_root: bool,
    units: Vec<OpenUnit>,
    unit: Option<OpenUnit>,
    /// Depth inside elements that are skipped whole (other namespaces, notes).
    skipped: usize,
}

impl ReadState<'_> {
    fn malformed(&self, offset: u64, e: &dyn std::fmt::Display) -> Vec<Problem> {
        vec![Problem::new(
            &locate(self.xml, self.shown, offset),
            format!("not well-formed XML: {e}"),
            "the file may be damaged; export it from the translation tool again",
        )]
    }

    /// A start tag (or an empty element).
    fn start(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        empty: bool,
        core: bool,
        position: u64,
    ) -> Result<(), Vec<Problem>> {
        if self.skipped > 0 {
            self.skipped += usize::from(!empty);
            return Ok(());
        }
        let name = e.local_name().as_ref().to_string();
        let attribute = |key: &str| -> Option<String> {
            e.attributes()
                .flatten()
                .find(|a| a.key.local_name().as_ref() == key && a.key.prefix().is_none())
                .and_then(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .ok()
                        .map(|v| v.into_owned())
                })
        };
        if !self.seen_root {
            return self.root(&name, &attribute, core, position);
        }
        if !core {
            self.skipped += usize::from(!empty);
            return Ok(());
        }
        self.element(&name, &attribute, empty, position);
        Ok(())
    }

    /// The root element: XLIFF 2, with its languages.
    fn root(
        &mut self,
        name: &str,
        attribute: &dyn Fn(&str) -> Option<String>,
        core: bool,
        position: u64,
    ) -> Result<(), Vec<Problem>> {
        let at = locate(self.xml, self.shown, position);
        self.seen_root = true;
        let version = attribute("version").unwrap_or_default();
        if name != "xliff" || !version.starts_with("2.") || !core {
            return Err(vec![Problem::new(
                &at,
                format!(
                    "not an XLIFF 2 document (the root element is <{name}> version \"{version}\")"
                ),
                "export XLIFF 2.0 from the translation tool (XLIFF 1.2 is not read), or import the file planpub exported",
            )]);
        }
        match attribute("trgLang") {
            Some(l) => self.language = Some((l, at.clone())),
            None => self.problems.push(Problem::new(
                &at,
                "<xliff> has no trgLang: the language translated into",
                "set trgLang=\"en\" (or the language of the translation)",
            )),
        }
        self.source_language = attribute("srcLang").map(|l| (l, at));
        Ok(())
    }

    /// An element of the XLIFF namespace inside the root.
    fn element(
        &mut self,
        name: &str,
        attribute: &dyn Fn(&str) -> Option<String>,
        empty: bool,
        position: u64,
    ) {
        let at = || locate(self.xml, self.shown, position);
        match (name, self.unit.as_mut()) {
            ("unit", None) => {
                let u = OpenUnit {
                    raw_id: attribute("id").unwrap_or_default(),
                    at: at(),
                    all_done: true,
                    ..OpenUnit::default()
                };
                if empty {
                    self.units.push(u);
                } else {
                    self.unit = Some(u);
                }
            }
            ("segment", Some(u)) => {
                u.segments += 1;
                u.in_segment = !empty;
                let state = attribute("state").unwrap_or_else(|| "initial".into());
                if !matches!(state.as_str(), "translated" | "reviewed" | "final") {
                    u.all_done = false;
                }
            }
            ("ignorable", Some(u)) => {
                u.in_ignorable = !empty;
                u.ignorable_has_target = false;
                u.ignorable_source.clear();
            }
            ("source", Some(u)) if u.in_segment || u.in_ignorable => {
                u.capture = (!empty).then_some(Capture::Source);
            }
            ("target", Some(u)) if u.in_segment || u.in_ignorable => {
                if u.in_ignorable {
                    u.ignorable_has_target = true;
                } else {
                    u.segments_with_target += 1;
                }
                u.capture = (!empty).then_some(Capture::Target);
            }
            ("cp", Some(u)) if u.capture.is_some() => {
                match attribute("hex")
                    .and_then(|h| u32::from_str_radix(&h, 16).ok())
                    .and_then(char::from_u32)
                {
                    Some(c) => u.push(c.encode_utf8(&mut [0; 4])),
                    None => self.problems.push(Problem::new(
                        &at(),
                        format!("unit {}: <cp> without a valid hex code point", u.raw_id),
                        "write <cp hex=\"000D\"/>",
                    )),
                }
                self.skipped += usize::from(!empty);
            }
            ("mrk" | "pc" | "sm" | "em", Some(u)) if u.capture.is_some() => {
                // Annotations and paired codes: their text counts, the markup not.
            }
            (code @ ("ph" | "sc" | "ec"), Some(u)) if u.capture.is_some() => {
                self.problems.push(Problem::new(
                    &at(),
                    format!(
                        "unit {}: inline code <{code}> in a text; planpub texts hold no codes",
                        u.raw_id
                    ),
                    "remove the code from the segment: write the text only",
                ));
                self.skipped += usize::from(!empty);
            }
            ("notes" | "originalData" | "skeleton", _) => self.skipped += usize::from(!empty),
            _ => {}
        }
    }

    /// An end tag.
    fn end(&mut self, local_name: &str, core: bool) {
        if self.skipped > 0 {
            self.skipped -= 1;
            return;
        }
        if !core {
            return;
        }
        let Some(u) = self.unit.as_mut() else { return };
        match local_name {
            "source" | "target" => u.capture = None,
            "segment" => u.in_segment = false,
            "ignorable" => {
                let text = std::mem::take(&mut u.ignorable_source);
                u.source.push_str(&text);
                if !u.ignorable_has_target {
                    u.target.push_str(&text);
                }
                u.in_ignorable = false;
            }
            "unit" => {
                if let Some(done) = self.unit.take() {
                    self.units.push(done);
                }
            }
            _ => {}
        }
    }

    /// Text, outside skipped elements.
    fn text(&mut self, text: &str) {
        if self.skipped == 0
            && let Some(u) = self.unit.as_mut()
        {
            u.push(text);
        }
    }

    /// A character or entity reference.
    fn general_ref(
        &mut self,
        r: &quick_xml::events::BytesRef<'_>,
        position: u64,
    ) -> Result<(), Vec<Problem>> {
        if self.skipped > 0 {
            return Ok(());
        }
        let c = match r.resolve_char_ref() {
            Ok(Some(c)) => Some(c),
            _ => match r.as_ref() {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => None,
            },
        };
        match (c, self.unit.as_mut()) {
            (Some(c), Some(u)) => u.push(c.encode_utf8(&mut [0; 4])),
            (Some(_), None) => {}
            (None, _) => {
                let name = r.as_ref().to_string();
                return Err(self.malformed(position, &format!("unknown entity &{name};")));
            }
        }
        Ok(())
    }
}

/// The units read, as returned units; a unit without an id or a segment,
/// or translated in only some of its segments, is a problem.
fn returned_units(units: Vec<OpenUnit>, problems: &mut Vec<Problem>) -> Vec<ReturnedUnit> {
    let mut returned = Vec::new();
    for u in units {
        let shown_id = u.raw_id.clone();
        if u.raw_id.is_empty() {
            problems.push(Problem::new(
                &u.at,
                "a <unit> without an id",
                "keep the ids of the export",
            ));
            continue;
        }
        if u.segments == 0 {
            problems.push(Problem::new(
                &u.at,
                format!("unit {shown_id} has no <segment>"),
                "keep the segment of the export, with its source",
            ));
            continue;
        }
        let translation = if u.segments_with_target == 0 {
            None
        } else if u.segments_with_target < u.segments {
            problems.push(Problem::new(
                &u.at,
                format!(
                    "unit {shown_id} has a <target> in {} of its {} segments",
                    u.segments_with_target, u.segments
                ),
                "translate every segment of the unit, or none",
            ));
            continue;
        } else {
            Some(u.target)
        };
        let marked_done = u.all_done && translation.is_some();
        if !marked_done && translation.as_deref().is_some_and(|t| t.trim().is_empty()) {
            // An empty target not marked translated: no translation yet.
            returned.push(returned_unit(
                u.raw_id, shown_id, u.at, u.source, None, false,
            ));
            continue;
        }
        returned.push(returned_unit(
            u.raw_id,
            shown_id,
            u.at,
            u.source,
            translation,
            marked_done,
        ));
    }
    returned
}

fn returned_unit(
    raw_id: String,
    shown_id: String,
    at: String,
    source: String,
    translation: Option<String>,
    marked_done: bool,
) -> ReturnedUnit {
    ReturnedUnit {
        // An id that does not decode is reported as unknown, as written.
        id: decode_id(&raw_id).unwrap_or(raw_id),
        shown_id,
        id_at: at.clone(),
        source,
        source_at: at.clone(),
        translation,
        translation_at: at,
        marked_done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_nmtokens() {
        for id in [
            "2023/16/title",
            "2023/16/update/2023-06-30/text",
            "tag/学校建设/name",
            "tag/a b:c_d/name",
        ] {
            let x = encode_id(id);
            assert!(x.chars().all(is_name_char), "{x} is not an NMTOKEN");
            assert!(!x.contains('/'));
            assert_eq!(decode_id(&x).as_deref(), Some(id));
        }
        assert_eq!(encode_id("2023/16/title"), "2023:16:title");
        assert_eq!(encode_id("tag/学校建设/name"), "tag:学校建设:name");
    }
}
