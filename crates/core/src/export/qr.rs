//! QR codes for things people compare in person: a card's fingerprint and key (and, later, EPC
//! payment codes). Rendered as SVG, PNG and terminal text from the same module matrix.

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per module in PNG output.
const PNG_SCALE: usize = 8;
/// Modules of quiet zone around the code (the standard's minimum is 4).
const QUIET_ZONE: usize = 4;

/// Why a QR code could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The data does not fit a QR code at this error-correction level.
    #[error("the data is too long for a QR code")]
    TooLong,
    /// Writing the PNG failed.
    #[error("could not encode the PNG image: {0}")]
    Png(String),
}

/// A QR code ready to render.
pub struct Qr(QrCode);

impl Qr {
    /// Encodes text at error-correction level M (15 % of the code may be damaged).
    pub fn new(text: &str) -> Result<Self, QrError> {
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map(Qr).map_err(|_| QrError::TooLong)
    }

    /// The module matrix without quiet zone: modules per side and, row by row, `true` for a
    /// dark module. For front ends that draw the code themselves.
    pub fn modules(&self) -> (usize, Vec<bool>) {
        (self.0.width(), self.0.to_colors().into_iter().map(|c| c == Color::Dark).collect())
    }

    /// An SVG document.
    pub fn to_svg(&self) -> String {
        self.0.render::<qrcode::render::svg::Color<'_>>().quiet_zone(true).min_dimensions(256, 256).build()
    }

    /// Text for a terminal, two modules per character cell (dark on light).
    pub fn to_terminal(&self) -> String {
        self.0
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build()
    }

    /// A greyscale PNG image.
    pub fn to_png(&self) -> Result<Vec<u8>, QrError> {
        let width = self.0.width();
        let colors = self.0.to_colors();
        let side = (width + 2 * QUIET_ZONE) * PNG_SCALE;
        let mut pixels = vec![255u8; side * side];
        for (i, color) in colors.iter().enumerate() {
            if *color != Color::Dark {
                continue;
            }
            let (mx, my) = (i % width + QUIET_ZONE, i / width + QUIET_ZONE);
            for dy in 0..PNG_SCALE {
                let row = (my * PNG_SCALE + dy) * side;
                pixels[row + mx * PNG_SCALE..][..PNG_SCALE].fill(0);
            }
        }
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().map_err(|e| QrError::Png(e.to_string()))?;
            writer.write_image_data(&pixels).map_err(|e| QrError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}

/// The text a key's QR code carries: `countersign:key?fp=<30 digits>&pk=<base64url public key>`.
pub fn key_uri(public_key: &crate::format::keys::PublicKey) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    format!("{}&pk={}", fingerprint_uri(&public_key.fingerprint()), URL_SAFE_NO_PAD.encode(public_key.to_bytes()))
}

/// The text of a QR code carrying only a fingerprint: `countersign:key?fp=<30 digits>`.
pub fn fingerprint_uri(fingerprint: &crate::format::fingerprint::Fingerprint) -> String {
    format!("countersign:key?fp={}", fingerprint.digits())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_every_form() {
        let key = crate::format::keys::KeyPair::from_seed(&[9; 32]).public_key();
        let uri = key_uri(&key);
        assert!(uri.starts_with("countersign:key?fp=") && uri.contains(key.fingerprint().digits()));
        let qr = Qr::new(&uri).unwrap();
        assert!(qr.to_svg().starts_with("<?xml"));
        assert!(qr.to_terminal().contains('█'));
        let png = qr.to_png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert!(Qr::new(&"x".repeat(5000)).is_err());
    }

    #[test]
    fn the_png_draws_each_module_as_an_8_pixel_square_inside_the_quiet_zone() {
        let qr = Qr::new("countersign:key?fp=366536782908626497036542409250").unwrap();
        let (width, dark) = qr.modules();
        let png = qr.to_png().unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let side = (width + 2 * QUIET_ZONE) * PNG_SCALE;
        assert_eq!((info.width as usize, info.height as usize, info.color_type), (side, side, png::ColorType::Grayscale));
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / PNG_SCALE).checked_sub(QUIET_ZONE), (y / PNG_SCALE).checked_sub(QUIET_ZONE));
                let module_dark = match (mx, my) {
                    (Some(mx), Some(my)) if mx < width && my < width => dark[my * width + mx],
                    _ => false,
                };
                assert_eq!(pixels[y * side + x], if module_dark { 0 } else { 255 }, "pixel ({x}, {y})");
            }
        }
    }

    #[test]
    fn modules_are_the_square_matrix_with_its_finder_patterns() {
        let (width, dark) = Qr::new("countersign:key?fp=366536782908626497036542409250").unwrap().modules();
        assert_eq!(dark.len(), width * width);
        assert!(width >= 21 && (width - 17) % 4 == 0, "a QR version's side: {width}");
        // The top-left finder pattern: a dark 7x7 ring around a light ring around a dark 3x3.
        let at = |x: usize, y: usize| dark[y * width + x];
        assert!((0..7).all(|i| at(i, 0) && at(0, i) && at(i, 6) && at(6, i)));
        assert!((1..6).all(|i| !at(i, 1) && !at(1, i)));
        assert!(at(3, 3) && !at(7, 0));
    }
}
