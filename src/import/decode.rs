//! Plain-text plan documents: bytes → text, whatever the encoding a bureau
//! saved them in.
//!
//! Accepted: UTF-8 (with or without a byte-order mark), UTF-16 with a
//! byte-order mark (little or big endian; Windows Notepad's "Unicode"), and
//! GB18030, a superset of GBK and GB2312, in which much government text is
//! still saved. Detection needs no guessing: a BOM decides; otherwise the
//! bytes are either valid UTF-8 or they are read as GB18030, and a file that
//! is valid in neither is refused, naming the first byte that none of them
//! accepts. Control characters other than tab, line feed, carriage return
//! and form feed mark a binary file (a renamed PDF, image or archive), which
//! every one of these encodings would otherwise decode into nonsense.

use encoding_rs::{DecoderResult, Encoding, GB18030, UTF_16BE, UTF_16LE};

/// A document's text, with line endings normalised to `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedText {
    pub text: String,
    /// The encoding it was read in, for the report ("GB18030").
    pub encoding: &'static str,
}

/// Why the bytes are not a text document: where (byte offset, and the line
/// and column of the text read up to there) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: String,
}

/// The magic number of a zip archive (a .docx is one).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// The magic number of an OLE compound file: a Word 97-2003 `.doc`, or a
/// `.docx` that Word encrypted with a password.
pub const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Decodes a plain-text document (`.txt`, `.md`).
pub fn decode_document(bytes: &[u8]) -> Result<DecodedText, DecodeError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC) {
        return Err(DecodeError {
            offset: 0,
            line: 1,
            column: 1,
            message: "this is a Word document or an archive, not a text file".into(),
            hint:
                "a Word 2007+ document must be named .docx; save any other document as UTF-8 text"
                    .into(),
        });
    }
    let (text, encoding) = match Encoding::for_bom(bytes) {
        Some((encoding, bom)) if encoding == UTF_16LE || encoding == UTF_16BE => {
            let little_endian = encoding == UTF_16LE;
            let name = if little_endian {
                "UTF-16LE"
            } else {
                "UTF-16BE"
            };
            (decode_utf16(&bytes[bom..], little_endian, bom)?, name)
        }
        bom => {
            let bom = bom.map_or(0, |(_, length)| length);
            refuse_control_bytes(bytes)?;
            decode_utf8_or_gb18030(bytes, bom)?
        }
    };
    Ok(DecodedText {
        text: normalise_line_endings(&text),
        encoding,
    })
}

/// `\r\n` and lone `\r` become `\n`.
pub fn normalise_line_endings(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

/// Where a strict decoding stopped: the byte offset in the file, and the
/// line and column of the text decoded up to there.
struct Malformed {
    offset: usize,
    line: usize,
    column: usize,
}

fn invalid_in_all(bytes: &[u8], at: Malformed) -> DecodeError {
    DecodeError {
        offset: at.offset,
        line: at.line,
        column: at.column,
        message: format!(
            "not a text file in UTF-8, UTF-16 or GB18030: byte 0x{:02x} at offset {} is invalid in each of them",
            bytes[at.offset], at.offset
        ),
        hint: "save the document as UTF-8 text (or UTF-16 with a byte-order mark, or GBK/GB18030), or import the Word .docx itself".into(),
    }
}

/// Decodes `bytes` (which start at `base` in the file) without replacement
/// characters: the first malformed sequence stops it, at its offset.
fn decode_strictly(
    encoding: &'static Encoding,
    bytes: &[u8],
    base: usize,
) -> Result<String, Malformed> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3);
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Ok(text),
        DecoderResult::Malformed(bad, after) => {
            let (line, column) = line_and_column(&text);
            Err(Malformed {
                offset: base + read - after as usize - bad as usize,
                line,
                column,
            })
        }
        DecoderResult::OutputFull => unreachable!("the buffer was sized for the whole input"),
    }
}

/// UTF-16 after its BOM: an odd length or an unpaired surrogate is an
/// error at its byte offset.
fn decode_utf16(body: &[u8], little_endian: bool, base: usize) -> Result<String, DecodeError> {
    let units: Vec<u16> = body
        .chunks(2)
        .map(|pair| match (pair, little_endian) {
            ([lo, hi], true) | ([hi, lo], false) => u16::from_le_bytes([*lo, *hi]),
            _ => 0xFFFF,
        })
        .collect();
    let mut at = 0;
    let mut good = String::new();
    while at < units.len() {
        let unit = units[at];
        let width = if (0xD800..0xDC00).contains(&unit) {
            2
        } else {
            1
        };
        let bad = if at * 2 + 1 >= body.len() {
            true
        } else if width == 2 {
            !units
                .get(at + 1)
                .is_some_and(|next| (0xDC00..0xE000).contains(next))
                || at * 2 + 3 >= body.len()
        } else {
            (0xDC00..0xE000).contains(&unit)
        };
        if bad {
            let (line, column) = line_and_column(&good);
            return Err(DecodeError {
                offset: base + at * 2,
                line,
                column,
                message: format!(
                    "not valid UTF-16: the bytes at offset {} are not a character",
                    base + at * 2
                ),
                hint: "save the document again as UTF-8 or UTF-16 text".into(),
            });
        }
        let c = char::decode_utf16(units[at..at + width].iter().copied())
            .next()
            .and_then(Result::ok)
            .unwrap_or('\u{FFFD}');
        if is_refused_control(c) {
            let (line, column) = line_and_column(&good);
            return Err(control_character_error(
                base + at * 2,
                c as u8,
                line,
                column,
            ));
        }
        good.push(c);
        at += width;
    }
    Ok(good)
}

/// UTF-8 if the bytes after the BOM (`bom` bytes long) are valid UTF-8,
/// else GB18030 (unless there was a UTF-8 BOM); refused if neither.
fn decode_utf8_or_gb18030(bytes: &[u8], bom: usize) -> Result<(String, &'static str), DecodeError> {
    let utf8_error = match std::str::from_utf8(&bytes[bom..]) {
        Ok(text) => {
            let name = if bom > 0 { "UTF-8 with BOM" } else { "UTF-8" };
            return Ok((text.to_string(), name));
        }
        Err(e) => e,
    };
    let utf8_stop = || {
        let valid = String::from_utf8_lossy(&bytes[bom..bom + utf8_error.valid_up_to()]);
        let (line, column) = line_and_column(&valid);
        Malformed {
            offset: bom + utf8_error.valid_up_to(),
            line,
            column,
        }
    };
    if bom > 0 {
        return Err(invalid_in_all(bytes, utf8_stop()));
    }
    match decode_strictly(GB18030, bytes, 0) {
        Ok(text) => Ok((text, "GB18030")),
        // Neither: name the first byte that neither encoding accepts, i.e.
        // where the one that reads further stops.
        Err(gb_stop) if gb_stop.offset > utf8_error.valid_up_to() => {
            Err(invalid_in_all(bytes, gb_stop))
        }
        Err(_) => Err(invalid_in_all(bytes, utf8_stop())),
    }
}

/// Refuses a control byte in a file read as UTF-8 or GB18030. Both keep
/// ASCII bytes as they are (no multi-byte sequence holds a byte below
/// 0x30), so a control byte is a control character of the text.
fn refuse_control_bytes(bytes: &[u8]) -> Result<(), DecodeError> {
    if let Some(i) = bytes.iter().position(|&b| is_refused_control(b as char)) {
        let before = String::from_utf8_lossy(&bytes[..i]);
        let (line, column) = line_and_column(&before);
        return Err(control_character_error(i, bytes[i], line, column));
    }
    Ok(())
}

/// C0 control characters other than tab, line feed, form feed and carriage
/// return: no text document has them; binary files are full of them.
fn is_refused_control(c: char) -> bool {
    (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\x0c' | '\r')
}

fn control_character_error(offset: usize, byte: u8, line: usize, column: usize) -> DecodeError {
    DecodeError {
        offset,
        line,
        column,
        message: format!(
            "not a text file: byte 0x{byte:02x} at offset {offset} is a control character (is this a binary file renamed .txt?)"
        ),
        hint: "save the document as UTF-8 text (or UTF-16 with a byte-order mark, or GBK/GB18030), or import the Word .docx itself".into(),
    }
}

/// The 1-based line and column just after `text` (columns count characters).
fn line_and_column(text: &str) -> (usize, usize) {
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_crlf_read_alike() {
        let plain = decode_document("标题\r\n一、甲\r\n".as_bytes()).unwrap();
        let bom = decode_document("\u{feff}标题\n一、甲\n".as_bytes()).unwrap();
        assert_eq!(plain.text, "标题\n一、甲\n");
        assert_eq!(bom.text, plain.text);
        assert_eq!(plain.encoding, "UTF-8");
    }

    #[test]
    fn gb18030_and_utf16_are_detected() {
        let text = "南阳市教育局2023年工作要点\n一、加强党的领导\n";
        let (gbk, _, _) = GB18030.encode(text);
        let decoded = decode_document(&gbk).unwrap();
        assert_eq!((decoded.text.as_str(), decoded.encoding), (text, "GB18030"));
        for little in [true, false] {
            let mut bytes = if little {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for unit in text.encode_utf16() {
                bytes.extend(if little {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                });
            }
            assert_eq!(decode_document(&bytes).unwrap().text, text);
        }
    }

    #[test]
    fn invalid_bytes_are_named_by_offset() {
        // 0xFF is invalid in UTF-8 and in GB18030.
        let mut bytes = "标题\n一、".as_bytes().to_vec();
        let at = bytes.len();
        bytes.push(0xFF);
        bytes.extend("甲".as_bytes());
        let error = decode_document(&bytes).unwrap_err();
        assert_eq!(error.offset, at);
        assert_eq!((error.line, error.column), (2, 3));
        assert_eq!(at, 13);
        assert!(
            error.message.contains("0xff at offset 13"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_control_byte_marks_a_binary_file() {
        let error = decode_document(b"\x89PNG\r\n\x1a\n\0\0").unwrap_err();
        assert!(
            error.message.contains("control character"),
            "{}",
            error.message
        );
        let error = decode_document(b"title\nbody\0").unwrap_err();
        assert_eq!((error.offset, error.line, error.column), (10, 2, 5));
    }

    #[test]
    fn utf16_with_an_odd_length_is_refused() {
        let error = decode_document(&[0xFF, 0xFE, 0x41, 0x00, 0x42]).unwrap_err();
        assert_eq!(error.offset, 4);
    }
}
