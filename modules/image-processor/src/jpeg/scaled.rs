//! Decoding a JPEG at 1/2, 1/4 or 1/8 of its size, for a resize that
//! shrinks it at least that much: each block's inverse DCT is computed at
//! the smaller size straight away ([`super::idct`]), so most of the work
//! of a full decode (the full-size IDCTs, chroma upsampling, converting
//! every pixel to RGB) is never done. A subsampled chroma component gets
//! a larger IDCT than luma by its subsampling factor, which puts it on the
//! luma grid without upsampling: at 1/2 scale of a 4:2:0 file, luma blocks
//! come out 4×4 and chroma blocks 8×8. Rows go to RGB (or stay gray) one
//! MCU row at a time.

use image::metadata::Orientation;

use super::desaturate::NotDone;
use super::header::{self, Header, Unsupported};
use super::idct::{Dequantize, Idct, dequantize};
use super::scan::{self, Block, BlockSink, Layout as Blocks};
use super::store;
use crate::decode::MAX_PIXELS;
use crate::picture::{Layout, Picture};
use crate::ycbcr_kernels;

/// A file decoded smaller.
#[derive(Debug)]
pub struct Scaled {
    /// The pixels, as the file stores them (not yet turned upright).
    pub picture: Picture,
    /// The file's full width and height, as stored.
    pub full_size: (usize, usize),
    /// 2, 4 or 8.
    pub reduced_by: u32,
    pub orientation: Orientation,
    pub icc_profile: Option<Vec<u8>>,
}

/// The largest reduction, 2^`shift` with `shift` 1 to 3, that leaves the
/// image at least `width × height` and that every component's sampling
/// allows (its IDCT no larger than 8 a side).
fn choose_shift(header: &Header<'_>, (width, height): (usize, usize)) -> Option<u32> {
    (1..=3).rev().find(|&shift| {
        let fits = header.width.div_ceil(1 << shift) >= width && header.height.div_ceil(1 << shift) >= height;
        fits && sizes(header, shift).is_some()
    })
}

/// Each component's IDCT size at reduction 2^`shift`, if every one is a
/// power of two no larger than 8.
fn sizes(header: &Header<'_>, shift: u32) -> Option<Vec<(usize, usize)>> {
    let base = 8 >> shift;
    if header.components.len() == 1 {
        return Some(vec![(base, base)]);
    }
    let (h_max, v_max) = header.max_sampling();
    let side = |max: usize, factor: usize| {
        let ratio = max / factor;
        (max.is_multiple_of(factor) && ratio.is_power_of_two() && base * ratio <= 8).then_some(base * ratio)
    };
    header.components.iter().map(|c| Some((side(h_max, c.h)?, side(v_max, c.v)?))).collect()
}

/// Whether `orientation` swaps width and height.
pub fn transposes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    )
}

fn orientation(header: &Header<'_>) -> Orientation {
    header.exif.and_then(Orientation::from_exif_chunk).unwrap_or(Orientation::NoTransforms)
}

/// The size of the JPEG file `bytes` once turned upright, if the fast
/// path can read its header.
pub fn upright_size(bytes: &[u8]) -> Result<(usize, usize), NotDone> {
    let header = header::parse(bytes)?;
    let (width, height) = (header.width, header.height);
    Ok(if transposes(orientation(&header)) { (height, width) } else { (width, height) })
}

/// Decodes `bytes` (a JPEG file) at the smallest of 1/2, 1/4 and 1/8 of
/// its size that is still at least `width × height` once turned upright.
pub fn decode(bytes: &[u8], (width, height): (usize, usize)) -> Result<Scaled, NotDone> {
    let header = header::parse(bytes)?;
    if (header.width * header.height) as u64 > MAX_PIXELS {
        return Err(Unsupported("too large (the general path refuses it)").into());
    }
    let orientation = orientation(&header);
    let at_least = if transposes(orientation) { (height, width) } else { (width, height) };
    let shift = choose_shift(&header, at_least).ok_or(Unsupported("no smaller scale fits"))?;
    let sizes = sizes(&header, shift).expect("checked by choose_shift");
    let blocks = Blocks::of(&header);
    let (h_max, v_max) = if header.components.len() == 1 { (1, 1) } else { header.max_sampling() };
    let base = 8 >> shift;
    let plane_width = blocks.mcus_x * h_max * base;
    let rows_per_mcu = v_max * base;
    let (width, height) = (header.width.div_ceil(1 << shift), header.height.div_ceil(1 << shift));
    let layout = if header.components.len() == 1 { Layout::Gray } else { Layout::Rgb };
    let mut tables = Vec::new();
    for component in &header.components {
        let table =
            header.tables.quant[component.quant].as_ref().ok_or(Unsupported("a table defined after its use"))?;
        tables.push(dequantize(table));
    }
    let mut sink = Planes {
        idct: Idct::new(),
        dequantize: tables,
        sizes,
        planes: vec![vec![0; plane_width * rows_per_mcu]; header.components.len()],
        plane_width,
        rows_per_mcu,
        picture: Picture {
            width: width as u32,
            height: height as u32,
            layout,
            pixels: vec![0; width * height * layout.channels()],
        },
    };
    if header.is_single_scan() {
        scan::decode(&header, &mut sink)?;
    } else {
        store::decode(&header)?.replay(&mut sink);
    }
    Ok(Scaled {
        picture: sink.picture,
        full_size: (header.width, header.height),
        reduced_by: 1 << shift,
        orientation,
        icc_profile: header.icc_profile(),
    })
}

/// Row `r` of a plane, cut to the picture's `width`.
fn plane_row(plane: &[u8], r: usize, plane_width: usize, width: usize) -> &[u8] {
    &plane[r * plane_width..][..width]
}

/// The sink that turns blocks into samples, a row of MCUs at a time.
struct Planes {
    idct: Idct,
    dequantize: Vec<Dequantize>,
    /// Each component's IDCT size.
    sizes: Vec<(usize, usize)>,
    /// Each component's samples for the current MCU row, on the output grid.
    planes: Vec<Vec<u8>>,
    plane_width: usize,
    rows_per_mcu: usize,
    picture: Picture,
}

impl BlockSink for Planes {
    type Block = Block;

    #[inline(always)]
    fn block(&mut self, component: usize, column: usize, row: usize, block: &Block) {
        let (width, height) = self.sizes[component];
        let at = row * height * self.plane_width + column * width;
        let out = &mut self.planes[component][at..];
        self.idct.block(block, &self.dequantize[component], (width, height), out, self.plane_width);
    }

    fn end_of_mcu_row(&mut self, mcu_row: usize) {
        let width = self.picture.width as usize;
        let stride = self.picture.stride();
        let first = mcu_row * self.rows_per_mcu;
        let rows = self.rows_per_mcu.min((self.picture.height as usize).saturating_sub(first));
        let plane_width = self.plane_width;
        for r in 0..rows {
            let out = &mut self.picture.pixels[(first + r) * stride..][..stride];
            match self.planes.as_slice() {
                [gray] => out.copy_from_slice(plane_row(gray, r, plane_width, width)),
                [y, cb, cr] => ycbcr_kernels::to_rgb(
                    plane_row(y, r, plane_width, width),
                    plane_row(cb, r, plane_width, width),
                    plane_row(cr, r, plane_width, width),
                    out,
                ),
                _ => unreachable!("one or three components"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(width: usize, height: usize) -> Vec<u8> {
        (0..height)
            .flat_map(|y| {
                (0..width).flat_map(move |x| {
                    let wave = ((x as f32 * 0.07).sin() * 40.0 + (y as f32 * 0.05).cos() * 40.0) as i32;
                    [128 + wave, 100 + (x * 100 / width) as i32, 60 + (y * 150 / height) as i32 - wave / 2]
                        .map(|c| c.clamp(0, 255) as u8)
                })
            })
            .collect()
    }

    fn jpeg(width: u16, height: u16, sampling: jpeg_encoder::SamplingFactor, gray: bool) -> Vec<u8> {
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 92);
        encoder.set_sampling_factor(sampling);
        let pixels = photo(usize::from(width), usize::from(height));
        if gray {
            let luma: Vec<u8> = pixels.chunks_exact(3).map(|p| p[1]).collect();
            encoder.encode(&luma, width, height, jpeg_encoder::ColorType::Luma).unwrap();
        } else {
            encoder.encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb).unwrap();
        }
        jpeg
    }

    /// The mean of each `factor`² area of the full decode by the `image`
    /// crate (zune-jpeg).
    fn box_filtered(bytes: &[u8], factor: usize) -> (usize, usize, Vec<f64>, usize) {
        let full = image::load_from_memory(bytes).unwrap();
        let channels = usize::from(full.color().channel_count());
        let (w, h) = (full.width() as usize, full.height() as usize);
        let samples = full.into_bytes();
        let (sw, sh) = (w.div_ceil(factor), h.div_ceil(factor));
        let mut out = vec![0.0; sw * sh * channels];
        for y in 0..sh {
            for x in 0..sw {
                for c in 0..channels {
                    let mut sum = 0.0;
                    let mut n = 0.0;
                    for yy in y * factor..((y + 1) * factor).min(h) {
                        for xx in x * factor..((x + 1) * factor).min(w) {
                            sum += f64::from(samples[(yy * w + xx) * channels + c]);
                            n += 1.0;
                        }
                    }
                    out[(y * sw + x) * channels + c] = sum / n;
                }
            }
        }
        (sw, sh, out, channels)
    }

    #[test]
    fn each_scale_is_close_to_the_full_decode_averaged() {
        use jpeg_encoder::SamplingFactor::*;
        for (sampling, gray) in [(R_4_2_0, false), (R_4_4_4, false), (R_4_2_2, false), (R_4_4_4, true)] {
            let bytes = jpeg(203, 141, sampling, gray);
            for (factor, at_least) in [(2, (101, 70)), (4, (50, 35)), (8, (26, 18))] {
                let scaled = decode(&bytes, at_least).unwrap();
                let (sw, sh, reference, channels) = box_filtered(&bytes, factor);
                let picture = &scaled.picture;
                assert_eq!((picture.width as usize, picture.height as usize), (sw, sh), "{sampling:?} 1/{factor}");
                assert_eq!(picture.layout.channels(), channels);
                let differences: Vec<f64> =
                    picture.pixels.iter().zip(&reference).map(|(&got, &mean)| (f64::from(got) - mean).abs()).collect();
                let mean = differences.iter().sum::<f64>() / differences.len() as f64;
                let most = differences.iter().copied().fold(0.0, f64::max);
                assert!(
                    mean < 1.5 && most < 24.0,
                    "{sampling:?} gray {gray} 1/{factor}: {mean:.2} on average, {most:.0} at most"
                );
            }
        }
    }

    #[test]
    fn the_scale_is_the_smallest_that_still_fits() {
        let bytes = jpeg(203, 141, jpeg_encoder::SamplingFactor::R_4_2_0, false);
        let size = |at_least| {
            let picture = decode(&bytes, at_least).map(|s| s.picture);
            picture.map(|p| (p.width, p.height)).ok()
        };
        assert_eq!(size((102, 71)), Some((102, 71)), "half of 203×141, rounded up");
        assert_eq!(size((103, 10)), None, "wider than half");
        assert_eq!(size((52, 10)), Some((102, 71)), "a quarter would be 51 wide");
        assert_eq!(size((1, 1)), Some((26, 18)));
        assert_eq!(size((203, 141)), None, "no reduction at all");
    }
}
