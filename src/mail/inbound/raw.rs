//! What is read of a raw message before it is parsed: the key it is stored under (its
//! Message-ID, or the SHA-256 of its bytes when it has none) and its header section
//! (all that is kept of a message too large to store).

use sha2::{Digest, Sha256};

/// The most of a header section kept for a message too large to store.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The header section: everything before the first empty line (at most
/// [`MAX_HEADER_BYTES`]).
pub fn header_section(raw: &[u8]) -> &[u8] {
    let end = find(raw, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| find(raw, b"\n\n").map(|i| i + 2))
        .unwrap_or(raw.len());
    &raw[..end.min(MAX_HEADER_BYTES).min(raw.len())]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of the first header `name` (case-insensitive), unfolded.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let head = String::from_utf8_lossy(header_section(raw));
    let mut value: Option<String> = None;
    for line in head.split('\n') {
        let line = line.trim_end_matches('\r');
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_string());
        }
    }
    value
}

/// The key a message is stored under: `mid:<Message-ID>` or `sha256:<hex>`.
pub fn message_key(raw: &[u8]) -> String {
    let id = header(raw, "message-id")
        .map(|v| {
            v.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string()
        })
        .filter(|v| !v.is_empty() && v.len() <= 900);
    match id {
        Some(id) => format!("mid:{id}"),
        None => {
            let digest = Sha256::digest(raw);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256:{hex}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_headers() {
        let raw =
            b"From: a@b.vn\r\nMessage-ID:\r\n <x.1@mail.gmail.com>\r\nSubject: hi\r\n\r\nbody\r\n";
        assert_eq!(message_key(raw), "mid:x.1@mail.gmail.com");
        assert_eq!(header(raw, "subject").as_deref(), Some("hi"));
        assert_eq!(header_section(raw).len(), raw.len() - 6);
        let bare = b"From: a@b.vn\n\nbody";
        assert!(message_key(bare).starts_with("sha256:"));
        assert_ne!(message_key(bare), message_key(b"From: a@b.vn\n\nbody2"));
    }
}
