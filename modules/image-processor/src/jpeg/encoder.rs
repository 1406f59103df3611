//! Writing a picture as a baseline JPEG: colour as YCbCr 4:2:0, RGB two
//! rows at a time with each 2×2 block's average chroma (and a desaturation
//! on the way, if one is left for the encoder), both from
//! [`RowPair`]; transparency laid over white; gray as one component. Each
//! MCU row's 8×8 blocks get their forward DCT and quantization for the
//! quality ([`super::fdct`]), and the file is written with Huffman tables
//! fitted to its symbols. Blocks past the picture's edge repeat its last
//! column and row.

use super::bit_writer::BitWriter;
use super::fdct::{self, Quantize};
use super::huffman::{Class, EncodeTable, TableSpec};
use super::quantization;
use super::symbols::{AC_CHROMA, AC_LUMA, DC_CHROMA, DC_LUMA, Symbols};
use super::writer::{self, ComponentSpec, HeaderSpec};
use crate::picture::{Layout, Picture};
use crate::rgb_kernels::{Desaturation, RowPair};

/// How to write the file.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// 1 to 100.
    pub quality: u8,
    /// Embedded as APP2 segments, if given.
    pub icc_profile: Option<&'a [u8]>,
    /// Applied to an RGB picture's pixels as they are converted.
    pub desaturation: Option<Desaturation>,
}

/// A sample of opacity `alpha` laid over white.
fn over_white(sample: u8, alpha: u8) -> u8 {
    let (sample, alpha) = (u32::from(sample), u32::from(alpha));
    ((sample * alpha + 255 * (255 - alpha) + 127) / 255) as u8
}

/// The APP2 payloads that carry `profile`: "ICC_PROFILE\0", the segment's
/// number from 1, how many there are, and up to 65,519 bytes of it.
fn icc_segments(profile: &[u8]) -> Vec<Vec<u8>> {
    let chunks: Vec<&[u8]> = profile.chunks(65_519).collect();
    let count = chunks.len().min(255) as u8;
    chunks
        .iter()
        .take(255)
        .enumerate()
        .map(|(i, chunk)| [&b"ICC_PROFILE\0"[..], &[i as u8 + 1, count], chunk].concat())
        .collect()
}

/// One component's running state: its quantization and tables, and the
/// last DC coefficient (each block codes its difference).
struct Component<'a> {
    quantize: &'a Quantize,
    dc: usize,
    ac: usize,
    previous_dc: i32,
}

impl Component<'_> {
    /// Codes the 8×8 block whose top-left sample is `rows[at]`, rows
    /// `stride` apart.
    fn block(&mut self, symbols: &mut Symbols, rows: &[u8], at: usize, stride: usize) {
        let mut samples = [0u8; 64];
        for (y, row) in samples.chunks_exact_mut(8).enumerate() {
            row.copy_from_slice(&rows[at + y * stride..][..8]);
        }
        let coefficients = fdct::forward(&samples, self.quantize);
        let dc = i32::from(coefficients[0]);
        symbols.dc(self.dc, dc - self.previous_dc);
        self.previous_dc = dc;
        // The nonzero AC coefficients, visited without a branch per
        // coefficient.
        let mut nonzero = fdct::nonzero(&coefficients) & !1;
        let mut previous = 0;
        while nonzero != 0 {
            let k = nonzero.trailing_zeros();
            nonzero &= nonzero - 1;
            symbols.ac(self.ac, k - previous - 1, i32::from(coefficients[k as usize]));
            previous = k;
        }
        if previous < 63 {
            symbols.end_of_block(self.ac);
        }
    }
}

/// Repeats `row[filled - 1]` to the end of `row`.
fn pad(row: &mut [u8], filled: usize) {
    let last = row[filled - 1];
    row[filled..].fill(last);
}

/// `picture` (at most 65,535 pixels a side) as a JPEG file; `None` only
/// if a symbol had no code, which the fitted tables rule out.
pub fn encode(picture: &Picture, options: &Options<'_>) -> Option<Vec<u8>> {
    let (width, height) = (picture.width as usize, picture.height as usize);
    let colour = picture.layout.has_color();
    let tables = [quantization::table(options.quality, true), quantization::table(options.quality, false)];
    let (luma, chroma) = (Quantize::new(&tables[0]), Quantize::new(&tables[1]));
    let mut symbols = Symbols::with_capacity(width * height / 4);
    if colour {
        encode_colour(picture, options.desaturation, [&luma, &chroma], &mut symbols);
    } else {
        encode_gray(picture, &luma, &mut symbols);
    }
    let specs = symbols.tables();
    let encode: [EncodeTable; 4] = std::array::from_fn(|t| {
        specs[t].as_ref().and_then(|spec| EncodeTable::new(spec).ok()).unwrap_or_else(EncodeTable::empty)
    });
    let huffman: Vec<(Class, u8, &TableSpec)> = [(Class::Dc, 0), (Class::Ac, 0), (Class::Dc, 1), (Class::Ac, 1)]
        .into_iter()
        .zip(&specs)
        .filter_map(|((class, number), spec)| spec.as_ref().map(|spec| (class, number, spec)))
        .collect();
    let components: &[ComponentSpec] = if colour {
        &[
            ComponentSpec { id: 1, h: 2, v: 2, quant: 0, dc_table: 0, ac_table: 0 },
            ComponentSpec { id: 2, h: 1, v: 1, quant: 1, dc_table: 1, ac_table: 1 },
            ComponentSpec { id: 3, h: 1, v: 1, quant: 1, dc_table: 1, ac_table: 1 },
        ]
    } else {
        &[ComponentSpec { id: 1, h: 1, v: 1, quant: 0, dc_table: 0, ac_table: 0 }]
    };
    let quant: &[(u8, [u16; 64])] = if colour { &[(0, tables[0]), (1, tables[1])] } else { &[(0, tables[0])] };
    let segments = options.icc_profile.map(icc_segments).unwrap_or_default();
    let icc: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
    let spec = HeaderSpec {
        width: width as u16,
        height: height as u16,
        components,
        quant,
        huffman: &huffman,
        icc_segments: &icc,
    };
    let mut writer = BitWriter::new(writer::header(&spec, width * height / 2));
    symbols.write(&encode, &mut writer);
    let mut bytes = writer.finish()?;
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    Some(bytes)
}

/// Colour: MCUs of 16×16 pixels, four luma blocks and one of each chroma.
fn encode_colour(
    picture: &Picture,
    desaturation: Option<Desaturation>,
    [luma, chroma]: [&Quantize; 2],
    symbols: &mut Symbols,
) {
    let (width, height) = (picture.width as usize, picture.height as usize);
    let stride = picture.stride();
    let padded = width.div_ceil(16) * 16;
    let half = padded / 2;
    let mut y_rows = vec![0u8; 16 * padded];
    let mut cb_rows = vec![0u8; 8 * half];
    let mut cr_rows = vec![0u8; 8 * half];
    let (mut blue, mut red) = (vec![0u8; width], vec![0u8; width]);
    // RGBA rows laid over white.
    let mut opaque = [vec![0u8; 3 * width], vec![0u8; 3 * width]];
    let mut components = [
        Component { quantize: luma, dc: DC_LUMA, ac: AC_LUMA, previous_dc: 0 },
        Component { quantize: chroma, dc: DC_CHROMA, ac: AC_CHROMA, previous_dc: 0 },
        Component { quantize: chroma, dc: DC_CHROMA, ac: AC_CHROMA, previous_dc: 0 },
    ];
    for mcu_y in 0..height.div_ceil(16) {
        for pair in 0..8 {
            let top = (16 * mcu_y + 2 * pair).min(height - 1);
            let bottom = (top + 1).min(height - 1);
            let row_of = |y: usize| &picture.pixels[y * stride..][..stride];
            let (top_row, bottom_row): (&[u8], &[u8]) = if picture.layout == Layout::Rgb {
                (row_of(top), row_of(bottom))
            } else {
                for (out, y) in opaque.iter_mut().zip([top, bottom]) {
                    for (rgb, rgba) in out.chunks_exact_mut(3).zip(row_of(y).chunks_exact(4)) {
                        for c in 0..3 {
                            rgb[c] = over_white(rgba[c], rgba[3]);
                        }
                    }
                }
                (&opaque[0], &opaque[1])
            };
            let (upper, lower) = y_rows[2 * pair * padded..(2 * pair + 2) * padded].split_at_mut(padded);
            RowPair { top: top_row, bottom: bottom_row, desaturation }.convert(
                &mut upper[..width],
                &mut lower[..width],
                &mut blue,
                &mut red,
            );
            pad(upper, width);
            pad(lower, width);
            let chroma_width = width.div_ceil(2);
            for (plane, source) in [(&mut cb_rows, &blue), (&mut cr_rows, &red)] {
                let row = &mut plane[pair * half..(pair + 1) * half];
                for (i, sample) in row.iter_mut().take(chroma_width).enumerate() {
                    *sample = source[2 * i];
                }
                pad(row, chroma_width);
            }
        }
        for mcu_x in 0..padded / 16 {
            for (down, across) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let at = 8 * down * padded + 16 * mcu_x + 8 * across;
                components[0].block(symbols, &y_rows, at, padded);
            }
            components[1].block(symbols, &cb_rows, 8 * mcu_x, half);
            components[2].block(symbols, &cr_rows, 8 * mcu_x, half);
        }
    }
}

/// Gray: MCUs of one 8×8 block.
fn encode_gray(picture: &Picture, luma: &Quantize, symbols: &mut Symbols) {
    let (width, height) = (picture.width as usize, picture.height as usize);
    let stride = picture.stride();
    let padded = width.div_ceil(8) * 8;
    let mut rows = vec![0u8; 8 * padded];
    let mut component = Component { quantize: luma, dc: DC_LUMA, ac: AC_LUMA, previous_dc: 0 };
    for strip in 0..height.div_ceil(8) {
        for r in 0..8 {
            let y = (8 * strip + r).min(height - 1);
            let pixels = &picture.pixels[y * stride..][..stride];
            let out = &mut rows[r * padded..(r + 1) * padded];
            if picture.layout == Layout::GrayAlpha {
                for (sample, pixel) in out.iter_mut().zip(pixels.chunks_exact(2)) {
                    *sample = over_white(pixel[0], pixel[1]);
                }
            } else {
                out[..width].copy_from_slice(pixels);
            }
            pad(out, width);
        }
        for block in 0..padded / 8 {
            component.block(symbols, &rows, 8 * block, padded);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(layout: Layout, width: u32, height: u32, pixel: impl Fn(u32, u32) -> Vec<u8>) -> Picture {
        let pixels = (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).flat_map(|(x, y)| pixel(x, y)).collect();
        Picture { width, height, layout, pixels }
    }

    fn decode(bytes: &[u8]) -> image::DynamicImage {
        image::load_from_memory(bytes).unwrap()
    }

    fn options(quality: u8) -> Options<'static> {
        Options { quality, icc_profile: None, desaturation: None }
    }

    fn photo(width: u32, height: u32) -> Picture {
        make(Layout::Rgb, width, height, |x, y| {
            let wave = ((x as f32 * 0.2).sin() * 40.0) as i32;
            vec![(120 + wave) as u8, (x * 2 + y) as u8, (200 - y * 3 + (x % 5)) as u8]
        })
    }

    #[test]
    fn a_colour_picture_reads_back_close_to_jpeg_encoders() {
        for (width, height) in [(64, 48), (37, 21), (1, 1), (17, 2)] {
            let picture = photo(width, height);
            let ours = decode(&encode(&picture, &options(90)).unwrap()).to_rgb8();
            let mut theirs = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut theirs, 90);
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
            encoder.encode(&picture.pixels, width as u16, height as u16, jpeg_encoder::ColorType::Rgb).unwrap();
            let theirs = decode(&theirs).to_rgb8();
            let off = |a: &image::RgbImage| -> f64 {
                let total: u64 = a.as_raw().iter().zip(&picture.pixels).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
                total as f64 / picture.pixels.len() as f64
            };
            assert_eq!(ours.dimensions(), (width, height));
            assert!(
                off(&ours) <= off(&theirs) + 0.5,
                "{width}×{height}: {:.2} off, jpeg-encoder {:.2}",
                off(&ours),
                off(&theirs)
            );
        }
    }

    #[test]
    fn quality_gray_alpha_and_the_profile() {
        let picture = photo(48, 32);
        let (low, high) = (encode(&picture, &options(30)).unwrap(), encode(&picture, &options(95)).unwrap());
        assert!(low.len() < high.len());
        let parsed = crate::jpeg::header::parse(&low).unwrap();
        assert_eq!(parsed.tables.quant[0], Some(quantization::table(30, true)));
        assert_eq!(parsed.components.iter().map(|c| (c.h, c.v)).collect::<Vec<_>>(), [(2, 2), (1, 1), (1, 1)]);

        let gray = gray_picture();
        let decoded = decode(&encode(&gray, &options(90)).unwrap());
        assert_eq!(decoded.color(), image::ColorType::L8);
        let rgba = make(Layout::Rgba, 16, 16, |x, _| vec![0, 0, 0, if x < 8 { 0 } else { 255 }]);
        let decoded = decode(&encode(&rgba, &options(100)).unwrap()).to_rgb8();
        assert!(decoded.get_pixel(2, 2).0.iter().all(|&c| c >= 250), "transparent is white");
        assert!(decoded.get_pixel(13, 2).0.iter().all(|&c| c <= 5), "opaque black stays black");

        let profile: Vec<u8> = (0..70_000u32).map(|i| i as u8).collect();
        let with_profile = encode(&picture, &Options { icc_profile: Some(&profile), ..options(90) }).unwrap();
        assert_eq!(crate::jpeg::header::parse(&with_profile).unwrap().icc_profile(), Some(profile));
    }

    fn gray_picture() -> Picture {
        make(Layout::Gray, 20, 9, |x, y| vec![(x * 10 + y) as u8])
    }

    #[test]
    fn the_desaturation_rides_along() {
        let picture = photo(32, 16);
        let desaturated =
            encode(&picture, &Options { desaturation: Some(Desaturation::new(0.0)), ..options(95) }).unwrap();
        let decoded = decode(&desaturated).to_rgb8();
        assert!(decoded.pixels().all(|p| p.0[0].abs_diff(p.0[1]) <= 2 && p.0[1].abs_diff(p.0[2]) <= 2), "gray");
    }
}
