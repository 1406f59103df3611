//! Desaturating a JPEG into a JPEG without decoding its pixels. A JPEG
//! stores Y (luma) and the colour differences Cb and Cr, each as DCT
//! coefficients of the level-shifted samples (Cb − 128 and Cr − 128), and
//! the DCT is linear: scaling every coefficient of Cb and Cr by k is
//! `Cb' = 128 + k·(Cb − 128)`, `Cr' = 128 + k·(Cr − 128)`, Y kept; in RGB,
//! `c' = Y + k·(c − Y)` for each of R, G and B with
//! Y = 0.299 R + 0.587 G + 0.114 B. So the coefficients are read, the
//! chroma ones scaled (and every one requantized when the output's quality
//! tables differ from the input's), and written again with Huffman tables
//! fitted to them: no IDCT, colour conversion, upsampling or FDCT, and
//! where the quantization tables agree, luma passes through exactly. The
//! chroma sampling is the input's.

use image::metadata::Orientation;

use super::bit_reader::Corrupt;
use super::bit_writer::BitWriter;
use super::header::{self, Unsupported};
use super::huffman::{Class, EncodeTable, TableSpec};
use super::quantization;
use super::scan::{self, BlockSink, Sparse};
use super::store;
use super::symbols::{AC_CHROMA, AC_LUMA, DC_CHROMA, DC_LUMA, Symbols};
use super::writer::{self, ComponentSpec, HeaderSpec};
use crate::decode::MAX_PIXELS;

/// Why the fast path gave up: the general one then decodes the file and
/// says what is wrong with it, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDone {
    Unsupported(Unsupported),
    Corrupt(Corrupt),
    /// A value came out that the chosen Huffman table has no code for.
    NoCode,
}

impl From<Unsupported> for NotDone {
    fn from(reason: Unsupported) -> Self {
        NotDone::Unsupported(reason)
    }
}

impl From<Corrupt> for NotDone {
    fn from(reason: Corrupt) -> Self {
        NotDone::Corrupt(reason)
    }
}

/// A desaturated file.
#[derive(Debug)]
pub struct Desaturated {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Turns quantized coefficients for one table into those for another,
/// scaled by a gain: `round(q · gain · input / output)` per coefficient.
struct Requantize {
    /// By zigzag position, in 1/65536.
    factors: [i64; 64],
    identity: bool,
}

impl Requantize {
    fn new(input: &[u16; 64], output: &[u16; 64], gain: f64) -> Self {
        let mut factors = [0i64; 64];
        for k in 0..64 {
            factors[k] = (gain * f64::from(input[k]) / f64::from(output[k]) * 65536.0).round() as i64;
        }
        Requantize { identity: factors.iter().all(|&f| f == 65536), factors }
    }

    #[inline(always)]
    fn apply(&self, k: usize, value: i16, limit: i32) -> i32 {
        let magnitude = ((i64::from(value.unsigned_abs()) * self.factors[k] + 32768) >> 16).min(i64::from(limit));
        if value < 0 { -(magnitude as i32) } else { magnitude as i32 }
    }
}

/// How one component is written.
struct ComponentCoder {
    requantize: Requantize,
    /// Its DC and AC tables among the [`Symbols`]' four.
    dc: usize,
    ac: usize,
    previous_dc: i32,
}

/// The sink that turns each block into the symbols of the new file as it
/// is decoded.
struct Transcoder {
    coders: Vec<ComponentCoder>,
    symbols: Symbols,
}

impl BlockSink for Transcoder {
    type Block = Sparse;

    #[inline(always)]
    fn block(&mut self, component: usize, _: usize, _: usize, block: &Sparse) {
        let coder = &mut self.coders[component];
        let symbols = &mut self.symbols;
        // DC values stay within ±1024 (8 × the mean of samples − 128), so
        // their differences need at most category 11.
        let dc = coder.requantize.apply(0, block.dc, 1023).max(-1024);
        symbols.dc(coder.dc, dc - coder.previous_dc);
        coder.previous_dc = dc;
        // The zigzag position of the last coefficient written.
        let mut previous = 0;
        for &(k, value) in block.nonzero() {
            let k = usize::from(k);
            let value =
                if coder.requantize.identity { i32::from(value) } else { coder.requantize.apply(k, value, 1023) };
            if value != 0 {
                symbols.ac(coder.ac, (k - previous - 1) as u32, value);
                previous = k;
            }
        }
        if previous < 63 {
            symbols.end_of_block(coder.ac);
        }
    }

    fn end_of_mcu_row(&mut self, _: usize) {}
}

/// The JPEG file `bytes` with its saturation scaled by `saturation` (0 to
/// 1), written with the quantization tables of `quality`.
pub fn desaturate(bytes: &[u8], saturation: f32, quality: u8) -> Result<Desaturated, NotDone> {
    let header = header::parse(bytes)?;
    if header.components.len() != 3 {
        return Err(Unsupported("not a colour image").into());
    }
    if (header.width * header.height) as u64 > MAX_PIXELS {
        return Err(Unsupported("too large (the general path refuses it)").into());
    }
    if header.exif.and_then(Orientation::from_exif_chunk).is_some_and(|o| o != Orientation::NoTransforms) {
        return Err(Unsupported("an Exif orientation to turn it upright by").into());
    }
    let output_quant = [quantization::table(quality, true), quantization::table(quality, false)];
    let gains = [1.0, f64::from(saturation.clamp(0.0, 1.0)), f64::from(saturation.clamp(0.0, 1.0))];
    let mut requantize = Vec::new();
    for (i, (component, gain)) in header.components.iter().zip(gains).enumerate() {
        let input =
            header.tables.quant[component.quant].as_ref().ok_or(Unsupported("a table defined after its use"))?;
        requantize.push(Requantize::new(input, &output_quant[usize::from(i > 0)], gain));
    }
    let coders = requantize
        .into_iter()
        .enumerate()
        .map(|(i, requantize)| {
            let (dc, ac) = if i == 0 { (DC_LUMA, AC_LUMA) } else { (DC_CHROMA, AC_CHROMA) };
            ComponentCoder { requantize, dc, ac, previous_dc: 0 }
        })
        .collect();
    // About one symbol for every 5 bits of the input's data.
    let mut transcoder = Transcoder { coders, symbols: Symbols::with_capacity(header.scan.len() * 8 / 5) };
    if header.is_single_scan() {
        scan::decode(&header, &mut transcoder)?;
    } else {
        store::decode(&header)?.replay(&mut transcoder);
    }
    let specs = transcoder.symbols.tables();
    let mut encode = Vec::new();
    for spec in &specs {
        let table = spec.as_ref().map(EncodeTable::new).transpose();
        encode.push(table.map_err(|_| NotDone::NoCode)?.unwrap_or_else(EncodeTable::empty));
    }
    let encode: [EncodeTable; 4] = encode.try_into().unwrap_or_else(|_| unreachable!("four tables"));
    let huffman: Vec<(Class, u8, &TableSpec)> = [(Class::Dc, 0), (Class::Ac, 0), (Class::Dc, 1), (Class::Ac, 1)]
        .into_iter()
        .zip(&specs)
        .filter_map(|((class, number), spec)| spec.as_ref().map(|spec| (class, number, spec)))
        .collect();
    // Y with the luma tables, Cb and Cr with the chroma ones.
    let components: Vec<ComponentSpec> = header
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let number = u8::from(i > 0);
            ComponentSpec { id: c.id, h: c.h as u8, v: c.v as u8, quant: number, dc_table: number, ac_table: number }
        })
        .collect();
    let spec = HeaderSpec {
        width: header.width as u16,
        height: header.height as u16,
        components: &components,
        quant: &[(0, output_quant[0]), (1, output_quant[1])],
        huffman: &huffman,
        icc_segments: &header.icc_segments,
    };
    let mut writer = BitWriter::new(writer::header(&spec, header.scan.len()));
    transcoder.symbols.write(&encode, &mut writer);
    let mut bytes = writer.finish().ok_or(NotDone::NoCode)?;
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    Ok(Desaturated { bytes, width: header.width as u32, height: header.height as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo-like 64×48 RGB picture.
    fn pixels() -> Vec<u8> {
        (0..48)
            .flat_map(|y| {
                (0..64).flat_map(move |x| [x * 3 + 40, y * 3 + x, 255 - x * 3 - y].map(|c| (c + x * y % 7) as u8))
            })
            .collect()
    }

    fn jpeg(quality: u8, sampling: jpeg_encoder::SamplingFactor, optimized: bool) -> Vec<u8> {
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, quality);
        encoder.set_sampling_factor(sampling);
        encoder.set_optimized_huffman_tables(optimized);
        encoder.encode(&pixels(), 64, 48, jpeg_encoder::ColorType::Rgb).unwrap();
        jpeg
    }

    fn decode(bytes: &[u8]) -> image::RgbImage {
        image::load_from_memory(bytes).unwrap().to_rgb8()
    }

    #[test]
    fn full_saturation_at_the_same_quality_keeps_every_coefficient() {
        let input = jpeg(90, jpeg_encoder::SamplingFactor::R_4_2_0, false);
        let output = desaturate(&input, 1.0, 90).unwrap();
        assert_eq!((output.width, output.height), (64, 48));
        assert_eq!(decode(&output.bytes), decode(&input), "the same coefficients, the same pixels");
        assert!(output.bytes.len() < input.len(), "Huffman tables fitted to the image, not the typical ones");
    }

    /// Y, Cb and Cr of every pixel, as zune-jpeg decodes them.
    fn decode_ycbcr(bytes: &[u8]) -> Vec<[u8; 3]> {
        let options = zune_core::options::DecoderOptions::default()
            .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::YCbCr);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(zune_core::bytestream::ZCursor::new(bytes), options);
        decoder.decode().unwrap().chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
    }

    #[test]
    fn no_saturation_is_gray_with_the_luma_kept() {
        let input = jpeg(90, jpeg_encoder::SamplingFactor::R_4_4_4, false);
        let gray = decode_ycbcr(&desaturate(&input, 0.0, 90).unwrap().bytes);
        for (g, o) in gray.iter().zip(decode_ycbcr(&input)) {
            assert_eq!((g[0], g[1], g[2]), (o[0], 128, 128), "the same luma, no chroma");
        }
    }

    /// The mean and largest difference of two decodings' samples.
    fn differences(a: &[[u8; 3]], b: &[[u8; 3]], channels: std::ops::Range<usize>) -> (f64, u8) {
        let (mut total, mut worst, mut n) = (0.0, 0, 0.0);
        for (a, b) in a.iter().zip(b) {
            for c in channels.clone() {
                total += f64::from(a[c].abs_diff(b[c]));
                worst = worst.max(a[c].abs_diff(b[c]));
                n += 1.0;
            }
        }
        (total / n, worst)
    }

    #[test]
    fn another_quality_is_requantized() {
        for sampling in [jpeg_encoder::SamplingFactor::R_4_2_0, jpeg_encoder::SamplingFactor::R_4_2_2] {
            let input = jpeg(95, sampling, false);
            let output = desaturate(&input, 1.0, 60).map_err(|e| format!("{sampling:?}: {e:?}")).unwrap();
            let parsed = header::parse(&output.bytes).unwrap();
            assert_eq!(parsed.tables.quant[0], Some(quantization::table(60, true)));
            assert!(parsed.tables.ac[1].as_ref().is_some_and(|table| table.symbols.len() < 162), "fitted tables");
            // As faithful as decoding and encoding again at quality 60.
            let mut again = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut again, 60);
            encoder.set_sampling_factor(sampling);
            encoder.encode(decode(&input).as_raw(), 64, 48, jpeg_encoder::ColorType::Rgb).unwrap();
            let original = decode_ycbcr(&input);
            let (ours, theirs) = (
                differences(&decode_ycbcr(&output.bytes), &original, 0..3),
                differences(&decode_ycbcr(&again), &original, 0..3),
            );
            assert!(ours.0 <= theirs.0 + 0.25, "{sampling:?}: {ours:?} off, encoding again {theirs:?}");
            // Halving the chroma costs only the rounding of the halved coefficients.
            let half = decode_ycbcr(&desaturate(&input, 0.5, 95).unwrap().bytes);
            let expected: Vec<[u8; 3]> = original.iter().map(|p| [p[0], p[1] / 2 + 64, p[2] / 2 + 64]).collect();
            assert_eq!(differences(&half, &expected, 0..1).1, 0, "{sampling:?}: the luma is the input's");
            let (mean, worst) = differences(&half, &expected, 1..3);
            assert!(mean < 0.75 && worst <= 4, "{sampling:?}: halved chroma {mean:.2} off on average, {worst} at most");
        }
    }

    #[test]
    fn what_it_does_not_take_is_left_to_the_general_path() {
        let gray = {
            let mut jpeg = Vec::new();
            jpeg_encoder::Encoder::new(&mut jpeg, 90).encode(&[7; 64], 8, 8, jpeg_encoder::ColorType::Luma).unwrap();
            jpeg
        };
        assert!(matches!(desaturate(&gray, 0.5, 90), Err(NotDone::Unsupported(_))));
        let input = jpeg(90, jpeg_encoder::SamplingFactor::R_4_2_0, false);
        assert!(matches!(desaturate(&input[..input.len() - 40], 0.5, 90), Err(NotDone::Corrupt(_))));
        // jpeg-encoder writes one scan per component when it optimizes its
        // tables: they go through the store, and give what one scan gives.
        let scans = jpeg(90, jpeg_encoder::SamplingFactor::R_4_2_0, true);
        let from_scans = desaturate(&scans, 0.5, 90).unwrap();
        assert_eq!(decode(&from_scans.bytes), decode(&desaturate(&input, 0.5, 90).unwrap().bytes));
    }
}
