//! A filled sheet back into cells: from a workbook (calamine) or CSV
//! (UTF-8 with or without a byte-order mark, or GB18030 as older Excel
//! saves it: bytes that are not valid UTF-8 are read as GB18030).

use crate::sheet::{Problem, cell_ref, cell_text};
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use encoding_rs::GB18030;
use std::collections::BTreeMap;
use std::io::Cursor;

/// The non-empty cells by (row, column), 0-based, trimmed.
pub type Cells = BTreeMap<(u32, u32), String>;

/// A sheet read: its cells, and how to name one in a message.
pub struct ReadSheet {
    pub cells: Cells,
    /// `round.xlsx:进展!` or `round.csv:`: a cell reference follows.
    pub prefix: String,
}

impl ReadSheet {
    pub fn at(&self, row: u32, col: u32) -> String {
        format!("{}{}", self.prefix, cell_ref(row, col))
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&str> {
        self.cells.get(&(row, col)).map(String::as_str)
    }
}

fn insert(cells: &mut Cells, row: u32, col: u32, text: &str) {
    let text = text.trim();
    if !text.is_empty() {
        cells.insert((row, col), text.to_string());
    }
}

/// The sheet `sheet` of a workbook (`shown`: the file as named on the
/// command line).
pub fn workbook(bytes: &[u8], shown: &str, sheet: &str) -> Result<ReadSheet, Vec<Problem>> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        vec![Problem::new(
            shown,
            format!("not a spreadsheet planpub can read: {e}"),
            "save it from Excel, WPS or LibreOffice as an Excel workbook (.xlsx), or as CSV",
        )]
    })?;
    let range = workbook.worksheet_range(sheet).map_err(|_| {
        vec![Problem::new(
            shown,
            format!(
                "the workbook has no sheet `{sheet}` (it has: {})",
                workbook.sheet_names().join(", ")
            ),
            "import the workbook `planpub progress sheet` made, with its sheets as they were",
        )]
    })?;
    let prefix = format!("{shown}:{sheet}!");
    let mut cells = Cells::new();
    let mut problems = Vec::new();
    if let Some((row0, col0)) = range.start() {
        for (r, c, data) in range.used_cells() {
            let (row, col) = (row0 + r as u32, col0 + c as u32);
            match cell_text(data) {
                Ok(Some(text)) => insert(&mut cells, row, col, &text),
                Ok(None) => {}
                Err(e) => problems.push(Problem::new(
                    &format!("{prefix}{}", cell_ref(row, col)),
                    e,
                    "write the value itself, not a formula",
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(ReadSheet { cells, prefix })
    } else {
        Err(problems)
    }
}

/// A CSV file's text: UTF-8 (a byte-order mark dropped), else GB18030.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => GB18030.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// A CSV file.
pub fn csv(bytes: &[u8], shown: &str) -> Result<ReadSheet, Vec<Problem>> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut cells = Cells::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            vec![Problem::new(
                &format!("{shown}:{}", row + 1),
                format!("not CSV planpub can read: {e}"),
                "save the sheet as CSV (comma-separated) from Excel, WPS or LibreOffice",
            )]
        })?;
        for (col, field) in record.iter().enumerate() {
            insert(&mut cells, row as u32, col as u32, field);
        }
    }
    Ok(ReadSheet {
        cells,
        prefix: format!("{shown}:"),
    })
}
