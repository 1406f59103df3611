//! Quantization tables for a JPEG quality: T.81 Annex K's example tables
//! scaled as libjpeg scales them (quality 50 is the tables themselves,
//! 100 all ones), which is also what jpeg-encoder writes, so a file made
//! here and one made by the module's pixel encoder at the same `quality`
//! carry the same tables.

use super::scan::NATURAL;

/// Annex K.1, luminance, in natural order.
const LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
    87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
];

/// Annex K.1, chrominance, in natural order: the top-left 4×4 corner
/// grows, everything else is 99.
const CHROMA_CORNER: [[u16; 4]; 4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]];

fn chroma(index: usize) -> u16 {
    let (row, column) = (index / 8, index % 8);
    if row < 4 && column < 4 { CHROMA_CORNER[row][column] } else { 99 }
}

/// The luminance (`luma`) or chrominance table for `quality` (1 to 100),
/// in zigzag order, as a DQT segment holds it.
pub fn table(quality: u8, luma: bool) -> [u16; 64] {
    let quality = u32::from(quality.clamp(1, 100));
    let scale = if quality < 50 { 5000 / quality } else { 200 - 2 * quality };
    let mut table = [0u16; 64];
    for (k, value) in table.iter_mut().enumerate() {
        let natural = usize::from(NATURAL[k]);
        let base = u32::from(if luma { LUMA[natural] } else { chroma(natural) });
        *value = ((base * scale + 50) / 100).clamp(1, 255) as u16;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::header;

    #[test]
    fn the_tables_are_jpeg_encoders() {
        for quality in [1, 30, 50, 75, 90, 100] {
            let mut jpeg = Vec::new();
            let encoder = jpeg_encoder::Encoder::new(&mut jpeg, quality);
            encoder.encode(&[9; 16 * 16 * 3], 16, 16, jpeg_encoder::ColorType::Rgb).unwrap();
            let parsed = header::parse(&jpeg).unwrap();
            let luma = parsed.tables.quant[parsed.components[0].quant].unwrap();
            let chroma = parsed.tables.quant[parsed.components[1].quant].unwrap();
            assert_eq!((luma, chroma), (table(quality, true), table(quality, false)), "quality {quality}");
        }
        assert_eq!(table(50, true)[..3], [16, 11, 12]);
        assert!(table(100, false).iter().all(|&q| q == 1));
    }
}
