//! The code as a PNG: one bit per pixel, black on white, each module a
//! square of [`PIXELS_PER_MODULE`] pixels, the quiet zone included.

use crate::code::Code;

/// Pixels on a module's side: version 1 (29 modules with the quiet zone)
/// becomes 232 pixels square, version 40 (185 modules) 1480.
pub const PIXELS_PER_MODULE: usize = 8;

/// The PNG file's bytes.
pub fn encode(code: &Code) -> Result<Vec<u8>, png::EncodingError> {
    let side = code.size_with_quiet_zone() * PIXELS_PER_MODULE;
    let row_bytes = side.div_ceil(8);
    let mut pixels = Vec::with_capacity(row_bytes * side);
    for y in 0..code.size_with_quiet_zone() {
        let mut row = vec![0u8; row_bytes];
        for x in 0..side {
            // Grayscale at one bit: 1 is white, the most significant bit is the leftmost pixel.
            if !code.is_dark(x / PIXELS_PER_MODULE, y) {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
        (0..PIXELS_PER_MODULE).for_each(|_| pixels.extend_from_slice(&row));
    }
    let mut file = Vec::new();
    let size = u32::try_from(side).expect("at most 1480 pixels");
    let mut encoder = png::Encoder::new(&mut file, size, size);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_deflate_compression(png::DeflateCompression::FdeflateUltraFast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::ErrorCorrection;

    #[test]
    fn decodes_to_the_modules_it_was_made_of() {
        let code = Code::encode("pixels", ErrorCorrection::Q).unwrap();
        let file = encode(&code).unwrap();
        let mut reader = png::Decoder::new(std::io::Cursor::new(file)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        let side = code.size_with_quiet_zone() * PIXELS_PER_MODULE;
        assert_eq!((frame.width as usize, frame.height as usize), (side, side));
        assert_eq!((frame.color_type, frame.bit_depth), (png::ColorType::Grayscale, png::BitDepth::One));
        for y in 0..side {
            for x in 0..side {
                let white = pixels[y * frame.line_size + x / 8] & (0x80 >> (x % 8)) != 0;
                let dark = code.is_dark(x / PIXELS_PER_MODULE, y / PIXELS_PER_MODULE);
                assert_eq!(white, !dark, "pixel {x},{y}");
            }
        }
    }
}
