//! The sheet into a file: a workbook (rust_xlsxwriter) with the item
//! sheet protected (without a password: it guards against slips, not
//! people) and a notes sheet explaining every column in every language of
//! the site; or CSV (UTF-8 with a byte-order mark, so that Excel reads it
//! as UTF-8), the same rows, the plan and date in its first line.

use super::layout::{Cell, Column, FIRST_ITEM_ROW, Layout, Look};
use crate::sheet::column_letters;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, DocProperties, Format, FormatAlign,
    ProtectionOptions, Workbook, XlsxError,
};

/// The notes: per language, a heading, then lines of (column letters,
/// header, explanation); a heading has no letters.
pub fn notes(layout: &Layout<'_>, date: &str) -> Vec<[String; 3]> {
    let mut out = Vec::new();
    let labels: Vec<String> = layout.status_labels().into_iter().map(|(_, l)| l).collect();
    for lang in &layout.languages {
        let t = |key: &str| layout.t(lang, key);
        out.push([
            String::new(),
            t("progress-notes-title")
                .replace("{plan}", &layout.plan.id)
                .replace("{date}", date),
            String::new(),
        ]);
        for line in ["progress-notes-intro", "progress-notes-date"] {
            out.push([
                String::new(),
                String::new(),
                t(line)
                    .replace("{sheet}", &layout.sheet_name())
                    .replace("{date}", date),
            ]);
        }
        out.push([t("progress-notes-column"), String::new(), String::new()]);
        for (i, col) in layout.columns.iter().enumerate() {
            let explanation = match col {
                Column::Number => t("progress-notes-number"),
                Column::Title => t("progress-notes-title-column"),
                Column::Lead => t("progress-notes-lead"),
                Column::LastStatus => t("progress-notes-last-status"),
                Column::Status => {
                    t("progress-notes-status").replace("{labels}", &labels.join(", "))
                }
                Column::Target(k) => {
                    t("progress-notes-target").replace("{n}", &(k + 1).to_string())
                }
                Column::Goal(_) => t("progress-notes-goal"),
                Column::LastActual(_) => t("progress-notes-last-actual"),
                Column::Actual(_) => t("progress-notes-actual"),
                Column::Text(n) => t(if *n == 0 {
                    "progress-notes-text-required"
                } else {
                    "progress-notes-text"
                })
                .replace("{language}", &layout.language_name(&layout.languages[*n])),
            };
            out.push([
                column_letters(i as u32),
                layout.header(*col, lang),
                explanation,
            ]);
        }
        out.push([String::new(), String::new(), t("progress-notes-return")]);
        out.push([String::new(), String::new(), String::new()]);
    }
    out
}

/// The workbook, as the bytes of an .xlsx file.
pub fn workbook(layout: &Layout<'_>, rows: &[Vec<Cell>], date: &str) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("{} {date}", layout.plan.title.default))
            .set_comment("Made by planpub progress sheet; import with planpub progress import"),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name(layout.sheet_name())?;
    let base = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let format_of = |look: Look| match look {
        Look::Meta => Format::new().set_bold(),
        Look::Header => base
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xD9D9D9)),
        Look::Reference => base.clone(),
        Look::Fill => base
            .clone()
            .set_unlocked()
            .set_background_color(Color::RGB(0xFFF2A8)),
        Look::NotApplicable => base.clone().set_background_color(Color::RGB(0xBFBFBF)),
    };
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            let format = format_of(cell.look);
            match cell.number {
                Some(n) => sheet.write_number_with_format(r, c, n, &format)?,
                None if cell.text.is_empty() => sheet.write_blank(r, c, &format)?,
                None => sheet.write_string_with_format(r, c, &cell.text, &format)?,
            };
        }
    }
    let last = rows.len() as u32 - 1;
    if last >= FIRST_ITEM_ROW {
        let labels: Vec<String> = layout.status_labels().into_iter().map(|(_, l)| l).collect();
        let list = DataValidation::new()
            .allow_list_strings(&labels)?
            .set_error_message(labels.join(", "))?;
        let number = DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_error_message("0, 1, 2.5, 3600 …")?;
        for (i, col) in layout.columns.iter().enumerate() {
            let c = i as u16;
            if *col == Column::Status {
                sheet.add_data_validation(FIRST_ITEM_ROW, c, last, c, &list)?;
            } else if matches!(col, Column::Actual(_)) {
                sheet.add_data_validation(FIRST_ITEM_ROW, c, last, c, &number)?;
            }
            let width = match col {
                Column::Title => 40.0,
                Column::Text(_) => 50.0,
                Column::Target(_) | Column::Lead => 18.0,
                Column::Number
                | Column::LastStatus
                | Column::Status
                | Column::Goal(_)
                | Column::LastActual(_)
                | Column::Actual(_) => 11.0,
            };
            sheet.set_column_width(c, width)?;
        }
    }
    sheet.set_freeze_panes(FIRST_ITEM_ROW, 2)?;
    sheet.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::new()
    });

    let notes_sheet = workbook.add_worksheet();
    notes_sheet.set_name(layout.notes_sheet_name())?;
    notes_sheet.set_column_width(0, 8)?;
    notes_sheet.set_column_width(1, 24)?;
    notes_sheet.set_column_width(2, 90)?;
    let heading = Format::new().set_bold();
    for (r, line) in notes(layout, date).iter().enumerate() {
        for (c, text) in line.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let format = if c == 0 || line[0].is_empty() && c == 1 {
                &heading
            } else {
                &base
            };
            notes_sheet.write_string_with_format(r as u32, c as u16, text, format)?;
        }
    }
    workbook.save_to_buffer()
}

/// The same rows as CSV, UTF-8 with a byte-order mark.
pub fn csv(rows: &[Vec<Cell>]) -> Result<Vec<u8>, String> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in rows {
        writer
            .write_record(row.iter().map(|c| c.text.as_str()))
            .map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}
