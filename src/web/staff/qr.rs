//! The enrolment QR code, drawn on the server as an inline SVG path (no JavaScript, no
//! outside service): the template draws `<path d="…">` from [`QrView`], so no markup
//! is ever passed through unescaped.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// Modules of white border around the code, as the standard asks.
const QUIET: usize = 4;

/// A QR code ready for the template: the side of its view box and one path of its
/// dark modules.
#[derive(Debug, Clone)]
pub struct QrView {
    pub size: usize,
    pub path: String,
}

/// The QR code of `data` (an `otpauth://` address).
pub fn qr(data: &str) -> anyhow::Result<QrView> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| anyhow::anyhow!("drawing the enrolment QR code: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let mut path = String::with_capacity(width * width * 4);
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            let _ = write!(path, "M{x} {y}h1v1h-1z");
        }
    }
    Ok(QrView {
        size: width + 2 * QUIET,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_of_unit_squares_inside_the_border() {
        let view = qr("otpauth://totp/PAKN:a%40b.vn?secret=GEZDGNBVGY3TQOJQ").expect("qr");
        assert!(view.size >= 21 + 2 * QUIET);
        assert!(
            view.path.starts_with(&format!("M{QUIET} {QUIET}h1v1h-1z")),
            "the finder's corner"
        );
        assert!(
            view.path
                .chars()
                .all(|c| c.is_ascii_digit() || "Mhvz -".contains(c))
        );
    }
}
