//! Which files a citizen may attach (JPG, PNG, PDF, DOC(X), XLS(X)), decided from the
//! bytes, never from the name or the browser's claimed type: magic numbers through
//! `infer`, and for DOCX/XLSX the zip directory must hold the Office part that makes it
//! one. Also the cleaning of file names for storage and download.

use std::io::Cursor;

use sha2::{Digest, Sha256};

use crate::domain::fold::clean_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
    Doc,
    Docx,
    Xls,
    Xlsx,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
            FileKind::Doc => "application/msword",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xls => "application/vnd.ms-excel",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Pdf => "pdf",
            FileKind::Doc => "doc",
            FileKind::Docx => "docx",
            FileKind::Xls => "xls",
            FileKind::Xlsx => "xlsx",
        }
    }

    fn accepts_extension(self, ext: &str) -> bool {
        match self {
            FileKind::Jpeg => matches!(ext, "jpg" | "jpeg"),
            other => ext == other.extension(),
        }
    }

    pub fn from_content_type(ct: &str) -> Option<FileKind> {
        [
            FileKind::Jpeg,
            FileKind::Png,
            FileKind::Pdf,
            FileKind::Doc,
            FileKind::Docx,
            FileKind::Xls,
            FileKind::Xlsx,
        ]
        .into_iter()
        .find(|k| k.content_type() == ct)
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRefusal {
    Empty,
    TooLarge,
    NotAllowed,
    TooMany,
}

impl FileRefusal {
    pub fn message_id(self) -> &'static str {
        match self {
            FileRefusal::Empty => "err-file-empty",
            FileRefusal::TooLarge => "err-file-too-large",
            FileRefusal::NotAllowed => "err-file-type",
            FileRefusal::TooMany => "err-file-too-many",
        }
    }
}

/// Recognises an allowed file from its bytes.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if infer::image::is_jpeg(bytes) {
        return Some(FileKind::Jpeg);
    }
    if infer::image::is_png(bytes) {
        return Some(FileKind::Png);
    }
    if infer::archive::is_pdf(bytes) {
        return Some(FileKind::Pdf);
    }
    if infer::doc::is_doc(bytes) {
        return Some(FileKind::Doc);
    }
    if infer::doc::is_xls(bytes) {
        return Some(FileKind::Xls);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return office_zip_kind(bytes);
    }
    None
}

/// A zip is a DOCX or XLSX only when its directory holds `[Content_Types].xml` and the
/// main part of that format.
/// A document that inflates to more than this many times its size, past
/// [`INFLATED_FLOOR`], is refused: a "deflate bomb" that would hang the reader's Office
/// (security review, finding 19; real documents compress 2–20×).
const INFLATE_RATIO: u64 = 100;
const INFLATED_FLOOR: u64 = 50 * 1024 * 1024;

fn office_zip_kind(bytes: &[u8]) -> Option<FileKind> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut inflated: u64 = 0;
    for i in 0..archive.len() {
        inflated = inflated.saturating_add(archive.by_index_raw(i).ok()?.size());
    }
    if inflated > INFLATED_FLOOR && inflated > INFLATE_RATIO.saturating_mul(bytes.len() as u64) {
        return None;
    }
    let names: Vec<&str> = archive.file_names().collect();
    if !names.contains(&"[Content_Types].xml") {
        return None;
    }
    if names.contains(&"word/document.xml") {
        Some(FileKind::Docx)
    } else if names.contains(&"xl/workbook.xml") {
        Some(FileKind::Xlsx)
    } else {
        None
    }
}

/// Checks one uploaded file against the rules. `max_bytes` is the per-file cap.
pub fn check(bytes: &[u8], max_bytes: usize) -> Result<FileKind, FileRefusal> {
    if bytes.is_empty() {
        return Err(FileRefusal::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(FileRefusal::TooLarge);
    }
    sniff(bytes).ok_or(FileRefusal::NotAllowed)
}

/// A file name safe to store and to offer for download: no directories, no control
/// characters, NFC, at most 120 characters, and an extension that matches the content.
pub fn clean_filename(original: &str, kind: FileKind) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let base: String = clean_line(base)
        .chars()
        .filter(|c| !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .collect();
    let base = base.trim_matches(['.', ' ']).to_string();
    let (stem, ext) = match base.rsplit_once('.') {
        Some((s, e)) => (s.to_string(), e.to_ascii_lowercase()),
        None => (base.clone(), String::new()),
    };
    let stem: String = if stem.is_empty() {
        "tep-dinh-kem".into()
    } else {
        stem
    };
    let stem: String = stem.chars().take(110).collect();
    if kind.accepts_extension(&ext) {
        format!("{stem}.{ext}")
    } else {
        format!("{stem}.{}", kind.extension())
    }
}

/// A file size for people: "512 KB", "3.4 MB".
pub fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The `Content-Disposition: attachment` value for a stored file name (RFC 6266 with
/// an ASCII fallback and the UTF-8 name percent-encoded).
pub fn content_disposition(filename: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let ascii: String = filename
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c if c.is_ascii_alphanumeric() || c == '.' || c == '-' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(b) {
            encoded.push(*b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A file that passed the checks, ready to store.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub filename: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
    pub sha256: [u8; 32],
}

impl CheckedFile {
    pub fn new(filename: String, kind: FileKind, bytes: Vec<u8>) -> CheckedFile {
        let sha256 = Sha256::digest(&bytes).into();
        CheckedFile {
            filename,
            kind,
            bytes,
            sha256,
        }
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A minimal but real PNG (1×1 pixel).
    pub const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    fn zip_with(names: &[&str]) -> Vec<u8> {
        use std::io::Write;
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for n in names {
                w.start_file(*n, zip::write::SimpleFileOptions::default())
                    .expect("zip entry");
                w.write_all(b"<xml/>").expect("zip write");
            }
            w.finish().expect("zip finish");
        }
        buf.into_inner()
    }

    #[test]
    fn recognises_allowed_types_from_bytes() {
        assert_eq!(sniff(PNG_1X1), Some(FileKind::Png));
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            Some(FileKind::Pdf)
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F']),
            Some(FileKind::Jpeg)
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"])),
            Some(FileKind::Docx)
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])),
            Some(FileKind::Xlsx)
        );
    }

    #[test]
    fn refuses_a_document_that_inflates_a_hundredfold_past_50_mb() {
        use std::io::Write;
        let mut buf = Vec::new();
        {
            let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut buf));
            let deflated = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            w.start_file("[Content_Types].xml", deflated)
                .expect("entry");
            w.write_all(b"<xml/>").expect("write");
            w.start_file("word/document.xml", deflated).expect("entry");
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..60 {
                w.write_all(&zeros).expect("write");
            }
            w.finish().expect("finish");
        }
        assert!(buf.len() < 1024 * 1024, "a small file: {}", buf.len());
        assert_eq!(sniff(&buf), None, "60 MB of zeros in {} bytes", buf.len());
    }

    #[test]
    fn refuses_executables_and_plain_zips_whatever_their_name() {
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
        assert_eq!(check(exe, 1000), Err(FileRefusal::NotAllowed));
        assert_eq!(sniff(&zip_with(&["evil.exe"])), None);
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(check(b"", 10), Err(FileRefusal::Empty));
        assert_eq!(check(PNG_1X1, 10), Err(FileRefusal::TooLarge));
    }

    #[test]
    fn filenames_are_cleaned_and_match_their_content() {
        assert_eq!(
            clean_filename("../../etc/passwd.png", FileKind::Png),
            "passwd.png"
        );
        assert_eq!(
            clean_filename("C:\\Users\\a\\Ảnh chụp.JPG", FileKind::Jpeg),
            "Ảnh chụp.jpg"
        );
        assert_eq!(clean_filename("scan.pdf", FileKind::Png), "scan.png");
        assert_eq!(clean_filename("", FileKind::Pdf), "tep-dinh-kem.pdf");
        assert_eq!(clean_filename("a\u{0}b\".pdf", FileKind::Pdf), "a b.pdf");
    }

    #[test]
    fn content_disposition_is_ascii_safe() {
        let v = content_disposition("Công văn số 12.pdf");
        assert!(
            v.starts_with("attachment; filename=\"cong_van_so_12.pdf\""),
            "{v}"
        );
        assert!(v.contains("filename*=UTF-8''C%C3%B4ng%20v%C4%83n"), "{v}");
    }
}
