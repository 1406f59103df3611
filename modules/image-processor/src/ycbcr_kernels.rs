//! JPEG's YCbCr samples (JFIF: full range) to packed RGB, a row at a time:
//! `R = Y + 1.402 (Cr − 128)`, `G = Y − 0.344136 (Cb − 128) − 0.714136 (Cr − 128)`,
//! `B = Y + 1.772 (Cb − 128)`. Sixteen pixels at a time with SIMD128 in
//! wasm; the same fixed-point arithmetic in scalar code for row tails and
//! other targets, so every target computes the same bytes.
//!
//! Fixed point: samples are scaled by 64, the coefficients' fractions are
//! Q15 (`q15(a, b) = (a·b + 2¹⁴) >> 15`, wasm's `i16x8.q15mulr_sat`), and
//! the sum is rounded back: at most half a level from the exact formula
//! before rounding.

#[cfg(any(target_arch = "wasm32", test))]
use crate::simd128::*;

/// The fractional parts in Q15: 1.402 = 1 + 0.402, 1.772 = 1 + 0.772.
const CR_TO_R: i16 = 13173;
const CB_TO_G: i16 = -11277;
const CR_TO_G: i16 = -23401;
const CB_TO_B: i16 = 25297;

fn q15(a: i32, b: i16) -> i32 {
    (a * i32::from(b) + (1 << 14)) >> 15
}

/// One pixel.
fn pixel(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let y = i32::from(y) << 6;
    let (cb, cr) = ((i32::from(cb) - 128) << 6, (i32::from(cr) - 128) << 6);
    let r = y + cr + q15(cr, CR_TO_R);
    let g = y + q15(cb, CB_TO_G) + q15(cr, CR_TO_G);
    let b = y + cb + q15(cb, CB_TO_B);
    [r, g, b].map(|c| ((c + 32) >> 6).clamp(0, 255) as u8)
}

/// Converts a row: `y`, `cb` and `cr` (as long as each other) into `rgb`
/// (three times as long).
pub fn to_rgb(y: &[u8], cb: &[u8], cr: &[u8], rgb: &mut [u8]) {
    #[cfg(target_arch = "wasm32")]
    let done = to_rgb_simd(y, cb, cr, rgb);
    #[cfg(not(target_arch = "wasm32"))]
    let done = 0;
    to_rgb_scalar(&y[done..], &cb[done..], &cr[done..], &mut rgb[3 * done..]);
}

/// The scalar path, for any number of pixels.
fn to_rgb_scalar(y: &[u8], cb: &[u8], cr: &[u8], rgb: &mut [u8]) {
    for (((&y, &cb), &cr), out) in y.iter().zip(cb).zip(cr).zip(rgb.chunks_exact_mut(3)) {
        out.copy_from_slice(&pixel(y, cb, cr));
    }
}

#[cfg(any(target_arch = "wasm32", test))]
/// The SIMD path over whole blocks of 16 pixels; returns how many pixels
/// it converted.
fn to_rgb_simd(y: &[u8], cb: &[u8], cr: &[u8], rgb: &mut [u8]) -> usize {
    let blocks = y.len() / 16;
    for i in 0..blocks {
        let load = |row: &[u8]| from_bytes(row[16 * i..16 * i + 16].try_into().expect("16 bytes"));
        let out: &mut [u8; 48] = (&mut rgb[48 * i..48 * i + 48]).try_into().expect("48 bytes");
        block(load(y), load(cb), load(cr), out);
    }
    16 * blocks
}

#[cfg(any(target_arch = "wasm32", test))]
const SCATTER: [[[u8; 16]; 3]; 3] = {
    let mut tables = [[[0; 16]; 3]; 3];
    let mut part = 0;
    while part < 3 {
        let mut channel = 0;
        while channel < 3 {
            tables[part][channel] = scatter(channel, part);
            channel += 1;
        }
        part += 1;
    }
    tables
};

#[cfg(any(target_arch = "wasm32", test))]
#[inline(always)]
fn block(y: v128, cb: v128, cr: v128, out: &mut [u8; 48]) {
    let centre = i16x8_splat(128);
    let half = |low: bool| {
        let widen = |v: v128| if low { u16x8_extend_low_u8x16(v) } else { u16x8_extend_high_u8x16(v) };
        let y = i16x8_shl(widen(y), 6);
        let cb = i16x8_shl(i16x8_sub(widen(cb), centre), 6);
        let cr = i16x8_shl(i16x8_sub(widen(cr), centre), 6);
        let times = |v: v128, k: i16| i16x8_q15mulr_sat(v, i16x8_splat(k));
        let round = |v: v128| i16x8_shr(i16x8_add(v, i16x8_splat(32)), 6);
        let r = round(i16x8_add(i16x8_add(y, cr), times(cr, CR_TO_R)));
        let g = round(i16x8_add(i16x8_add(y, times(cb, CB_TO_G)), times(cr, CR_TO_G)));
        let b = round(i16x8_add(i16x8_add(y, cb), times(cb, CB_TO_B)));
        [r, g, b]
    };
    let (low, high) = (half(true), half(false));
    let channels = [0, 1, 2].map(|c| u8x16_narrow_i16x8(low[c], high[c]));
    for (part, tables) in SCATTER.iter().enumerate() {
        let placed = |c: usize| u8x16_swizzle(channels[c], from_bytes(tables[c]));
        let packed = v128_or(v128_or(placed(0), placed(1)), placed(2));
        out[16 * part..16 * part + 16].copy_from_slice(&to_bytes(packed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(y: u8, cb: u8, cr: u8) -> [f64; 3] {
        let (y, cb, cr) = (f64::from(y), f64::from(cb) - 128.0, f64::from(cr) - 128.0);
        [y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb]
    }

    #[test]
    fn the_fixed_point_is_within_a_level_of_the_formula() {
        for y in (0..=255).step_by(5) {
            for cb in (0..=255).step_by(3) {
                for cr in (0..=255).step_by(7) {
                    let got = pixel(y, cb, cr);
                    for (g, e) in got.iter().zip(exact(y, cb, cr)) {
                        assert!((f64::from(*g) - e.clamp(0.0, 255.0)).abs() <= 1.0, "{y} {cb} {cr}: {got:?}");
                    }
                }
            }
        }
        assert_eq!(pixel(128, 128, 128), [128; 3]);
        assert_eq!(pixel(255, 128, 128), [255; 3]);
    }

    #[test]
    fn the_simd_path_computes_what_the_scalar_one_does() {
        let mut noise = 0x9E37_79B9_7F4A_7C15u64;
        let mut row = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    noise ^= noise << 13;
                    noise ^= noise >> 7;
                    noise ^= noise << 17;
                    noise as u8
                })
                .collect()
        };
        let width = 16 * 40;
        let (y, cb, cr) = (row(width), row(width), row(width));
        let (mut simd, mut scalar) = (vec![0; 3 * width], vec![0; 3 * width]);
        assert_eq!(to_rgb_simd(&y, &cb, &cr, &mut simd), width);
        to_rgb_scalar(&y, &cb, &cr, &mut scalar);
        assert_eq!(simd, scalar);
        // Extremes: the sums stay inside 16 bits.
        for (y, cb, cr) in [(255, 255, 255), (0, 0, 0), (255, 0, 255), (0, 255, 0)] {
            let (mut simd, mut scalar) = ([0; 48], [0; 48]);
            to_rgb_simd(&[y; 16], &[cb; 16], &[cr; 16], &mut simd);
            to_rgb_scalar(&[y; 16], &[cb; 16], &[cr; 16], &mut scalar);
            assert_eq!(simd, scalar, "{y} {cb} {cr}");
        }
        let mut mixed = vec![0; 3 * 21];
        to_rgb(&y[..21], &cb[..21], &cr[..21], &mut mixed);
        assert_eq!(mixed, scalar[..63]);
    }
}
