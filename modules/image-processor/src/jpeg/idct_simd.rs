//! The inverse DCT of [`super::idct`] with SIMD128: down four columns at a
//! time (a vector holds one row's four frequencies), then along each row
//! four samples at a time. The products and the order they are summed in
//! are the scalar path's, so the bytes are too.

use super::idct::{Dequantize, Idct, sample};
use super::scan::Block;
use crate::simd128::*;

impl Idct {
    /// As [`Idct::block_scalar`].
    pub(super) fn block_simd(
        &self,
        block: &Block,
        dequantize: &Dequantize,
        (width, height): (usize, usize),
        (rows, columns): (usize, usize),
        out: &mut [u8],
        stride: usize,
    ) {
        let vertical = &self.basis[height.trailing_zeros() as usize];
        let horizontal = &self.by_frequency[width.trailing_zeros() as usize];
        let groups = columns.div_ceil(4);
        // The frequencies of each row of coefficients, in two halves.
        let mut frequencies = [[f32x4_splat(0.0); 2]; 8];
        for (v, halves) in frequencies.iter_mut().enumerate().take(rows) {
            let row: [i16; 8] = block.coefficients[8 * v..8 * v + 8].try_into().expect("8 coefficients");
            let row = from_i16s(row);
            let q = |half: usize| from_f32s(dequantize[8 * v + 4 * half..8 * v + 4 * half + 4].try_into().expect("4"));
            halves[0] = f32x4_mul(f32x4_convert_i32x4(i32x4_extend_low_i16x8(row)), q(0));
            if groups > 1 {
                halves[1] = f32x4_mul(f32x4_convert_i32x4(i32x4_extend_high_i16x8(row)), q(1));
            }
        }
        let (shift, lowest, highest) = (f32x4_splat(128.0), f32x4_splat(0.0), f32x4_splat(255.0));
        for (j, basis) in vertical.iter().enumerate().take(height) {
            // Row j of the columns' results, four columns to a vector.
            let mut done = [f32x4_splat(0.0); 2];
            for (g, group) in done.iter_mut().enumerate().take(groups) {
                for v in 0..rows {
                    *group = f32x4_add(*group, f32x4_mul(f32x4_splat(basis[v]), frequencies[v][g]));
                }
            }
            let mut sums = [f32x4_splat(0.0); 2];
            let halves = width.div_ceil(4);
            for u in 0..columns {
                let across = f32x4_broadcast(done[u / 4], u % 4);
                for (h, sum) in sums.iter_mut().enumerate().take(halves) {
                    let weights = from_f32s(horizontal[u][4 * h..4 * h + 4].try_into().expect("4 weights"));
                    *sum = f32x4_add(*sum, f32x4_mul(weights, across));
                }
            }
            let row = &mut out[j * stride..];
            if width < 4 {
                // One or two samples: as the scalar path writes them.
                let values = to_f32s(sums[0]);
                for (i, value) in values.iter().enumerate().take(width) {
                    row[i] = sample(*value);
                }
                continue;
            }
            // As sample(): + 128, clamped to 0..=255, rounded.
            let to_samples =
                |sum: v128| f32x4_round_small(f32x4_pmax(f32x4_pmin(f32x4_add(sum, shift), highest), lowest));
            let first = to_samples(sums[0]);
            let second = if halves > 1 { to_samples(sums[1]) } else { first };
            let bytes = to_bytes(u8x16_narrow_i16x8(i16x8_narrow_i32x4(first, second), i16x8_splat(0)));
            // Copies of a known length (no call to memcpy).
            if width == 8 {
                row[..8].copy_from_slice(&bytes[..8]);
            } else {
                row[..4].copy_from_slice(&bytes[..4]);
            }
        }
    }
}
