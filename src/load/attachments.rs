//! The files under content/ that are not Markdown: attachments that are
//! published as they are (documents and images), or refused with a reason.

use super::SourceAsset;
use crate::diagnostics::{Code, Diagnostics, Location};
use std::path::Path;

/// Attachments that content/ may hold besides Markdown, copied as they
/// are: documents and images a plan links to. Nothing a browser runs or
/// renders as a page (HTML, SVG, scripts).
const ATTACHMENT_TYPES: &[(&str, &str)] = &[
    ("pdf", "PDF"),
    ("png", "PNG"),
    ("jpg", "JPEG"),
    ("jpeg", "JPEG"),
    ("gif", "GIF"),
    ("webp", "WebP"),
    ("avif", "AVIF"),
    ("doc", "Word"),
    ("docx", "Word"),
    ("xls", "Excel"),
    ("xlsx", "Excel"),
    ("ppt", "PowerPoint"),
    ("pptx", "PowerPoint"),
    ("odt", "OpenDocument"),
    ("ods", "OpenDocument"),
    ("csv", "CSV"),
    ("txt", "plain text"),
];

/// Whether a file's first bytes are those of its type: a file named
/// `.pdf` that holds an HTML page is not published as a PDF.
fn holds_its_type(extension: &str, bytes: &[u8]) -> bool {
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    match extension {
        "pdf" => bytes.starts_with(b"%PDF-"),
        "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "jpg" | "jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        "avif" => bytes.len() >= 12 && &bytes[4..8] == b"ftyp" && &bytes[8..11] == b"avi",
        "docx" | "xlsx" | "pptx" | "odt" | "ods" => zip,
        "doc" | "xls" | "ppt" => ole,
        // Text: any bytes (served as text/plain or text/csv).
        _ => true,
    }
}

/// A non-Markdown file under content/ as an attachment to publish, or
/// the error that says why it is not.
pub(super) fn attachment(
    rel: &Path,
    rel_to_content: &Path,
    bytes: Vec<u8>,
    diags: &mut Diagnostics,
) -> Option<SourceAsset> {
    let extension = rel
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let allowed: Vec<&str> = ATTACHMENT_TYPES.iter().map(|(e, _)| *e).collect();
    let Some((_, kind)) = ATTACHMENT_TYPES.iter().find(|(e, _)| *e == extension) else {
        let (message, hint) = match extension.as_str() {
            "svg" | "svgz" => (
                "an SVG image can carry scripts, so it is not published".to_string(),
                "convert it to PNG (or WebP) and link that instead".to_string(),
            ),
            "md" | "markdown" | "mdown" => (
                format!(
                    "a `.{}` file is not read as content",
                    rel.extension().unwrap_or_default().to_string_lossy()
                ),
                "content files end in `.md`, in lowercase: rename it".to_string(),
            ),
            "" => (
                "a file without an extension is not published".to_string(),
                format!("attachments may be {}", allowed.join(", ")),
            ),
            other => (
                format!(
                    "a `.{other}` file is not published: attachments may only be documents and images"
                ),
                format!(
                    "convert it to one of {} (e.g. a page to PDF), or move it out of content/",
                    allowed.join(", ")
                ),
            ),
        };
        diags.error(
            Code::AttachmentRefused,
            Location::file(rel),
            message,
            Some(hint),
        );
        return None;
    };
    if !holds_its_type(&extension, &bytes) {
        diags.error(
            Code::AttachmentRefused,
            Location::file(rel),
            format!("the file is named `.{extension}` but does not hold a {kind} file"),
            Some("save it again in its format, or give it the extension of what it holds".into()),
        );
        return None;
    }
    let output_path = rel_to_content
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Some(SourceAsset {
        output_path,
        source: rel.to_path_buf(),
        bytes,
    })
}
