//! The rows jpeg-encoder reads, converted to its colour components straight
//! into its buffers, a row at a time: the encoder never sees a converted
//! copy of the image.
//!
//! RGB goes two rows at a time through [`RowPair`] (SIMD): each 2×2 block's
//! chroma is the average of its four pixels, written to all four positions,
//! so the encoder's 4:2:0 sampling (which takes one of them) gets the
//! average without averaging itself. A desaturation can ride along, so the
//! pixels are touched once between decoder and encoder. Transparency is laid
//! over white (JPEG has none); gray stays one component.

use std::cell::RefCell;

use jpeg_encoder::{ImageBuffer, JpegColorType};

use crate::picture::{Layout, Picture};
use crate::rgb_kernels::{Desaturation, RowPair};

/// A picture as jpeg-encoder's input.
pub struct JpegRows<'a> {
    picture: &'a Picture,
    desaturation: Option<Desaturation>,
    pair: RefCell<ConvertedPair>,
}

/// The components of the row pair converted last.
#[derive(Default)]
struct ConvertedPair {
    top: Option<u16>,
    luma: [Vec<u8>; 2],
    blue: Vec<u8>,
    red: Vec<u8>,
}

impl<'a> JpegRows<'a> {
    /// `picture` as it is.
    pub fn new(picture: &'a Picture) -> Self {
        JpegRows { picture, desaturation: None, pair: RefCell::default() }
    }

    /// `picture` desaturated on the way (RGB pictures only).
    pub fn desaturated(picture: &'a Picture, desaturation: Desaturation) -> Self {
        assert_eq!(picture.layout, Layout::Rgb, "the fused desaturation reads RGB");
        JpegRows { desaturation: Some(desaturation), ..JpegRows::new(picture) }
    }

    /// Whether the encoder should average chroma itself: only when the rows
    /// do not carry block averages already.
    pub fn needs_chroma_averaging(&self) -> bool {
        self.picture.layout == Layout::Rgba
    }

    fn row(&self, y: u16) -> &[u8] {
        let stride = self.picture.stride();
        &self.picture.pixels[usize::from(y) * stride..][..stride]
    }

    fn rgb_rows(&self, y: u16, [luma, blue, red]: [&mut Vec<u8>; 3]) {
        let top = y & !1;
        let mut pair = self.pair.borrow_mut();
        if pair.top != Some(top) {
            let bottom = (top + 1).min(self.height() - 1);
            let width = self.picture.width as usize;
            let ConvertedPair { luma: [luma_top, luma_bottom], blue, red, .. } = &mut *pair;
            for buffer in [&mut *luma_top, &mut *luma_bottom, &mut *blue, &mut *red] {
                buffer.resize(width, 0);
            }
            let rows = RowPair { top: self.row(top), bottom: self.row(bottom), desaturation: self.desaturation };
            rows.convert(luma_top, luma_bottom, blue, red);
            pair.top = Some(top);
        }
        luma.extend_from_slice(&pair.luma[usize::from(y & 1)]);
        blue.extend_from_slice(&pair.blue);
        red.extend_from_slice(&pair.red);
    }
}

impl ImageBuffer for JpegRows<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        if self.picture.layout.has_color() { JpegColorType::Ycbcr } else { JpegColorType::Luma }
    }

    fn width(&self) -> u16 {
        self.picture.width as u16
    }

    fn height(&self) -> u16 {
        self.picture.height as u16
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let [luma, blue, red, _] = buffers;
        let row = self.row(y);
        match self.picture.layout {
            Layout::Gray => luma.extend_from_slice(row),
            Layout::GrayAlpha => luma.extend(row.chunks_exact(2).map(|p| over_white(p[0], p[1]))),
            Layout::Rgb => self.rgb_rows(y, [luma, blue, red]),
            Layout::Rgba => {
                for pixel in row.chunks_exact(4) {
                    let [r, g, b] = [pixel[0], pixel[1], pixel[2]].map(|c| over_white(c, pixel[3]));
                    let (y, cb, cr) = jpeg_encoder::rgb_to_ycbcr(r, g, b);
                    luma.push(y);
                    blue.push(cb);
                    red.push(cr);
                }
            }
        }
    }
}

/// A sample of opacity `alpha` laid over white.
fn over_white(sample: u8, alpha: u8) -> u8 {
    let (sample, alpha) = (u32::from(sample), u32::from(alpha));
    ((sample * alpha + 255 * (255 - alpha) + 127) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(layout: Layout, width: u32, pixels: Vec<u8>) -> Picture {
        let height = (pixels.len() / layout.channels()) as u32 / width;
        Picture { width, height, layout, pixels }
    }

    fn fill(rows: &JpegRows<'_>, y: u16) -> [Vec<u8>; 4] {
        let mut buffers = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        rows.fill_buffers(y, &mut buffers);
        buffers
    }

    #[test]
    fn rgb_rows_carry_block_average_chroma() {
        // 1×3: red, blue, green; the last row pairs with itself.
        let image = picture(Layout::Rgb, 1, vec![255, 0, 0, 0, 0, 255, 0, 255, 0]);
        let rows = JpegRows::new(&image);
        let [y0, cb0, cr0, _] = fill(&rows, 0);
        let [y1, cb1, cr1, _] = fill(&rows, 1);
        assert_eq!((y0, y1), (vec![76], vec![29]));
        assert_eq!((&cb0, &cr0), (&cb1, &cr1), "both rows of a block carry its chroma");
        let (cb, cr) = (cb0[0], cr0[0]);
        assert!(cb > 128 && cr > 128, "purple, the average of red and blue: {cb}, {cr}");
        let [y2, cb2, _, _] = fill(&rows, 2);
        assert_eq!(y2, [150]);
        assert!(cb2[0] < 128, "green alone");
        // The encoder asks for the last row again to pad: the same answer.
        assert_eq!(fill(&rows, 2)[0], [150]);
    }

    #[test]
    fn desaturation_rides_along() {
        let image = picture(Layout::Rgb, 1, vec![200, 100, 50]);
        let [y, cb, cr, _] = fill(&JpegRows::desaturated(&image, Desaturation::new(0.0)), 0);
        assert_eq!((y, cb, cr), (vec![125], vec![128], vec![128]));
    }

    #[test]
    fn transparency_is_laid_over_white() {
        let rgba = picture(Layout::Rgba, 2, vec![0, 0, 0, 0, 0, 0, 0, 255]);
        let [y, cb, cr, _] = fill(&JpegRows::new(&rgba), 0);
        assert_eq!((y, cb, cr), (vec![255, 0], vec![128, 128], vec![128, 128]));
        let gray_alpha = picture(Layout::GrayAlpha, 2, vec![0, 128, 10, 255]);
        assert_eq!(fill(&JpegRows::new(&gray_alpha), 0)[0], [127, 10]);
    }
}
