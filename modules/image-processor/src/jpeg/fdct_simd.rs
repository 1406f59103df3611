//! The forward DCT of [`super::fdct`] with SIMD128: down four columns at a
//! time (a vector holds one row's four samples), the 8×8 result transposed
//! as four 4×4 matrices, then along four rows at a time, and quantized four
//! coefficients at a time. The operations and their order are the scalar
//! path's, so the coefficients are too.

use super::fdct::{Arithmetic, Quantize, aan};
use super::scan::ZIGZAG;
use crate::simd128::*;

struct Vectors;

impl Arithmetic<v128> for Vectors {
    #[inline(always)]
    fn add(&self, a: v128, b: v128) -> v128 {
        f32x4_add(a, b)
    }
    #[inline(always)]
    fn sub(&self, a: v128, b: v128) -> v128 {
        f32x4_sub(a, b)
    }
    #[inline(always)]
    fn mul(&self, a: v128, k: f32) -> v128 {
        f32x4_mul(a, f32x4_splat(k))
    }
}

/// As [`super::fdct::forward_scalar`].
pub(super) fn forward_simd(samples: &[u8; 64], quantize: &Quantize) -> [i16; 64] {
    // Each row's eight samples, level-shifted, as two vectors.
    let centre = f32x4_splat(128.0);
    let rows_of_samples: [[v128; 2]; 8] = std::array::from_fn(|y| {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&samples[8 * y..8 * y + 8]);
        let wide = u16x8_extend_low_u8x16(from_bytes(bytes));
        [i32x4_extend_low_i16x8(wide), i32x4_extend_high_i16x8(wide)]
            .map(|quarter| f32x4_sub(f32x4_convert_i32x4(quarter), centre))
    });
    // columns[half][v]: frequency v down the columns 4·half to 4·half + 3.
    let columns: [[v128; 8]; 2] =
        std::array::from_fn(|half| aan(std::array::from_fn(|y| rows_of_samples[y][half]), &Vectors));
    // rows[x][quarter]: column x of the frequencies v = 4·quarter to 4·quarter + 3.
    let mut rows = [[f32x4_splat(0.0); 2]; 8];
    for quarter in 0..2 {
        for half in 0..2 {
            let block = std::array::from_fn(|i| columns[half][4 * quarter + i]);
            for (j, vector) in f32x4_transpose(block).into_iter().enumerate() {
                rows[4 * half + j][quarter] = vector;
            }
        }
    }
    let (lowest, highest) = (f32x4_splat(-1024.0), f32x4_splat(1023.0));
    let mut coefficients = [0i16; 64];
    for quarter in 0..2 {
        let out = aan(std::array::from_fn(|x| rows[x][quarter]), &Vectors);
        // out[u]: frequency u along the rows, for v = 4·quarter to 4·quarter + 3.
        for (u, vector) in out.into_iter().enumerate() {
            let multipliers = std::array::from_fn(|i| quantize.multipliers[(4 * quarter + i) * 8 + u]);
            let scaled = f32x4_mul(vector, from_f32s(multipliers));
            let whole = f32x4_round_small(f32x4_pmax(f32x4_pmin(scaled, highest), lowest));
            let lanes = to_i16s(i16x8_narrow_i32x4(whole, whole));
            for (i, &lane) in lanes.iter().enumerate().take(4) {
                coefficients[usize::from(ZIGZAG[(4 * quarter + i) * 8 + u])] = lane;
            }
        }
    }
    coefficients
}

/// As [`super::fdct::nonzero_scalar`]: eight lanes compared at a time.
pub(super) fn nonzero_simd(coefficients: &[i16; 64]) -> u64 {
    let zero = i16x8_splat(0);
    let mut mask = 0u64;
    for (i, lanes) in coefficients.chunks_exact(8).enumerate() {
        let lanes = from_i16s(lanes.try_into().expect("8 coefficients"));
        mask |= u64::from(i16x8_bitmask(i16x8_ne(lanes, zero))) << (8 * i);
    }
    mask
}
