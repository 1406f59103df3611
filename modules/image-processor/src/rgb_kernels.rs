//! The two pixel loops the common JPEG path spends its time in, over packed
//! RGB rows: desaturation, and conversion to JFIF's YCbCr with each 2×2
//! block's average chroma. Sixteen pixels at a time with wasm SIMD128;
//! the same fixed-point arithmetic in scalar code for row tails and other
//! targets, so every target computes the same bytes.
//!
//! Fixed point: `q15(a, b) = (a·b + 2¹⁴) >> 15`, wasm's `i16x8.q15mulr_sat`.
//! Samples are scaled by 128 before a Q15 coefficient multiplies them, so a
//! channel's contribution is exact to 1/256 of a level.

/// Q15 rounding multiply, as `i16x8.q15mulr_sat` computes it.
fn q15(a: i32, b: i32) -> i32 {
    (a * b + (1 << 14)) >> 15
}

/// Scales HSL saturation by k (0 to 1) keeping lightness L = (max + min) / 2:
/// `c' = c + (1 − k)·(max + min − 2c) / 2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Desaturation {
    /// (1 − k) / 2 in Q15.
    toward_lightness: i16,
}

impl Desaturation {
    /// Saturation × `factor` (clamped to 0..=1).
    pub fn new(factor: f32) -> Desaturation {
        let toward = (1.0 - factor.clamp(0.0, 1.0)) / 2.0;
        Desaturation { toward_lightness: (toward * 32768.0).round() as i16 }
    }

    /// One pixel desaturated.
    pub fn pixel(self, [r, g, b]: [u8; 3]) -> [u8; 3] {
        let sum = i32::from(r.max(g).max(b)) + i32::from(r.min(g).min(b));
        let t = i32::from(self.toward_lightness);
        [r, g, b].map(|c| (i32::from(c) + q15(sum - 2 * i32::from(c), t)).clamp(0, 255) as u8)
    }
}

/// Desaturates packed RGB pixels in place.
pub fn desaturate(pixels: &mut [u8], desaturation: Desaturation) {
    #[cfg_attr(not(target_arch = "wasm32"), allow(unused_mut))]
    let mut blocks = pixels.chunks_exact_mut(48);
    #[cfg(target_arch = "wasm32")]
    for block in &mut blocks {
        simd::desaturate_block(block.try_into().expect("48 bytes"), desaturation);
    }
    for pixel in blocks.into_remainder().chunks_exact_mut(3) {
        pixel.copy_from_slice(&desaturation.pixel([pixel[0], pixel[1], pixel[2]]));
    }
}

// JFIF's matrix in Q15: Y = 0.299 R + 0.587 G + 0.114 B,
// Cb = 128 − 0.168736 R − 0.331264 G + 0.5 B, Cr = 128 + 0.5 R − 0.418688 G − 0.081312 B.
const Y_R: i16 = 9798;
const Y_G: i16 = 19235;
const Y_B: i16 = 3736;
const CB_R: i16 = -5529;
const CB_G: i16 = -10855;
const CR_G: i16 = -13720;
const CR_B: i16 = -2664;
const HALF: i16 = 16384;

/// Luma of one pixel.
fn luma([r, g, b]: [u8; 3]) -> u8 {
    let scaled = |c: u8| i32::from(c) << 7;
    let sum = q15(scaled(r), Y_R.into()) + q15(scaled(g), Y_G.into()) + q15(scaled(b), Y_B.into());
    ((sum + 64) >> 7).clamp(0, 255) as u8
}

/// Chroma of a 2×2 block from its channel sums (each at most 4 × 255).
fn chroma([r, g, b]: [i32; 3]) -> (u8, u8) {
    let (r, g, b) = (r << 5, g << 5, b << 5);
    let offset = (128 << 7) + 64;
    let blue = q15(r, CB_R.into()) + q15(g, CB_G.into()) + q15(b, HALF.into()) + offset;
    let red = q15(r, HALF.into()) + q15(g, CR_G.into()) + q15(b, CR_B.into()) + offset;
    ((blue >> 7).clamp(0, 255) as u8, (red >> 7).clamp(0, 255) as u8)
}

/// Two rows of packed RGB as JPEG components: the luma of each row, and for
/// each 2×2 block the chroma of its average colour, written to both columns
/// it covers (a last odd column or a lone last row pairs with itself).
/// `desaturation`, if any, is applied to the pixels first.
pub struct RowPair<'a> {
    /// The upper row's pixels.
    pub top: &'a [u8],
    /// The lower row's pixels (the upper again for a lone last row).
    pub bottom: &'a [u8],
    /// Applied to every pixel before conversion.
    pub desaturation: Option<Desaturation>,
}

impl RowPair<'_> {
    /// Writes the luma rows and the (block-duplicated) chroma rows.
    pub fn convert(&self, luma_top: &mut [u8], luma_bottom: &mut [u8], blue: &mut [u8], red: &mut [u8]) {
        let width = luma_top.len();
        #[cfg_attr(not(target_arch = "wasm32"), allow(unused_mut))]
        let mut done = 0;
        #[cfg(target_arch = "wasm32")]
        while done + 16 <= width {
            let (pixels, samples) = (done * 3..done * 3 + 48, done..done + 16);
            simd::convert_block(
                self.top[pixels.clone()].try_into().expect("48 bytes"),
                self.bottom[pixels].try_into().expect("48 bytes"),
                self.desaturation,
                [
                    &mut luma_top[samples.clone()],
                    &mut luma_bottom[samples.clone()],
                    &mut blue[samples.clone()],
                    &mut red[samples],
                ],
            );
            done += 16;
        }
        let pixel = |row: &[u8], x: usize| {
            let rgb = [row[3 * x], row[3 * x + 1], row[3 * x + 2]];
            self.desaturation.map_or(rgb, |d| d.pixel(rgb))
        };
        for x in (done..width).step_by(2) {
            let right = (x + 1).min(width - 1);
            let block = [pixel(self.top, x), pixel(self.top, right), pixel(self.bottom, x), pixel(self.bottom, right)];
            luma_top[x] = luma(block[0]);
            luma_top[right] = luma(block[1]);
            luma_bottom[x] = luma(block[2]);
            luma_bottom[right] = luma(block[3]);
            let sums = [0, 1, 2].map(|c| block.iter().map(|p| i32::from(p[c])).sum());
            let (cb, cr) = chroma(sums);
            blue[x] = cb;
            blue[right] = cb;
            red[x] = cr;
            red[right] = cr;
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod simd {
    use core::arch::wasm32::*;

    use crate::simd128::scatter;

    use super::{CB_G, CB_R, CR_B, CR_G, Desaturation, HALF, Y_B, Y_G, Y_R};

    /// The swizzle that gathers channel `channel` of the pixels whose bytes
    /// lie in 16-byte part `part` of 48 packed RGB bytes, into the lanes of
    /// those pixels; other lanes get 0 (an index of 0x80).
    const fn gather(channel: usize, part: usize) -> [u8; 16] {
        let mut index = [0x80; 16];
        let mut pixel = 0;
        while pixel < 16 {
            let byte = pixel * 3 + channel;
            if byte / 16 == part {
                index[pixel] = (byte % 16) as u8;
            }
            pixel += 1;
        }
        index
    }

    const fn table(bytes: [u8; 16]) -> v128 {
        // SAFETY: v128 is 16 plain bytes.
        unsafe { core::mem::transmute(bytes) }
    }

    const GATHER: [[v128; 3]; 3] = {
        let mut tables = [[table([0; 16]); 3]; 3];
        let mut channel = 0;
        while channel < 3 {
            let mut part = 0;
            while part < 3 {
                tables[channel][part] = table(gather(channel, part));
                part += 1;
            }
            channel += 1;
        }
        tables
    };

    const SCATTER: [[v128; 3]; 3] = {
        let mut tables = [[table([0; 16]); 3]; 3];
        let mut channel = 0;
        while channel < 3 {
            let mut part = 0;
            while part < 3 {
                tables[part][channel] = table(scatter(channel, part));
                part += 1;
            }
            channel += 1;
        }
        tables
    };

    /// Each of the low 8 lanes twice: the chroma of a block for both its columns.
    const DOUBLE: v128 = table([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7]);

    fn load(bytes: &[u8; 48]) -> [v128; 3] {
        let parts = [0, 1, 2].map(|part| v128_load_16(&bytes[part * 16..part * 16 + 16]));
        [0, 1, 2].map(|channel| {
            let [a, b, c] = GATHER[channel];
            v128_or(v128_or(u8x16_swizzle(parts[0], a), u8x16_swizzle(parts[1], b)), u8x16_swizzle(parts[2], c))
        })
    }

    fn store(bytes: &mut [u8; 48], [r, g, b]: [v128; 3]) {
        for part in 0..3 {
            let [tr, tg, tb] = SCATTER[part];
            let packed = v128_or(v128_or(u8x16_swizzle(r, tr), u8x16_swizzle(g, tg)), u8x16_swizzle(b, tb));
            bytes[part * 16..part * 16 + 16].copy_from_slice(&u8x16_to_array(packed));
        }
    }

    fn v128_load_16(bytes: &[u8]) -> v128 {
        let array: [u8; 16] = bytes.try_into().expect("16 bytes");
        // SAFETY: v128 is 16 plain bytes.
        unsafe { core::mem::transmute(array) }
    }

    fn u8x16_to_array(vector: v128) -> [u8; 16] {
        // SAFETY: v128 is 16 plain bytes.
        unsafe { core::mem::transmute(vector) }
    }

    /// Low and high halves of a u8 vector as i16 lanes.
    fn widen(v: v128) -> [v128; 2] {
        [u16x8_extend_low_u8x16(v), u16x8_extend_high_u8x16(v)]
    }

    fn desaturate_rgb([r, g, b]: [v128; 3], desaturation: Desaturation) -> [v128; 3] {
        let max = widen(u8x16_max(r, u8x16_max(g, b)));
        let min = widen(u8x16_min(r, u8x16_min(g, b)));
        let t = i16x8_splat(desaturation.toward_lightness);
        [r, g, b].map(|c| {
            let c = widen(c);
            let half = |i: usize| {
                let sum = i16x8_add(max[i], min[i]);
                let difference = i16x8_sub(sum, i16x8_shl(c[i], 1));
                i16x8_add(c[i], i16x8_q15mulr_sat(difference, t))
            };
            u8x16_narrow_i16x8(half(0), half(1))
        })
    }

    /// Desaturates 16 packed RGB pixels in place.
    #[target_feature(enable = "simd128")]
    pub(super) fn desaturate_block(bytes: &mut [u8; 48], desaturation: Desaturation) {
        let pixels = desaturate_rgb(load(bytes), desaturation);
        store(bytes, pixels);
    }

    /// `Σ q15(x, k)` over three inputs (eight lanes each).
    fn mix(inputs: [v128; 3], coefficients: [i16; 3]) -> v128 {
        let term = |i: usize| i16x8_q15mulr_sat(inputs[i], i16x8_splat(coefficients[i]));
        i16x8_add(i16x8_add(term(0), term(1)), term(2))
    }

    fn luma(rgb: [v128; 3]) -> v128 {
        let [r, g, b] = rgb.map(widen);
        let half = |i: usize| {
            let scaled = [r[i], g[i], b[i]].map(|c| i16x8_shl(c, 7));
            u16x8_shr(i16x8_add(mix(scaled, [Y_R, Y_G, Y_B]), i16x8_splat(64)), 7)
        };
        u8x16_narrow_i16x8(half(0), half(1))
    }

    /// Converts 16 pixels of two rows: 16 luma samples per row, 8 blocks'
    /// chroma, each written twice.
    #[target_feature(enable = "simd128")]
    pub(super) fn convert_block(
        top: &[u8; 48],
        bottom: &[u8; 48],
        desaturation: Option<Desaturation>,
        [luma_top, luma_bottom, blue, red]: [&mut [u8]; 4],
    ) {
        let (mut upper, mut lower) = (load(top), load(bottom));
        if let Some(desaturation) = desaturation {
            upper = desaturate_rgb(upper, desaturation);
            lower = desaturate_rgb(lower, desaturation);
        }
        luma_top.copy_from_slice(&u8x16_to_array(luma(upper)));
        luma_bottom.copy_from_slice(&u8x16_to_array(luma(lower)));
        // Channel sums of each 2×2 block (≤ 1020), scaled by 32.
        let sums = [0, 1, 2].map(|c| {
            i16x8_shl(i16x8_add(u16x8_extadd_pairwise_u8x16(upper[c]), u16x8_extadd_pairwise_u8x16(lower[c])), 5)
        });
        let offset = i16x8_splat((128 << 7) + 64);
        let component = |coefficients: [i16; 3]| {
            let value = u16x8_shr(i16x8_add(mix(sums, coefficients), offset), 7);
            u8x16_to_array(u8x16_swizzle(u8x16_narrow_i16x8(value, value), DOUBLE))
        };
        blue.copy_from_slice(&component([CB_R, CB_G, HALF]));
        red.copy_from_slice(&component([HALF, CR_G, CR_B]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_and_chroma_match_jfif() {
        for rgb in [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [12, 200, 99], [250, 3, 128]] {
            let (y, cb, cr) = jpeg_encoder::rgb_to_ycbcr(rgb[0], rgb[1], rgb[2]);
            let sums = rgb.map(|c| 4 * i32::from(c));
            let (blue, red) = chroma(sums);
            assert!(luma(rgb).abs_diff(y) <= 1 && blue.abs_diff(cb) <= 1 && red.abs_diff(cr) <= 1, "{rgb:?}");
        }
        assert_eq!((luma([255; 3]), chroma([1020; 3])), (255, (128, 128)));
        assert_eq!(chroma([0, 0, 1020]).0, 255);
    }

    #[test]
    fn desaturation_moves_towards_lightness() {
        assert_eq!(Desaturation::new(0.0).pixel([200, 100, 50]), [125, 125, 125]);
        assert_eq!(Desaturation::new(1.0).pixel([200, 100, 50]), [200, 100, 50]);
        assert_eq!(Desaturation::new(0.5).pixel([200, 100, 50]), [163, 113, 88]);
        let mut pixels = [200, 100, 50, 0, 0, 0];
        desaturate(&mut pixels, Desaturation::new(0.0));
        assert_eq!(pixels, [125, 125, 125, 0, 0, 0]);
    }

    #[test]
    fn blocks_share_their_average_chroma() {
        // Red over blue, then a lone column of green: width 3.
        let top = [255, 0, 0, 255, 0, 0, 0, 255, 0];
        let bottom = [0, 0, 255, 0, 0, 255, 0, 255, 0];
        let pair = RowPair { top: &top, bottom: &bottom, desaturation: None };
        let (mut y0, mut y1, mut cb, mut cr) = ([0; 3], [0; 3], [0; 3], [0; 3]);
        pair.convert(&mut y0, &mut y1, &mut cb, &mut cr);
        assert_eq!((y0, y1), ([76, 76, 150], [29, 29, 150]));
        let purple = chroma([510, 0, 510]);
        let green = chroma([0, 1020, 0]);
        assert_eq!((cb, cr), ([purple.0, purple.0, green.0], [purple.1, purple.1, green.1]));
    }
}
