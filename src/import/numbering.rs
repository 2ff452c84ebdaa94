//! Word's automatic list numbering, written out as the text Word shows.
//!
//! A bureau's plan is typed in Word, and its section headings (`一、`) and
//! items (`1.`) are usually automatic lists: the numbers are not in the
//! paragraphs' text but computed when the document is shown, from
//! `word/numbering.xml`. [`ListNumbering`] does that computation, paragraph
//! after paragraph in document order, so that [`super::docx`] can put the
//! number in front of the text before the structure is recognised:
//!
//! - a paragraph is in a list through its own `w:numPr` (`w:numId`,
//!   `w:ilvl`) or through its paragraph style's (`w:pStyle` →
//!   `word/styles.xml`, following `w:basedOn`); `w:numId` 0 takes it out;
//! - a list (`w:num`) is an instance of an abstract definition
//!   (`w:abstractNum`, perhaps through a numbering style, `w:numStyleLink`)
//!   whose levels (`w:lvl`) give the first number (`w:start`), the format
//!   (`w:numFmt`: `decimal`, `chineseCounting`, …) and the text (`w:lvlText`,
//!   `%1、`, `%1.%2`), followed by a tab, a space or nothing (`w:suff`);
//! - the counters belong to the abstract definition, so lists that share
//!   one continue each other, except that a list restarts a level at its
//!   `w:lvlOverride/w:startOverride` the first time it uses that level (how
//!   Word writes "restart at 1"); using a level restarts the deeper levels
//!   unless their `w:lvlRestart` says otherwise.
//!
//! A paragraph whose number cannot be written (a bullet, a format planpub
//! does not know, a list the document does not define) is read without
//! one, and [`ListLabel::Unwritable`] says why, for a warning at its line.

use super::wordml::{Element, word_elements};
use std::collections::{HashMap, HashSet};

/// The numbering properties a paragraph states itself, in its `w:pPr`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParagraphNumbering {
    /// `w:pStyle`: the paragraph style's id.
    pub style: Option<String>,
    /// `w:numPr/w:numId`: the list; 0 means "no list", even if the style
    /// has one.
    pub num_id: Option<u32>,
    /// `w:numPr/w:ilvl`: the level in the list, 0 to 8.
    pub level: Option<u32>,
}

/// What Word shows in front of a paragraph's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListLabel {
    /// Nothing: the paragraph is not in a list, or its level shows no text.
    None,
    /// The number and what follows it (`一、`, `1.\t`).
    Text(String),
    /// The paragraph is in a list whose number planpub cannot write out.
    Unwritable { message: String, hint: String },
}

/// The numbering definitions and styles of a document, and the counters
/// of its lists so far.
#[derive(Clone, Debug, Default)]
pub struct ListNumbering {
    abstract_nums: HashMap<u32, AbstractNum>,
    nums: HashMap<u32, Num>,
    styles: HashMap<String, Style>,
    default_paragraph_style: Option<String>,
    /// The current value of each level, by abstract definition; `None`
    /// until the level is used and after it restarts.
    counters: HashMap<u32, [Option<u32>; LEVELS]>,
    /// The (list, level) pairs used so far: a `w:startOverride` applies
    /// the first time only.
    used: HashSet<(u32, usize)>,
}

/// Word has nine list levels.
const LEVELS: usize = 9;
/// How many numbering-style links (`w:numStyleLink`) or `w:basedOn` steps
/// are followed before a loop is assumed.
const MAX_LINKS: usize = 16;

#[derive(Clone, Debug, Default)]
struct AbstractNum {
    levels: HashMap<u32, Level>,
    /// `w:numStyleLink`: the levels are those of the list this numbering
    /// style names.
    num_style_link: Option<String>,
}

#[derive(Clone, Debug, Default)]
struct Num {
    abstract_num_id: Option<u32>,
    overrides: HashMap<u32, LevelOverride>,
}

#[derive(Clone, Debug, Default)]
struct LevelOverride {
    start: Option<u32>,
    level: Option<Level>,
}

#[derive(Clone, Debug)]
struct Level {
    start: u32,
    format: String,
    text: String,
    /// `w:lvlRestart`: restart after this level (1-based) or a shallower
    /// one is used; 0: never. Absent: after any shallower level.
    restart: Option<u32>,
    /// `w:pStyle`: paragraphs of this style are at this level.
    style: Option<String>,
    /// `w:isLgl`: every number in the text is shown in decimal.
    legal: bool,
    suffix: &'static str,
}

#[derive(Clone, Debug, Default)]
struct Style {
    based_on: Option<String>,
    num_id: Option<u32>,
    level: Option<u32>,
}

impl ListNumbering {
    /// Reads `word/numbering.xml` and `word/styles.xml` (either may be
    /// missing). The error is a message naming the part.
    pub fn from_parts(numbering: Option<&str>, styles: Option<&str>) -> Result<Self, String> {
        let mut list_numbering = ListNumbering::default();
        if let Some(xml) = numbering {
            let root = word_elements(xml, "word/numbering.xml")?;
            for element in root.iter().flat_map(|e| &e.children) {
                match element.name.as_str() {
                    "abstractNum" => {
                        if let Some(id) = element.number_attribute("abstractNumId") {
                            list_numbering
                                .abstract_nums
                                .insert(id, read_abstract_num(element));
                        }
                    }
                    "num" => {
                        if let Some(id) = element.number_attribute("numId") {
                            list_numbering.nums.insert(id, read_num(element));
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(xml) = styles {
            let root = word_elements(xml, "word/styles.xml")?;
            for element in root.iter().flat_map(|e| &e.children) {
                if element.name != "style" {
                    continue;
                }
                let Some(id) = element.attribute("styleId") else {
                    continue;
                };
                if element.attribute("type") == Some("paragraph")
                    && element.attribute("default").is_some_and(is_on)
                {
                    list_numbering.default_paragraph_style = Some(id.to_string());
                }
                let num_pr = element.child("pPr").and_then(|p| p.child("numPr"));
                let style = Style {
                    based_on: element.child_value("basedOn").map(str::to_string),
                    num_id: num_pr.and_then(|n| n.child_number("numId")),
                    level: num_pr.and_then(|n| n.child_number("ilvl")),
                };
                list_numbering.styles.insert(id.to_string(), style);
            }
        }
        Ok(list_numbering)
    }

    /// The label of the next paragraph of the document, counting it.
    pub fn label(&mut self, paragraph: &ParagraphNumbering) -> ListLabel {
        let style_id = paragraph
            .style
            .as_deref()
            .or(self.default_paragraph_style.as_deref());
        let (style_num_id, style_level) = style_id.map_or((None, None), |s| self.style_list(s));
        let Some(num_id) = paragraph.num_id.or(style_num_id).filter(|&id| id != 0) else {
            return ListLabel::None;
        };
        let Some(num) = self.nums.get(&num_id) else {
            return undefined_list(format!(
                "list {num_id}, which word/numbering.xml does not define"
            ));
        };
        let Some((abstract_id, abstract_num)) =
            abstract_num_of(num, &self.abstract_nums, &self.nums, &self.styles)
        else {
            return undefined_list(format!(
                "list {num_id}, whose definition is missing from word/numbering.xml"
            ));
        };
        let level = paragraph
            .level
            .or(style_level)
            .or_else(|| {
                let style_id = style_id?;
                abstract_num
                    .levels
                    .iter()
                    .find(|(_, l)| l.style.as_deref() == Some(style_id))
                    .map(|(&i, _)| i)
            })
            .unwrap_or(0);
        let definition = |i: usize| {
            let i = i as u32;
            num.overrides
                .get(&i)
                .and_then(|o| o.level.as_ref())
                .or_else(|| abstract_num.levels.get(&i))
        };
        let level = level as usize;
        let Some(this) = (level < LEVELS).then(|| definition(level)).flatten() else {
            return undefined_list(format!(
                "level {} of list {num_id}, which word/numbering.xml does not define",
                level + 1
            ));
        };

        // Count, whatever the format: a bullet at a level still restarts
        // the deeper ones.
        let counters = self.counters.entry(abstract_id).or_insert([None; LEVELS]);
        let first_use = self.used.insert((num_id, level));
        let value = match num.overrides.get(&(level as u32)).and_then(|o| o.start) {
            Some(start) if first_use => start,
            _ => counters[level].map_or(this.start, |v| v.saturating_add(1)),
        };
        counters[level] = Some(value);
        for (deeper, counter) in counters.iter_mut().enumerate().skip(level + 1) {
            let restarts = match definition(deeper).and_then(|d| d.restart) {
                Some(0) => false,
                Some(after) if after as usize <= deeper => level < after as usize,
                _ => true,
            };
            if restarts {
                *counter = None;
            }
        }

        if this.format == "bullet" {
            return ListLabel::Unwritable {
                message: "this paragraph is in a bulleted list; a bullet is not text, so it was read as a paragraph without a number".into(),
                hint: "if it is a section heading or an item, give it a numbered list (1. or 一、) in Word, or type its number".into(),
            };
        }
        if format_number(1, &this.format).is_none() {
            return unknown_format(&this.format);
        }
        let mut text = match level_text(this, counters, &definition) {
            Ok(text) => text,
            Err(label) => return label,
        };
        if text.is_empty() {
            ListLabel::None
        } else {
            text.push_str(this.suffix);
            ListLabel::Text(text)
        }
    }

    /// The list and level a paragraph style gives, through its `w:basedOn`
    /// ancestors.
    fn style_list(&self, style_id: &str) -> (Option<u32>, Option<u32>) {
        let mut id = style_id;
        for _ in 0..MAX_LINKS {
            let Some(style) = self.styles.get(id) else {
                break;
            };
            if style.num_id.is_some() {
                return (style.num_id, style.level);
            }
            match &style.based_on {
                Some(parent) => id = parent,
                None => break,
            }
        }
        (None, None)
    }
}

/// The abstract definition a list counts in (its id), through numbering
/// styles.
fn abstract_num_of<'a>(
    num: &Num,
    abstract_nums: &'a HashMap<u32, AbstractNum>,
    nums: &HashMap<u32, Num>,
    styles: &HashMap<String, Style>,
) -> Option<(u32, &'a AbstractNum)> {
    let mut id = num.abstract_num_id?;
    for _ in 0..MAX_LINKS {
        let abstract_num = abstract_nums.get(&id)?;
        let linked = abstract_num
            .num_style_link
            .as_deref()
            .and_then(|style| styles.get(style)?.num_id)
            .and_then(|num_id| nums.get(&num_id)?.abstract_num_id)
            .filter(|&linked| linked != id);
        match linked {
            Some(linked) => id = linked,
            None => return Some((id, abstract_num)),
        }
    }
    None
}

/// A level's text (`%1、`, `%1.%2`) with each `%N` replaced by level N's
/// counter in its format; the label to give instead when a format is
/// unknown.
fn level_text<'l>(
    this: &Level,
    counters: &[Option<u32>; LEVELS],
    definition: &dyn Fn(usize) -> Option<&'l Level>,
) -> Result<String, ListLabel> {
    let mut text = String::new();
    let mut rest = this.text.as_str();
    while let Some(percent) = rest.find('%') {
        text.push_str(&rest[..percent]);
        rest = &rest[percent + 1..];
        let Some(referenced) = rest
            .chars()
            .next()
            .and_then(|c| c.to_digit(10))
            .filter(|&d| (1..=LEVELS as u32).contains(&d))
        else {
            text.push('%');
            continue;
        };
        rest = &rest[1..];
        let referenced = referenced as usize - 1;
        let referenced_level = definition(referenced);
        let value = counters[referenced]
            .or(referenced_level.map(|l| l.start))
            .unwrap_or(1);
        let format = match referenced_level {
            _ if this.legal => "decimal",
            Some(l) => l.format.as_str(),
            None => "decimal",
        };
        match format_number(value, format) {
            Some(number) => text.push_str(&number),
            None => return Err(unknown_format(format)),
        }
    }
    text.push_str(rest);
    Ok(text)
}

fn unknown_format(format: &str) -> ListLabel {
    ListLabel::Unwritable {
        message: format!(
            "this paragraph is numbered in Word's \"{format}\" format, which planpub cannot write out; it was read as a paragraph without a number"
        ),
        hint: "in Word, give the list a 1, 2, 3 or 一, 二, 三 numbering, or type the numbers, then import again".into(),
    }
}

fn undefined_list(what: String) -> ListLabel {
    ListLabel::Unwritable {
        message: format!(
            "this paragraph is in {what}; Word shows it without a number, and so it was read"
        ),
        hint: "the document may be damaged: in Word, apply the numbering to it again and save"
            .into(),
    }
}

fn read_abstract_num(element: &Element) -> AbstractNum {
    AbstractNum {
        levels: element
            .children
            .iter()
            .filter(|c| c.name == "lvl")
            .filter_map(|l| Some((l.number_attribute("ilvl")?, read_level(l))))
            .collect(),
        num_style_link: element.child_value("numStyleLink").map(str::to_string),
    }
}

fn read_num(element: &Element) -> Num {
    Num {
        abstract_num_id: element.child_number("abstractNumId"),
        overrides: element
            .children
            .iter()
            .filter(|c| c.name == "lvlOverride")
            .filter_map(|o| {
                let over = LevelOverride {
                    start: o.child_number("startOverride"),
                    level: o.child("lvl").map(read_level),
                };
                Some((o.number_attribute("ilvl")?, over))
            })
            .collect(),
    }
}

/// A `w:lvl`, with the schema's defaults for what it leaves out.
fn read_level(element: &Element) -> Level {
    Level {
        start: element.child_number("start").unwrap_or(0),
        format: element
            .child_value("numFmt")
            .unwrap_or("decimal")
            .to_string(),
        text: element.child_value("lvlText").unwrap_or("").to_string(),
        restart: element.child_number("lvlRestart"),
        style: element.child_value("pStyle").map(str::to_string),
        legal: element
            .child("isLgl")
            .is_some_and(|e| e.attribute("val").is_none_or(is_on)),
        suffix: match element.child_value("suff") {
            Some("space") => " ",
            Some("nothing") => "",
            _ => "\t",
        },
    }
}

/// An XML boolean as WordprocessingML writes them.
fn is_on(value: &str) -> bool {
    matches!(value, "1" | "true" | "on")
}

/// `value` in a `w:numFmt` format; `None` for a format planpub does not
/// know (and for `bullet`, which is no number).
pub fn format_number(value: u32, format: &str) -> Option<String> {
    const CHINESE: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    const LEGAL: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    let enclosed = |first: char, last: u32| {
        (1..=last).contains(&value).then(|| {
            char::from_u32(first as u32 + value - 1).map_or(value.to_string(), String::from)
        })
    };
    let nth = |symbols: &str| {
        let count = symbols.chars().count() as u32;
        (1..=count)
            .contains(&value)
            .then(|| symbols.chars().nth(value as usize - 1).map(String::from))
            .flatten()
    };
    let text = match format {
        "decimal" | "decimalHalfWidth" => value.to_string(),
        "decimalZero" => format!("{value:02}"),
        "decimalFullWidth" | "decimalFullWidth2" => value
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        "upperRoman" => roman(value),
        "lowerRoman" => roman(value).to_lowercase(),
        "upperLetter" => letters(value, b'A'),
        "lowerLetter" => letters(value, b'a'),
        // 一 … 十, 十一 … 九十九, then digit by digit (一〇〇), as Word.
        "chineseCounting" if value < 100 => chinese_counting(value, &CHINESE, false),
        "chineseCounting" | "ideographDigital" => value
            .to_string()
            .chars()
            .map(|c| CHINESE[c as usize - '0' as usize])
            .collect(),
        "chineseCountingThousand" => chinese_counting(value, &CHINESE, false),
        "chineseLegalSimplified" => chinese_counting(value, &LEGAL, true),
        "ideographTraditional" => nth("甲乙丙丁戊己庚辛壬癸").unwrap_or(value.to_string()),
        "ideographZodiac" => nth("子丑寅卯辰巳午未申酉戌亥").unwrap_or(value.to_string()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => {
            enclosed('①', 20).unwrap_or(value.to_string())
        }
        "decimalEnclosedFullstop" => enclosed('⒈', 20).unwrap_or(value.to_string()),
        "decimalEnclosedParen" => enclosed('⑴', 20).unwrap_or(value.to_string()),
        "ideographEnclosedCircle" => enclosed('㈠', 10).unwrap_or(value.to_string()),
        "none" => String::new(),
        _ => return None,
    };
    Some(text)
}

/// 1 → 一, 10 → 十, 21 → 二十一, 105 → 一百〇五, 1010 → 一千〇一十 (up to
/// 9999; beyond, decimal). `legal` writes 壹拾 where the plain form says 十
/// (the amounts style), and its zero is the digit set's own.
fn chinese_counting(value: u32, digits: &[char; 10], legal: bool) -> String {
    if value == 0 {
        return digits[0].to_string();
    }
    if value > 9999 {
        return value.to_string();
    }
    let units = if legal {
        ['拾', '佰', '仟']
    } else {
        ['十', '百', '千']
    };
    let zero = digits[0];
    let (thousands, hundreds, tens, ones) =
        (value / 1000, value / 100 % 10, value / 10 % 10, value % 10);
    let digit = |d: u32| digits[d as usize];
    let mut text = String::new();
    if thousands > 0 {
        text.extend([digit(thousands), units[2]]);
    }
    if hundreds > 0 {
        text.extend([digit(hundreds), units[1]]);
    } else if thousands > 0 && tens + ones > 0 {
        text.push(zero);
    }
    if tens > 0 {
        if legal || tens > 1 || value >= 100 {
            text.push(digit(tens));
        }
        text.push(units[0]);
    } else if hundreds > 0 && ones > 0 {
        text.push(zero);
    }
    if ones > 0 {
        text.push(digit(ones));
    }
    text
}

/// Roman numerals up to 3999; beyond (and 0), decimal.
fn roman(value: u32) -> String {
    if !(1..4000).contains(&value) {
        return value.to_string();
    }
    const NUMERALS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = value;
    let mut text = String::new();
    for (n, numeral) in NUMERALS {
        while rest >= n {
            text.push_str(numeral);
            rest -= n;
        }
    }
    text
}

/// Word's letters: A … Z, then AA … ZZ, AAA … (the letter repeated).
fn letters(value: u32, first: u8) -> String {
    if value == 0 || value > 780 {
        return value.to_string();
    }
    let letter = (first + ((value - 1) % 26) as u8) as char;
    std::iter::repeat_n(letter, (value as usize - 1) / 26 + 1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    fn level(ilvl: u32, format: &str, text: &str, extra: &str) -> String {
        format!(
            r#"<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{format}"/><w:lvlText w:val="{text}"/><w:suff w:val="nothing"/>{extra}<w:pPr><w:ind w:left="420"/></w:pPr></w:lvl>"#
        )
    }

    fn list_numbering(definitions: &str, styles: &str) -> ListNumbering {
        let numbering = format!(r#"<w:numbering xmlns:w="{W}">{definitions}</w:numbering>"#);
        let styles = format!(r#"<w:styles xmlns:w="{W}">{styles}</w:styles>"#);
        ListNumbering::from_parts(Some(&numbering), Some(&styles)).unwrap()
    }

    /// The labels of paragraphs given as (style, numId, ilvl); `!` for a
    /// paragraph whose number cannot be written.
    fn labels(
        numbering: &mut ListNumbering,
        paragraphs: &[(Option<&str>, Option<u32>, Option<u32>)],
    ) -> Vec<String> {
        paragraphs
            .iter()
            .map(|&(style, num_id, level)| {
                let paragraph = ParagraphNumbering {
                    style: style.map(str::to_string),
                    num_id,
                    level,
                };
                match numbering.label(&paragraph) {
                    ListLabel::None => String::new(),
                    ListLabel::Text(text) => text,
                    ListLabel::Unwritable { .. } => "!".into(),
                }
            })
            .collect()
    }

    #[test]
    fn numbers_are_written_in_word_formats() {
        for (value, format, expected) in [
            (12, "decimal", "12"),
            (3, "decimalZero", "03"),
            (12, "decimalFullWidth", "１２"),
            (14, "upperRoman", "XIV"),
            (9, "lowerRoman", "ix"),
            (27, "lowerLetter", "aa"),
            (2, "upperLetter", "B"),
            (1, "chineseCounting", "一"),
            (10, "chineseCounting", "十"),
            (11, "chineseCounting", "十一"),
            (20, "chineseCounting", "二十"),
            (99, "chineseCounting", "九十九"),
            (105, "chineseCounting", "一〇五"),
            (10, "chineseCountingThousand", "十"),
            (21, "chineseCountingThousand", "二十一"),
            (100, "chineseCountingThousand", "一百"),
            (105, "chineseCountingThousand", "一百〇五"),
            (110, "chineseCountingThousand", "一百一十"),
            (1010, "chineseCountingThousand", "一千〇一十"),
            (10, "ideographDigital", "一〇"),
            (12, "chineseLegalSimplified", "壹拾贰"),
            (3, "ideographTraditional", "丙"),
            (3, "decimalEnclosedCircle", "③"),
            (2, "decimalEnclosedParen", "⑵"),
            (21, "decimalEnclosedCircle", "21"),
            (5, "none", ""),
        ] {
            assert_eq!(
                format_number(value, format).as_deref(),
                Some(expected),
                "{value} as {format}"
            );
        }
        assert_eq!(format_number(1, "bullet"), None);
        assert_eq!(format_number(1, "hebrew1"), None);
    }

    #[test]
    fn levels_count_and_a_level_restarts_the_deeper_ones() {
        let mut numbering = list_numbering(
            &format!(
                r#"<w:abstractNum w:abstractNumId="3">{}{}{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="3"/></w:num>"#,
                level(0, "chineseCounting", "%1、", ""),
                level(1, "decimal", "%1.%2", ""),
                // Level 3 never restarts: it counts through the document.
                level(2, "lowerLetter", "%3)", r#"<w:lvlRestart w:val="0"/>"#),
            ),
            "",
        );
        let at = |level| (None, Some(1), Some(level));
        assert_eq!(
            labels(
                &mut numbering,
                &[at(0), at(1), at(2), at(1), at(2), at(0), at(1), at(2)]
            ),
            // (%1 in level 1's own format: without w:isLgl, Word shows 一.1.)
            ["一、", "一.1", "a)", "一.2", "b)", "二、", "二.1", "c)"]
        );
    }

    #[test]
    fn lists_sharing_a_definition_continue_unless_they_override_the_start() {
        let mut numbering = list_numbering(
            &format!(
                r#"<w:abstractNum w:abstractNumId="0">{}</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="%1．"/></w:lvl></w:lvlOverride></w:num>"#,
                level(0, "decimal", "%1.", ""),
            ),
            "",
        );
        let list = |num_id| (None, Some(num_id), None);
        assert_eq!(
            labels(
                &mut numbering,
                &[
                    list(1),
                    list(1),
                    list(2),
                    list(3),
                    list(3),
                    list(1),
                    list(4),
                    list(4)
                ]
            ),
            ["1.", "2.", "3.", "1.", "2.", "3.", "７．\t", "８．\t"]
        );
    }

    #[test]
    fn styles_number_paragraphs_and_num_id_zero_takes_one_out() {
        let mut numbering = list_numbering(
            &format!(
                r#"<w:abstractNum w:abstractNumId="0">{}{}</w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num>"#,
                level(
                    0,
                    "chineseCountingThousand",
                    "%1、",
                    r#"<w:pStyle w:val="Heading1"/>"#
                ),
                level(1, "decimal", "%2.", r#"<w:pStyle w:val="Item"/>"#),
            ),
            r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ItemBase"><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Item"><w:basedOn w:val="ItemBase"/></w:style>"#,
        );
        assert_eq!(
            labels(
                &mut numbering,
                &[
                    (None, None, None),
                    (Some("Heading1"), None, None),
                    (Some("Item"), None, None),
                    (Some("Item"), Some(0), None),
                    (Some("Item"), None, None),
                    (Some("Heading1"), None, None),
                    (Some("Item"), None, None),
                    (Some("Normal"), Some(5), Some(1)),
                ]
            ),
            ["", "一、", "1.", "", "2.", "二、", "1.", "2."]
        );
    }

    #[test]
    fn numbering_styles_lead_to_the_list_they_name() {
        let mut numbering = list_numbering(
            &format!(
                r#"<w:abstractNum w:abstractNumId="0"><w:styleLink w:val="PlanList"/>{}</w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:numStyleLink w:val="PlanList"/></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>"#,
                level(0, "decimal", "%1、", ""),
            ),
            r#"<w:style w:type="numbering" w:styleId="PlanList"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>"#,
        );
        assert_eq!(
            labels(
                &mut numbering,
                &[(None, Some(2), Some(0)), (None, Some(2), Some(0))]
            ),
            ["1、", "2、"]
        );
    }

    #[test]
    fn legal_numbering_shows_every_level_in_decimal() {
        let mut numbering = list_numbering(
            &format!(
                r#"<w:abstractNum w:abstractNumId="0">{}{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#,
                level(0, "chineseCounting", "%1、", ""),
                level(1, "decimal", "%1.%2", "<w:isLgl/>"),
            ),
            "",
        );
        let at = |level| (None, Some(1), Some(level));
        assert_eq!(labels(&mut numbering, &[at(0), at(1)]), ["一、", "1.1"]);
    }

    #[test]
    fn bullets_unknown_formats_and_undefined_lists_cannot_be_written() {
        let mut numbering = list_numbering(
            &format!(
                r#"<w:abstractNum w:abstractNumId="0">{}{}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="8"/></w:num>"#,
                level(0, "bullet", "•", ""),
                level(1, "hebrew1", "%2.", ""),
            ),
            "",
        );
        let paragraph = |num_id, level| ParagraphNumbering {
            style: None,
            num_id: Some(num_id),
            level: Some(level),
        };
        let message = |label| match label {
            ListLabel::Unwritable { message, .. } => message,
            other @ (ListLabel::None | ListLabel::Text(_)) => panic!("{other:?}"),
        };
        assert!(message(numbering.label(&paragraph(1, 0))).contains("bulleted list"));
        assert!(message(numbering.label(&paragraph(1, 1))).contains("\"hebrew1\""));
        assert!(message(numbering.label(&paragraph(1, 4))).contains("level 5 of list 1"));
        assert!(message(numbering.label(&paragraph(2, 0))).contains("list 2"));
        assert!(message(numbering.label(&paragraph(7, 0))).contains("list 7"));
    }

    #[test]
    fn newer_formats_are_read_as_their_fallback_and_extensions_are_ignored() {
        // Word 2010+ writes custom formats for itself and a fallback for
        // older readers; w14 elements are extensions.
        let numbering = format!(
            r#"<w:numbering xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:abstractNum w:abstractNumId="0" w14:restartNumberingAfterBreak="0"><w:lvl w:ilvl="0"><w:start w:val="9"/><mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="001, 002, 003, ..."/></mc:Choice><mc:Fallback><w:numFmt w:val="decimalZero"/></mc:Fallback></mc:AlternateContent><w14:ext><w:lvlText w:val="wrong"/></w14:ext><w:lvlText w:val="%1&#12289;"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#
        );
        let mut numbering = ListNumbering::from_parts(Some(&numbering), None).unwrap();
        let at = (None, Some(1), None);
        assert_eq!(labels(&mut numbering, &[at, at]), ["09、\t", "10、\t"]);
    }

    #[test]
    fn numbering_without_definitions_is_no_numbering_and_bad_xml_is_an_error() {
        let mut numbering = ListNumbering::from_parts(None, None).unwrap();
        assert_eq!(
            numbering.label(&ParagraphNumbering::default()),
            ListLabel::None
        );
        let error = ListNumbering::from_parts(Some("<w:numbering><w:num></w:numbering>"), None)
            .unwrap_err();
        assert!(
            error.starts_with("word/numbering.xml is not well-formed XML"),
            "{error}"
        );
    }
}
