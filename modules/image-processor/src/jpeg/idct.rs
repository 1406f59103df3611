//! The inverse DCT of a block at 1, 2, 4 or 8 samples a side (each side
//! chosen apart): the 8-point inverse DCT evaluated at the centres of N
//! equal parts of the block, from the N lowest frequencies,
//! `s(i) = Σ_{u<N} C(u)/2 · F(u) · cos((2i + 1)·u·π / 2N)`, C(0) = 1/√2,
//! else 1, along each axis. At N = 8 this is the ordinary inverse DCT; at
//! N < 8 each output sample stands for a (8/N)² area of pixels, with the
//! frequencies the smaller grid cannot hold left out (libjpeg's scaled
//! decoding computes the same). Samples get the level shift (+128), and are
//! clamped to 0..=255 and rounded.
//!
//! Computed in f32, down the block's columns and then along its rows, only
//! over the rows and columns of coefficients the file gave; in wasm four
//! columns (then four samples of a row) at a time (`idct_simd.rs`),
//! elsewhere one at a time, with the same products summed in the same
//! order, so both give the same bytes.

use super::scan::{Block, NATURAL};

/// For each zigzag position: how many rows and columns of the block the
/// coefficients up to it reach.
pub(super) const EXTENT: [(u8, u8); 64] = extent();

const fn extent() -> [(u8, u8); 64] {
    let mut table = [(0, 0); 64];
    let (mut rows, mut columns) = (0u8, 0u8);
    let mut k = 0;
    while k < 64 {
        let natural = NATURAL[k];
        let (row, column) = (natural / 8 + 1, natural % 8 + 1);
        if row > rows {
            rows = row;
        }
        if column > columns {
            columns = column;
        }
        table[k] = (rows, columns);
        k += 1;
    }
    table
}

/// The basis of the N-point transform for N = 1, 2, 4 and 8:
/// `BASIS[log2 N][i][u]`.
pub struct Idct {
    /// `basis[log2 N][i][u]`: the weight of frequency u in sample i.
    pub(super) basis: [[[f32; 8]; 8]; 4],
    /// The same, transposed: `by_frequency[log2 N][u][i]`.
    #[cfg(any(target_arch = "wasm32", test))]
    pub(super) by_frequency: [[[f32; 8]; 8]; 4],
}

/// A component's quantization table in natural order, as factors.
pub type Dequantize = [f32; 64];

/// `table` (zigzag order, as the file holds it) in natural order.
pub fn dequantize(table: &[u16; 64]) -> Dequantize {
    let mut factors = [0.0; 64];
    for (k, &q) in table.iter().enumerate() {
        factors[usize::from(NATURAL[k])] = f32::from(q);
    }
    factors
}

impl Idct {
    pub fn new() -> Self {
        let mut basis = [[[0.0f32; 8]; 8]; 4];
        for (log, table) in basis.iter_mut().enumerate() {
            let n = 1usize << log;
            for (i, row) in table.iter_mut().enumerate().take(n) {
                for (u, value) in row.iter_mut().enumerate().take(n) {
                    let c = if u == 0 { std::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
                    let angle = ((2 * i + 1) * u) as f64 * std::f64::consts::PI / (2 * n) as f64;
                    *value = (c / 2.0 * angle.cos()) as f32;
                }
            }
        }
        Idct {
            #[cfg(any(target_arch = "wasm32", test))]
            by_frequency: basis.map(|table| std::array::from_fn(|u| std::array::from_fn(|i| table[i][u]))),
            basis,
        }
    }

    /// Writes `block`'s `width × height` samples (each 1, 2, 4 or 8) to
    /// `out`, rows `stride` apart.
    pub fn block(
        &self,
        block: &Block,
        dequantize: &Dequantize,
        (width, height): (usize, usize),
        out: &mut [u8],
        stride: usize,
    ) {
        if block.last == 0 {
            let value = sample(f32::from(block.coefficients[0]) * dequantize[0] / 8.0);
            for row in out.chunks_mut(stride).take(height) {
                // Fills of a known length (no call to memset).
                match width {
                    8 => row[..8].fill(value),
                    4 => row[..4].fill(value),
                    2 => row[..2].fill(value),
                    _ => row[0] = value,
                }
            }
            return;
        }
        let (rows, columns) = EXTENT[block.last];
        let extent = (usize::from(rows).min(height), usize::from(columns).min(width));
        #[cfg(target_arch = "wasm32")]
        self.block_simd(block, dequantize, (width, height), extent, out, stride);
        #[cfg(not(target_arch = "wasm32"))]
        self.block_scalar(block, dequantize, (width, height), extent, out, stride);
    }

    /// The transform one column, then one sample, at a time, over the
    /// first `rows × columns` coefficients.
    #[cfg(any(not(target_arch = "wasm32"), test))]
    pub(super) fn block_scalar(
        &self,
        block: &Block,
        dequantize: &Dequantize,
        (width, height): (usize, usize),
        (rows, columns): (usize, usize),
        out: &mut [u8],
        stride: usize,
    ) {
        let vertical = &self.basis[height.trailing_zeros() as usize];
        let horizontal = &self.basis[width.trailing_zeros() as usize];
        // Down each column first, then along each row.
        let mut columns_done = [[0.0f32; 8]; 8];
        for u in 0..columns {
            let frequencies: [f32; 8] =
                std::array::from_fn(|v| f32::from(block.coefficients[v * 8 + u]) * dequantize[v * 8 + u]);
            for (j, basis) in vertical.iter().enumerate().take(height) {
                let mut sum = 0.0;
                for v in 0..rows {
                    sum += basis[v] * frequencies[v];
                }
                columns_done[j][u] = sum;
            }
        }
        for (j, row) in out.chunks_mut(stride).take(height).enumerate() {
            for (i, basis) in horizontal.iter().enumerate().take(width) {
                let mut sum = 0.0;
                for u in 0..columns {
                    sum += basis[u] * columns_done[j][u];
                }
                row[i] = sample(sum);
            }
        }
    }
}

/// A sum as a sample: level-shifted, clamped to 0..=255, rounded (ties to
/// even, as the SIMD path's conversion rounds).
#[inline(always)]
pub(super) fn sample(value: f32) -> u8 {
    (value + 128.0).clamp(0.0, 255.0).round_ties_even() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 8×8 inverse DCT straight from T.81 A.3.3, in f64.
    fn reference(block: &Block, q: &Dequantize) -> [[f64; 8]; 8] {
        let c = |u: usize| if u == 0 { std::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
        std::array::from_fn(|y| {
            std::array::from_fn(|x| {
                let mut sum = 0.0;
                for v in 0..8 {
                    for u in 0..8 {
                        let f = f64::from(block.coefficients[v * 8 + u]) * f64::from(q[v * 8 + u]);
                        sum += c(u)
                            * c(v)
                            * f
                            * (((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0).cos()
                            * (((2 * y + 1) * v) as f64 * std::f64::consts::PI / 16.0).cos();
                    }
                }
                sum / 4.0 + 128.0
            })
        })
    }

    fn block(values: &[(usize, i16)]) -> Block {
        let mut block = Block::default();
        for &(k, value) in values {
            block.coefficients[usize::from(NATURAL[k])] = value;
            block.last = block.last.max(k);
        }
        block
    }

    #[test]
    fn full_size_is_the_inverse_dct() {
        let idct = Idct::new();
        let q = dequantize(&[3; 64]);
        for b in [block(&[(0, 20)]), block(&[(0, -40), (1, 7), (2, -5), (9, 3)]), block(&[(0, 5), (63, 2), (30, -9)])] {
            let mut out = [0u8; 64];
            idct.block(&b, &q, (8, 8), &mut out, 8);
            let expected = reference(&b, &q);
            for y in 0..8 {
                for x in 0..8 {
                    let e = expected[y][x].round().clamp(0.0, 255.0) as u8;
                    assert!(out[y * 8 + x].abs_diff(e) <= 1, "({x}, {y}): {} vs {e}", out[y * 8 + x]);
                }
            }
        }
    }

    #[test]
    fn the_simd_path_computes_what_the_scalar_one_does() {
        let idct = Idct::new();
        let q = dequantize(&std::array::from_fn(|k| 1 + (k as u16 * 7) % 40));
        let mut noise = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            noise
        };
        for _ in 0..500 {
            let last = (next() % 64) as usize;
            let values: Vec<(usize, i16)> = (0..=last)
                .map(|k| (k, if k == 0 || next() % 3 == 0 { (next() % 160) as i16 - 80 } else { 0 }))
                .collect();
            let b = block(&values);
            let b = Block { last: last.max(1), ..b };
            for (width, height) in [(8, 8), (4, 4), (2, 2), (1, 1), (8, 4), (4, 8), (2, 1), (8, 2)] {
                let (rows, columns) = EXTENT[b.last];
                let extent = (usize::from(rows).min(height), usize::from(columns).min(width));
                let (mut simd, mut scalar) = ([7u8; 80], [7u8; 80]);
                idct.block_simd(&b, &q, (width, height), extent, &mut simd, 10);
                idct.block_scalar(&b, &q, (width, height), extent, &mut scalar, 10);
                assert_eq!(simd, scalar, "{width}×{height}, last {}", b.last);
            }
        }
    }

    #[test]
    fn smaller_sizes_average_the_block() {
        let idct = Idct::new();
        let q = dequantize(&[1; 64]);
        // A horizontal cosine of frequency 1: the left half bright, the right dark.
        let b = block(&[(0, 80), (1, 100)]);
        let mut full = [0u8; 64];
        idct.block(&b, &q, (8, 8), &mut full, 8);
        for (width, height) in [(4, 4), (2, 2), (1, 1), (4, 8), (2, 1)] {
            let mut out = [0u8; 64];
            idct.block(&b, &q, (width, height), &mut out, 8);
            for j in 0..height {
                for i in 0..width {
                    let (w, h) = (8 / width, 8 / height);
                    let area: Vec<f64> = (j * h..(j + 1) * h)
                        .flat_map(|y| (i * w..(i + 1) * w).map(move |x| f64::from(full[y * 8 + x])))
                        .collect();
                    let mean = area.iter().sum::<f64>() / area.len() as f64;
                    assert!((f64::from(out[j * 8 + i]) - mean).abs() <= 4.0, "{width}×{height} ({i}, {j})");
                }
            }
        }
        let mut one = [0u8; 1];
        idct.block(&block(&[(0, -8)]), &q, (1, 1), &mut one, 1);
        assert_eq!(one, [127], "DC alone: the mean, 128 + DC / 8");
    }
}
