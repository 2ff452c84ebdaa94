//! The spreadsheet a translation office fills in: written with
//! `rust_xlsxwriter`, read back with `calamine`.
//!
//! Sheet `Sheet1` has a header row and one row per text unit:
//!
//! ```text
//!    A                B              C                   D
//! 1  id               source (zh)    translation (en)    state
//! 2  2023/16/title    抓好项目…      Plan and build…     done
//! ```
//!
//! `id` and `source` are locked (the sheet is protected, without a
//! password: it guards against slips, not people), so rows cannot be
//! inserted, deleted or sorted; `translation` and `state` (a list:
//! missing, stale, done) are for the translators. Sheet `说明 Instructions`
//! says how to fill it in, in Chinese and English. Reading it back checks
//! the header, that nothing is written beyond column D, and hands every
//! row on with its cell references; what the rows say is checked against
//! the site in [`super::apply::plan_changes`].

use super::units::{TextUnit, UnitState};
use super::{ExportMeta, Problem, ReturnedDocument, ReturnedUnit};
use crate::sheet::cell_text;
pub use crate::sheet::{cell_ref, short};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, Format, FormatAlign, ProtectionOptions, Workbook,
    XlsxError,
};
use std::collections::BTreeMap;
use std::io::Cursor;

/// The sheet of the units.
pub const SHEET: &str = "Sheet1";
/// The sheet of the instructions.
pub const INSTRUCTIONS_SHEET: &str = "说明 Instructions";
/// The most characters a cell holds (Excel's limit).
const MAX_CELL_CHARS: usize = 32_767;

/// The header of column C for a language: `translation (en)`.
fn translation_header(lang: &str) -> String {
    format!("translation ({lang})")
}

/// The workbook for `units`, as bytes of an .xlsx file.
pub fn write_workbook(units: &[TextUnit<'_>], meta: &ExportMeta<'_>) -> Result<Vec<u8>, String> {
    for u in units {
        let longest = u
            .source
            .chars()
            .count()
            .max(u.translation.map_or(0, |t| t.chars().count()));
        if longest > MAX_CELL_CHARS {
            return Err(format!(
                "the text of `{}` is {longest} characters long; a spreadsheet cell holds at most {MAX_CELL_CHARS}",
                u.id
            ));
        }
    }
    build_workbook(units, meta).map_err(|e| format!("cannot make the spreadsheet: {e}"))
}

fn build_workbook(units: &[TextUnit<'_>], meta: &ExportMeta<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} ({} → {})",
                meta.plan_title, meta.source_language, meta.language
            ))
            .set_comment(
                "Exported by planpub translate export; import with planpub translate import",
            ),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9D9D9));
    let locked = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let editable = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFFDE7));
    let state_format = |state: UnitState| {
        let colour = match state {
            UnitState::Missing => 0xF8D7DA,
            UnitState::Stale => 0xFFE8A1,
            UnitState::Done => 0xD4EDDA,
        };
        Format::new()
            .set_unlocked()
            .set_align(FormatAlign::Top)
            .set_background_color(Color::RGB(colour))
    };

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;
    let headers = [
        "id".to_string(),
        format!("source ({})", meta.source_language),
        translation_header(meta.language),
        "state".to_string(),
    ];
    for (col, text) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, text, &header)?;
    }
    for (i, u) in units.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string_with_format(row, 0, &u.id, &locked)?;
        sheet.write_string_with_format(row, 1, &u.source, &locked)?;
        match u.translation {
            Some(t) if !t.is_empty() => sheet.write_string_with_format(row, 2, t, &editable)?,
            _ => sheet.write_blank(row, 2, &editable)?,
        };
        sheet.write_string_with_format(row, 3, u.state.key(), &state_format(u.state))?;
    }
    if !units.is_empty() {
        let states = DataValidation::new()
            .allow_list_strings(&["missing", "stale", "done"])?
            .set_error_title("state")?
            .set_error_message("missing, stale or done")?;
        sheet.add_data_validation(1, 3, units.len() as u32, 3, &states)?;
    }
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 60)?;
    sheet.set_column_width(3, 10)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    });

    let notes = workbook.add_worksheet();
    notes.set_name(INSTRUCTIONS_SHEET)?;
    notes.set_column_width(0, 110)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (row, line) in instructions(meta).iter().enumerate() {
        let format = if line.starts_with('#') {
            &header
        } else {
            &wrap
        };
        notes.write_string_with_format(row as u32, 0, line.trim_start_matches("# "), format)?;
    }
    workbook.save_to_buffer()
}

/// The instructions sheet, a line per row; `# ` marks a heading.
fn instructions(meta: &ExportMeta<'_>) -> Vec<String> {
    let (plan, src, lang) = (meta.plan_id, meta.source_language, meta.language);
    vec![
        format!("# 翻译说明（计划 {plan}，{src} → {lang}）"),
        format!("“{SHEET}”工作表每行是一段需要翻译的文字。请只在 C 列（translation）填写或修改译文，并在 D 列（state）选择状态。"),
        "A 列（id）和 B 列（source，原文）已锁定，请勿修改；请勿插入、删除、移动或排序行，也不要在 D 列右侧填写内容。".into(),
        "状态：missing = 尚无译文；stale = 原文在翻译后有改动，请对照原文检查译文；done = 译文已完成。".into(),
        "检查 stale 行后，如译文无需修改，请将状态改为 done；修改了译文的行会自动视为已完成。".into(),
        "正文（body、preamble）为 Markdown 格式：请保留空行、列表符号（- 或 1.）、*强调* 和 [链接](网址) 的写法。".into(),
        "某些“单位”（unit，如“所”“个”）在英文中可不译：将 C 列留空并把状态设为 done 即可。".into(),
        "完成后请原样返回本文件（保持 .xlsx 格式），由网站管理员运行 planpub translate import 导入。".into(),
        String::new(),
        format!("# Instructions (plan {plan}, {src} → {lang})"),
        format!("Each row of the “{SHEET}” sheet is one text to translate. Write or edit the translation in column C (translation) only, and choose the state in column D (state)."),
        "Columns A (id) and B (source) are locked: do not change them; do not insert, delete, move or sort rows, and write nothing to the right of column D.".into(),
        "States: missing = not translated yet; stale = the source changed after it was translated, check the translation against it; done = translated.".into(),
        "When a stale row needs no change, set its state to done; a row whose translation you changed counts as done.".into(),
        "Bodies (body, preamble) are Markdown: keep the blank lines, list markers (- or 1.), *emphasis* and [links](address) as they are.".into(),
        "Some units (unit, e.g. 所, 个) need no English word: leave column C empty and set the state to done.".into(),
        "Return this file as it is (keep it .xlsx); the webmaster imports it with planpub translate import.".into(),
    ]
}

/// Reads a returned workbook: the header, then every row, each with its
/// cell references (`shown` is the file as named on the command line).
pub fn read_workbook(bytes: &[u8], shown: &str) -> Result<ReturnedDocument, Vec<Problem>> {
    let at = |cell: &str| format!("{shown}:{SHEET}!{cell}");
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        vec![Problem::new(
            shown,
            format!("not a spreadsheet planpub can read: {e}"),
            "save it from Excel, WPS or LibreOffice as an Excel workbook (.xlsx)",
        )]
    })?;
    let range = workbook.worksheet_range(SHEET).map_err(|_| {
        vec![Problem::new(
            shown,
            format!("the workbook has no sheet `{SHEET}`"),
            "import the workbook `planpub translate export` made, with its sheets as they were",
        )]
    })?;
    let mut problems = Vec::new();
    let cells = sheet_cells(&range, &at, &mut problems);
    let (language, source_language) = read_header(&cells, &at, &mut problems);
    let units = read_rows(&cells, &at, &mut problems);
    Ok(ReturnedDocument {
        language: language.unwrap_or_default(),
        language_at: at("C1"),
        source_language,
        rows_ordered: true,
        units,
        problems,
    })
}

/// The sheet's non-empty cells by (row, column), 0-based; a cell that
/// holds an error, or anything right of column D, is a problem.
fn sheet_cells(
    range: &calamine::Range<Data>,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<Problem>,
) -> BTreeMap<(u32, u32), String> {
    let mut cells: BTreeMap<(u32, u32), String> = BTreeMap::new();
    if let Some((row0, col0)) = range.start() {
        for (r, c, data) in range.used_cells() {
            let (row, col) = (row0 + r as u32, col0 + c as u32);
            match cell_text(data) {
                Ok(Some(text)) => {
                    cells.insert((row, col), text);
                }
                Ok(None) => {}
                Err(e) => problems.push(Problem::new(
                    &at(&cell_ref(row, col)),
                    e,
                    "write the text itself, not a formula",
                )),
            }
        }
    }
    for (&(row, col), text) in &cells {
        if col > 3 {
            problems.push(Problem::new(
                &at(&cell_ref(row, col)),
                format!("extra column: the sheet has four columns (id, source, translation, state), but this cell holds \"{}\"", short(text)),
                "delete what is right of column D; write translations in column C only",
            ));
        }
    }
    cells
}

/// The header row: id, source (zh), translation (en), state; the
/// languages it names (translation, and source with its cell).
fn read_header(
    cells: &BTreeMap<(u32, u32), String>,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<Problem>,
) -> (Option<String>, Option<(String, String)>) {
    let get = |row: u32, col: u32| cells.get(&(row, col)).cloned();
    // The header: id, source (zh), translation (en), state.
    let mut language = None;
    let mut source_language = None;
    let expected = ["id", "source (", "translation (", "state"];
    for (col, want) in expected.iter().enumerate() {
        let col = col as u32;
        let found = get(0, col).unwrap_or_default();
        let ok = if want.ends_with('(') {
            found.starts_with(want) && found.ends_with(')')
        } else {
            found == *want
        };
        if !ok {
            problems.push(Problem::new(
                &at(&cell_ref(0, col)),
                format!(
                    "the header is \"{}\"; the export wrote \"{want}{}\" here",
                    short(&found),
                    if want.ends_with('(') { "…)" } else { "" }
                ),
                "put the export's header row back: id, source (zh), translation (en), state",
            ));
        } else if want.ends_with('(') {
            let lang = found[want.len()..found.len() - 1].trim().to_string();
            if col == 1 {
                source_language = Some((lang, at("B1")));
            } else {
                language = Some(lang);
            }
        }
    }
    (language, source_language)
}

/// Every row below the header, as a returned unit.
fn read_rows(
    cells: &BTreeMap<(u32, u32), String>,
    at: &dyn Fn(&str) -> String,
    problems: &mut Vec<Problem>,
) -> Vec<ReturnedUnit> {
    let get = |row: u32, col: u32| cells.get(&(row, col)).cloned();
    let last_row = cells.keys().map(|&(r, _)| r).max().unwrap_or(0);
    let mut units = Vec::new();
    for row in 1..=last_row {
        let [id, source, translation, state] = [0, 1, 2, 3].map(|c| get(row, c));
        if id.is_none() && source.is_none() && translation.is_none() && state.is_none() {
            continue;
        }
        let Some(id) = id else {
            problems.push(Problem::new(
                &at(&cell_ref(row, 0)),
                "this row has no id",
                "the id column is locked: put the export's id back, or delete the row's other cells",
            ));
            continue;
        };
        let marked_done = match state.as_deref().map(str::trim) {
            None => false,
            Some(s) => match UnitState::parse(s) {
                Some(st) => st == UnitState::Done,
                None => {
                    problems.push(Problem::new(
                        &at(&cell_ref(row, 3)),
                        format!("unknown state \"{}\"", short(s)),
                        "choose missing, stale or done",
                    ));
                    false
                }
            },
        };
        let translation = match translation {
            Some(t) => Some(t),
            None if marked_done => Some(String::new()),
            None => None,
        };
        units.push(ReturnedUnit {
            shown_id: id.clone(),
            id,
            id_at: at(&cell_ref(row, 0)),
            source: source.unwrap_or_default(),
            source_at: at(&cell_ref(row, 1)),
            translation,
            translation_at: at(&cell_ref(row, 2)),
            marked_done,
        });
    }
    units
}
