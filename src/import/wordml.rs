//! WordprocessingML, the XML inside a `.docx`: its namespaces, and its
//! smaller parts (`word/numbering.xml`, `word/styles.xml`) read whole as
//! trees of elements, which is simpler than streaming them; the main
//! document, which can be large, is streamed by [`super::docx`].

/// The two namespaces of WordprocessingML: transitional (what Word
/// writes) and strict.
pub const WORD_NAMESPACES: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
/// Markup compatibility: `mc:AlternateContent` holds newer markup
/// (`mc:Choice`) and what older readers use instead (`mc:Fallback`).
pub const MARKUP_COMPATIBILITY: &str =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// An element of the WordprocessingML namespace, with its attributes by
/// local name; elements of other namespaces are left out (extensions
/// Word adds), except markup-compatibility wrappers, whose fallback
/// content is kept as if written in their place.
#[derive(Clone, Debug, Default)]
pub struct Element {
    pub name: String,
    attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
}

impl Element {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn number_attribute(&self, name: &str) -> Option<u32> {
        self.attribute(name)?.trim().parse().ok()
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The `w:val` of the child `name`.
    pub fn child_value(&self, name: &str) -> Option<&str> {
        self.child(name)?.attribute("val")
    }

    pub fn child_number(&self, name: &str) -> Option<u32> {
        self.child(name)?.number_attribute("val")
    }
}

/// The top-level WordprocessingML elements of a part.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "quick-xml's events and namespaces: the rest is not WordprocessingML structure"
)]
pub fn word_elements(xml: &str, part: &str) -> Result<Vec<Element>, String> {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::name::ResolveResult;

    #[derive(PartialEq)]
    enum Open {
        Element,
        Transparent,
        Skipped,
    }
    let malformed = |e: &dyn std::fmt::Display| format!("{part} is not well-formed XML: {e}");
    let element = |e: &BytesStart| -> Result<Element, String> {
        let mut attributes = Vec::new();
        for attribute in e.attributes() {
            let attribute = attribute.map_err(|e| malformed(&e))?;
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| malformed(&e))?;
            let name = attribute.key.local_name().as_ref().to_string();
            attributes.push((name, value.into_owned()));
        }
        Ok(Element {
            name: e.local_name().as_ref().to_string(),
            attributes,
            children: Vec::new(),
        })
    };

    let mut reader = quick_xml::reader::NsReader::from_str(xml);
    let mut elements = vec![Element::default()];
    let mut open: Vec<Open> = Vec::new();
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(|e| malformed(&e))?;
        let kind = |e: &BytesStart| {
            let ns = match namespace {
                ResolveResult::Bound(ns) => ns.0,
                _ => "",
            };
            if open.last() == Some(&Open::Skipped) {
                Open::Skipped
            } else if WORD_NAMESPACES.contains(&ns) {
                Open::Element
            } else if ns == MARKUP_COMPATIBILITY
                && matches!(e.local_name().as_ref(), "AlternateContent" | "Fallback")
            {
                Open::Transparent
            } else {
                Open::Skipped
            }
        };
        match event {
            Event::Start(e) => {
                let kind = kind(&e);
                if kind == Open::Element {
                    elements.push(element(&e)?);
                }
                open.push(kind);
            }
            Event::Empty(e) if kind(&e) == Open::Element => {
                let child = element(&e)?;
                if let Some(parent) = elements.last_mut() {
                    parent.children.push(child);
                }
            }
            Event::End(_) => {
                if open.pop() == Some(Open::Element)
                    && let Some(done) = elements.pop()
                    && let Some(parent) = elements.last_mut()
                {
                    parent.children.push(done);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(elements.swap_remove(0).children)
}
