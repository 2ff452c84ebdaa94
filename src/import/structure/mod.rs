//! Recognising a plan in a document's text: its title, preamble, sections
//! (一、…), numbered items, and the units responsible for each item.
//!
//! This is pure: text in, a [`PlanDocument`] and a list of [`Finding`]s
//! out. The rules follow how Chinese government work plans (工作要点) are
//! written:
//!
//! - a paragraph is a non-empty line (in Markdown, a block of lines);
//! - the first paragraph is the title;
//! - paragraphs before the first section heading are the preamble;
//! - a section heading starts with a Chinese numeral from 一 to 九十九 and
//!   `、` (`一、加强党对教育工作的全面领导`);
//! - an item starts with a number in ASCII or full-width digits and one of
//!   `.` `．` `、` `)` `）`, not followed by another digit (`12.4 国家宪法日`
//!   is not item 12); its title is the text before its first `。`, its body
//!   the rest, and any paragraph without a number after it belongs to it;
//! - an item ending with a parenthesis that names its units
//!   (`（责任单位：市教育局基础教育科、各县区教育局）`, `（牵头单位：…；责任单位：…）`,
//!   `（责任科室：…）`) gets those units as `lead`, and the parenthesis leaves
//!   the body;
//! - a date alone on the last line (`2023年4月2日`, `二〇二三年四月二日`) is
//!   the document's date, and a short organ name alone on the line before
//!   it is the signature (落款): neither belongs to the last item.
//!
//! Whatever does not fit is reported with its line: a paragraph that could
//! not be placed, a gap or repeat in the numbering, a section without items.

use crate::diagnostics::Severity;

use super::numerals::{arabic_digit, chinese_number, decimal_digit, is_han, is_sub_heading};
pub use super::numerals::{chinese_numeral, item_start, section_heading};

/// How the text is laid out: one paragraph a line (plain text, and the
/// lines read from a Word document), or Markdown blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextLayout {
    LinePerParagraph,
    Markdown,
}

/// A plan as recognised in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanDocument {
    pub title: String,
    pub issuer: Option<Issuer>,
    /// The document's date (`YYYY-MM-DD`), from a date on its last line.
    pub published: Option<String>,
    /// Paragraphs separated by blank lines.
    pub preamble: String,
    pub sections: Vec<SectionDocument>,
}

/// The body that issued the plan, and where the document names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issuer {
    pub name: String,
    pub named_in: IssuerSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerSource {
    /// The signature line above the date at the end (its line).
    Signature { line: usize },
    /// The title, before the year (`南阳市教育局2023年工作要点`).
    Title,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionDocument {
    pub number: u32,
    pub title: String,
    /// Paragraphs between the heading and the first item, if any.
    pub introduction: String,
    /// The heading's line in the document.
    pub line: usize,
    pub items: Vec<ItemDocument>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDocument {
    /// The number in the plan (the document's, unless sections restart
    /// their numbering: then counted on through the plan).
    pub number: u32,
    pub title: String,
    /// Paragraphs separated by blank lines, numbering prefix and lead-unit
    /// parenthesis removed, nothing else changed.
    pub body: String,
    pub lead: Vec<String>,
    /// The line where the item starts in the document.
    pub line: usize,
}

/// A problem or remark about the document, at a line of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub line: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl PlanDocument {
    pub fn item_count(&self) -> usize {
        self.sections.iter().map(|s| s.items.len()).sum()
    }
}

/// Labels of a parenthesis that names the units responsible for an item.
const LEAD_LABELS: [&str; 8] = [
    "牵头单位",
    "责任单位",
    "牵头科室",
    "责任科室",
    "牵头处室",
    "责任处室",
    "牵头部门",
    "责任部门",
];
/// Endings of organ names (局, 委员会, 人民政府, …), for the issuer.
/// (Not 会 alone: 大会 is a meeting.)
const ORGAN_ENDINGS: [&str; 14] = [
    "局",
    "厅",
    "委",
    "委员会",
    "联合会",
    "协会",
    "部",
    "办",
    "办公室",
    "政府",
    "中心",
    "院",
    "署",
    "党组",
];
/// An item title longer than this is probably not a heading sentence.
const LONG_TITLE: usize = 50;

/// Recognises the plan in `text` (line endings already `\n`). Returns
/// `None` when the document has no recognisable structure; the findings
/// then hold at least one error saying why.
pub fn recognise_plan(text: &str, layout: TextLayout) -> (Option<PlanDocument>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut paragraphs = paragraphs_of(text, layout);
    if paragraphs.is_empty() {
        findings.push(error(
            1,
            "the document is empty",
            "import the plan document itself: a title line, 一、 section headings and numbered items",
        ));
        return (None, findings);
    }
    let title_paragraph = paragraphs.remove(0);
    let title = title_paragraph.text.clone();
    if section_heading(&title).is_some() || item_start(&title).is_some() {
        findings.push(error(
            title_paragraph.line,
            "the document starts with a section heading or an item, not with the plan's title",
            "add the plan's title (e.g. 南阳市教育局2024年工作要点) as the first line",
        ));
    } else if title.chars().count() > 80 {
        findings.push(warning(
            title_paragraph.line,
            format!(
                "the first paragraph, taken as the plan's title, is {} characters long",
                title.chars().count()
            ),
            "the first line of the document should be the plan's title",
        ));
    }
    let closing = take_closing(&mut paragraphs);

    let (preamble, sections) = place_paragraphs(paragraphs, &mut findings);

    if sections.is_empty() {
        findings.push(error(
            title_paragraph.line,
            "no section headings found: the document has no recognisable plan structure",
            "a plan's sections start with a Chinese numeral and 、 (一、… 二、…), its items with a number (1. 2、 3）)",
        ));
        return (None, findings);
    }
    if sections.iter().all(|s| s.items.is_empty()) {
        findings.push(error(
            sections[0].line,
            "no numbered items found under the section headings",
            "items start with a number followed by . ． 、 ) or ） (1.深入学习… 12、加快…)",
        ));
        return (None, findings);
    }
    check_section_numbers(&sections, &mut findings);
    let sections = number_and_build_items(sections, &mut findings);
    if findings.iter().any(|f| f.severity == Severity::Error) {
        return (None, findings);
    }

    let issuer = match closing.signature {
        Some((name, line)) => Some(Issuer {
            name,
            named_in: IssuerSource::Signature { line },
        }),
        None => issuer_in_title(&title).map(|name| Issuer {
            name,
            named_in: IssuerSource::Title,
        }),
    };
    let plan = PlanDocument {
        title,
        issuer,
        published: closing.date,
        preamble: preamble.join("\n\n"),
        sections,
    };
    (Some(plan), findings)
}

/// The paragraphs after the title, placed: the preamble, then sections
/// with their introductions and items; what cannot be placed is reported.
fn place_paragraphs(
    paragraphs: Vec<Paragraph>,
    findings: &mut Vec<Finding>,
) -> (Vec<String>, Vec<SectionBuilder>) {
    let mut preamble: Vec<String> = Vec::new();
    let mut sections: Vec<SectionBuilder> = Vec::new();
    for paragraph in paragraphs {
        let line = paragraph.line;
        if let Some((number, heading)) = section_heading(&paragraph.text) {
            sections.push(SectionBuilder {
                number,
                title: heading.trim_end_matches('。').trim().to_string(),
                line,
                introduction: Vec::new(),
                items: Vec::new(),
            });
        } else if let Some((number, rest)) = item_start(&paragraph.text) {
            match sections.last_mut() {
                Some(section) => section.items.push(ItemBuilder {
                    number,
                    line,
                    paragraphs: vec![rest.to_string()],
                }),
                None => {
                    findings.push(warning(
                        line,
                        format!("this paragraph starts like item {number} but comes before the first section heading; it was kept in the preamble"),
                        "items belong to sections: put a heading such as 一、… above it, or remove the number",
                    ));
                    preamble.push(paragraph.text);
                }
            }
        } else if is_sub_heading(&paragraph.text) {
            findings.push(warning(
                line,
                format!(
                    "could not place the sub-heading «{}»: plans have sections and items, no sub-sections; it was left out (it stays in source.zh.txt)",
                    shortened(&paragraph.text)
                ),
                "fold it into the neighbouring item's text, or make it a section (一、…)",
            ));
        } else if let Some(section) = sections.last_mut() {
            match section.items.last_mut() {
                Some(item) => item.paragraphs.push(paragraph.text),
                None => {
                    findings.push(warning(
                        line,
                        format!("the paragraph between section {}'s heading and its first item was kept as the section's introduction (the body of its _index.md)", section.number),
                        "if it belongs to an item, number it in the document",
                    ));
                    section.introduction.push(paragraph.text);
                }
            }
        } else {
            preamble.push(paragraph.text);
        }
    }
    (preamble, sections)
}

struct SectionBuilder {
    number: u32,
    title: String,
    line: usize,
    introduction: Vec<String>,
    items: Vec<ItemBuilder>,
}

struct ItemBuilder {
    number: u32,
    line: usize,
    /// The first one without its numbering prefix.
    paragraphs: Vec<String>,
}

fn check_section_numbers(sections: &[SectionBuilder], findings: &mut Vec<Finding>) {
    let mut previous: Option<u32> = None;
    for section in sections {
        let expected = previous.map_or(1, |p| p + 1);
        if section.number != expected {
            let message = match previous {
                Some(p) if section.number <= p => format!(
                    "section {} ({}、) comes after section {}: the section numbers repeat or go back",
                    section.number,
                    chinese_numeral(section.number),
                    p
                ),
                _ => format!(
                    "section {} ({}、) follows {}: a gap in the section numbering",
                    section.number,
                    chinese_numeral(section.number),
                    previous.map_or("the preamble".to_string(), |p| format!("section {p}"))
                ),
            };
            findings.push(warning(
                section.line,
                message,
                "check the headings in the document; section numbers must be unique in a plan",
            ));
        }
        if section.items.is_empty() {
            findings.push(warning(
                section.line,
                format!("section {} has no items", section.number),
                "items start with a number followed by . ． 、 ) or ）",
            ));
        }
        previous = Some(section.number);
    }
}

/// Gives every item its number in the plan (warning about gaps, repeats
/// and sections that start again at 1) and cuts it into title, body and
/// lead units.
fn number_and_build_items(
    sections: Vec<SectionBuilder>,
    findings: &mut Vec<Finding>,
) -> Vec<SectionDocument> {
    let mut last: Option<u32> = None;
    let mut offset = 0;
    let mut built = Vec::new();
    for section in sections {
        let mut items = Vec::new();
        for (i, item) in section.items.into_iter().enumerate() {
            if i == 0
                && item.number == 1
                && let Some(l) = last
            {
                offset = l;
                findings.push(warning(
                    item.line,
                    format!(
                        "section {} numbers its items from 1 again; item numbers are unique in a plan, so they were counted on: this item is {}",
                        section.number,
                        l + 1
                    ),
                    "item numbers are the items' permanent addresses (/<plan>/<number>/); the document's own numbers stay in source.zh.txt",
                ));
            }
            let number = item.number.saturating_add(offset);
            match last {
                Some(l) if number == l + 1 => {}
                Some(l) if number > l + 1 => findings.push(warning(
                    item.line,
                    if number == l + 2 {
                        format!("item {number} follows item {l}: there is no item {}", l + 1)
                    } else {
                        format!(
                            "item {number} follows item {l}: there are no items {} to {}",
                            l + 1,
                            number - 1
                        )
                    },
                    "check the numbering in the document",
                )),
                Some(l) => findings.push(warning(
                    item.line,
                    format!("item {number} comes after item {l}: the item numbers repeat or go back"),
                    "item numbers must be unique in a plan: renumber the items in the document or in the imported files",
                )),
                None if number != 1 => findings.push(warning(
                    item.line,
                    format!("the first item is numbered {number}, not 1"),
                    "check the numbering in the document",
                )),
                None => {}
            }
            last = Some(last.map_or(number, |l| l.max(number)));
            if let Some(built) = build_item(item, number, findings) {
                items.push(built);
            }
        }
        built.push(SectionDocument {
            number: section.number,
            title: section.title,
            introduction: section.introduction.join("\n\n"),
            line: section.line,
            items,
        });
    }
    built
}

/// An item's paragraphs → title, body and lead units.
fn build_item(item: ItemBuilder, number: u32, findings: &mut Vec<Finding>) -> Option<ItemDocument> {
    let mut paragraphs = item.paragraphs;
    let mut lead = Vec::new();
    if let Some(last) = paragraphs.last_mut() {
        match take_lead_units(last) {
            LeadUnits::Found { rest, units } => {
                *last = rest;
                lead = units;
            }
            LeadUnits::OtherLabels(labels) => findings.push(warning(
                item.line,
                format!(
                    "item {number} ends with a parenthesis naming {labels}, which are not lead units (牵头单位, 责任单位, 责任科室); it was left in the body"
                ),
                "only 牵头/责任 单位, 科室, 处室 and 部门 are read as `lead`; add `lead = [...]` by hand if needed",
            )),
            LeadUnits::None => {}
        }
    }
    paragraphs.retain(|p| !p.trim().is_empty());
    if paragraphs.is_empty() {
        findings.push(error(
            item.line,
            format!("item {number} has a number but no text"),
            "write the item's text after its number in the document",
        ));
        return None;
    }
    let first = paragraphs.remove(0);
    let (title, rest) = match first.split_once('。') {
        Some((title, rest)) => (title.trim().to_string(), rest.trim().to_string()),
        None => (first.trim().to_string(), String::new()),
    };
    if title.chars().count() > LONG_TITLE {
        findings.push(warning(
            item.line,
            format!(
                "item {number}'s title (the text before its first 。) is {} characters long",
                title.chars().count()
            ),
            "an item usually starts with a short heading sentence ending in 。; shorten `title` in the imported file if needed",
        ));
    }
    let body: Vec<String> = std::iter::once(rest)
        .chain(paragraphs)
        .filter(|p| !p.is_empty())
        .collect();
    Some(ItemDocument {
        number,
        title,
        body: body.join("\n\n"),
        lead,
        line: item.line,
    })
}

/// What the end of an item's last paragraph says about its units.
#[derive(Debug, PartialEq, Eq)]
enum LeadUnits {
    Found {
        rest: String,
        units: Vec<String>,
    },
    /// A parenthesis of `label：names` with labels that are not lead units.
    OtherLabels(String),
    None,
}

/// `…工作。（牵头单位：市教育局；责任单位：各县区教育局、市直学校）` →
/// `…工作。` and the three units.
fn take_lead_units(paragraph: &str) -> LeadUnits {
    let text = paragraph.trim_end();
    let (text, full_stop) = match text.strip_suffix('。') {
        Some(t) => (t.trim_end(), true),
        None => (text, false),
    };
    let Some(close) = text
        .strip_suffix('）')
        .or_else(|| text.strip_suffix(')'))
        .map(str::len)
    else {
        return LeadUnits::None;
    };
    // The matching opening parenthesis (unit names may hold parentheses:
    // 市教育局（市语委办）).
    let mut depth = 0;
    let mut open = None;
    for (i, c) in text[..close].char_indices().rev() {
        match c {
            '）' | ')' => depth += 1,
            '（' | '(' if depth == 0 => {
                open = Some(i);
                break;
            }
            '（' | '(' => depth -= 1,
            _ => {}
        }
    }
    let Some(open) = open else {
        return LeadUnits::None;
    };
    let inner_start = open + text[open..].chars().next().map_or(1, char::len_utf8);
    let inner = &text[inner_start..close];
    let mut units: Vec<String> = Vec::new();
    let mut other_labels: Vec<&str> = Vec::new();
    let mut labelled = false;
    for group in inner.split(['；', ';']) {
        let names = match group.split_once(['：', ':']) {
            Some((label, names)) => {
                let label = label.trim();
                if !is_unit_label(label) {
                    return LeadUnits::None;
                }
                if !LEAD_LABELS.contains(&label) {
                    other_labels.push(label);
                }
                labelled = true;
                names
            }
            // A group without a label continues the previous one's list.
            None if labelled => group,
            None => return LeadUnits::None,
        };
        for name in names.split(['、', '，', ',', '；', ';']) {
            let name = name.trim();
            if !name.is_empty() && !units.iter().any(|u| u == name) {
                units.push(name.to_string());
            }
        }
    }
    if !other_labels.is_empty() {
        return LeadUnits::OtherLabels(other_labels.join("、"));
    }
    if units.is_empty() {
        return LeadUnits::None;
    }
    let mut rest = text[..open].trim_end().to_string();
    if full_stop && !rest.is_empty() && !rest.ends_with('。') {
        rest.push('。');
    }
    LeadUnits::Found { rest, units }
}

/// `责任单位`, `配合单位`, `牵头科室`, …: a label naming units.
fn is_unit_label(label: &str) -> bool {
    let chars = label.chars().count();
    (2..=6).contains(&chars)
        && ["单位", "科室", "处室", "部门"]
            .iter()
            .any(|ending| label.ends_with(ending))
}

/// The date and signature at the very end of the document, taken out of
/// the paragraphs so that they do not join the last item.
struct Closing {
    date: Option<String>,
    signature: Option<(String, usize)>,
}

fn take_closing(paragraphs: &mut Vec<Paragraph>) -> Closing {
    let mut closing = Closing {
        date: None,
        signature: None,
    };
    // Only after at least one more paragraph than title would leave.
    if paragraphs.len() < 2 {
        return closing;
    }
    if let Some(date) = paragraphs.last().and_then(|p| document_date(&p.text)) {
        closing.date = Some(date);
        paragraphs.pop();
        if let Some(last) = paragraphs.last()
            && is_signature(&last.text)
        {
            closing.signature = Some((last.text.clone(), last.line));
            paragraphs.pop();
        }
    }
    closing
}

/// A signature (落款): a short organ name alone on a line.
fn is_signature(text: &str) -> bool {
    let chars = text.chars().count();
    (2..=30).contains(&chars)
        && text.chars().all(is_han)
        && ORGAN_ENDINGS.iter().any(|e| text.ends_with(e))
}

/// The issuer named at the start of a title, before its year: conservative,
/// so only a run of Chinese characters ending like an organ name
/// (局, 委, 厅, 政府, …) directly before `2023年` counts.
pub fn issuer_in_title(title: &str) -> Option<String> {
    let (prefix, _) = year_in_title(title)?;
    let prefix = prefix.trim();
    let chars = prefix.chars().count();
    ((2..=30).contains(&chars)
        && prefix.chars().all(is_han)
        && !prefix.contains("关于")
        && ORGAN_ENDINGS.iter().any(|e| prefix.ends_with(e)))
    .then(|| prefix.to_string())
}

/// The first year in a title (`2023年`, `２０２３年`, `二〇二三年`) and the
/// text before it.
pub fn year_in_title(title: &str) -> Option<(&str, u32)> {
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    for start in 0..chars.len() {
        let Some(digits) = chars.get(start..start + 5) else {
            break;
        };
        if digits[4].1 != '年' {
            continue;
        }
        if start > 0 && decimal_digit(chars[start - 1].1).is_some() {
            continue;
        }
        let year = digits[..4].iter().try_fold(0u32, |year, &(_, c)| {
            decimal_digit(c).map(|d| year * 10 + d)
        });
        if let Some(year) = year
            && (1949..=2200).contains(&year)
        {
            return Some((&title[..chars[start].0], year));
        }
    }
    None
}

/// `2023年4月2日`, `２０２３年４月２日`, `二〇二三年四月二日` alone → `2023-04-02`.
fn document_date(text: &str) -> Option<String> {
    let text = text.trim();
    let (year, rest) = text.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    let year = year
        .chars()
        .try_fold(0u32, |y, c| decimal_digit(c).map(|d| y * 10 + d))?;
    if year.to_string().len() != 4 || year < 1949 {
        return None;
    }
    let number = |s: &str| -> Option<u32> {
        if !s.is_empty() && s.chars().all(|c| arabic_digit(c).is_some()) {
            s.chars()
                .try_fold(0u32, |n, c| arabic_digit(c).map(|d| n * 10 + d))
        } else {
            let (n, used) = chinese_number(s)?;
            (used == s.len()).then_some(n)
        }
    };
    let (month, day) = (number(month)?, number(day)?);
    let days = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    (1..=days)
        .contains(&day)
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// A paragraph of the document and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Paragraph {
    line: usize,
    text: String,
}

/// The document's paragraphs, trimmed (ideographic spaces too), empty ones
/// dropped.
fn paragraphs_of(text: &str, layout: TextLayout) -> Vec<Paragraph> {
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut continues = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continues = false;
            continue;
        }
        match layout {
            TextLayout::LinePerParagraph => paragraphs.push(Paragraph {
                line: i + 1,
                text: line.to_string(),
            }),
            TextLayout::Markdown => {
                let (text, heading) = markdown_paragraph_text(line);
                let starts_anew = heading
                    || section_heading(&text).is_some()
                    || item_start(&text).is_some()
                    || is_sub_heading(&text);
                match paragraphs.last_mut() {
                    Some(previous) if continues && !starts_anew => {
                        // A soft line break: nothing between Chinese
                        // characters, a space between words.
                        let joins_words = previous
                            .text
                            .chars()
                            .last()
                            .is_some_and(|c| c.is_ascii_alphanumeric())
                            && text
                                .chars()
                                .next()
                                .is_some_and(|c| c.is_ascii_alphanumeric());
                        if joins_words {
                            previous.text.push(' ');
                        }
                        previous.text.push_str(&text);
                    }
                    _ => paragraphs.push(Paragraph { line: i + 1, text }),
                }
                continues = !heading;
            }
        }
    }
    paragraphs
}

/// A Markdown line without heading marks (`## 一、…`) and without the
/// strong emphasis that wraps its start (`**1.深入学习贯彻党的二十大精神。**按照…`);
/// and whether it was a heading.
fn markdown_paragraph_text(line: &str) -> (String, bool) {
    let hashes = line.len() - line.trim_start_matches('#').len();
    let (text, heading) = if (1..=6).contains(&hashes) && line[hashes..].starts_with([' ', '\t']) {
        (line[hashes..].trim().trim_end_matches('#').trim_end(), true)
    } else {
        (line, false)
    };
    for marker in ["**", "__"] {
        if let Some(rest) = text.strip_prefix(marker)
            && let Some(close) = rest.find(marker)
        {
            return (
                format!("{}{}", &rest[..close], &rest[close + marker.len()..]),
                heading,
            );
        }
    }
    (text.to_string(), heading)
}

/// The first 30 characters of a paragraph, for messages.
fn shortened(text: &str) -> String {
    let mut short: String = text.chars().take(30).collect();
    if text.chars().count() > 30 {
        short.push('…');
    }
    short
}

fn error(line: usize, message: impl Into<String>, hint: &str) -> Finding {
    Finding {
        severity: Severity::Error,
        line,
        message: message.into(),
        hint: Some(hint.into()),
    }
}

fn warning(line: usize, message: impl Into<String>, hint: &str) -> Finding {
    Finding {
        severity: Severity::Warning,
        line,
        message: message.into(),
        hint: Some(hint.into()),
    }
}

#[cfg(test)]
mod tests;
