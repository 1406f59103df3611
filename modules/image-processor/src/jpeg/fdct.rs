//! The forward DCT of an 8×8 block and its quantization, in f32: the
//! Arai–Agui–Nakajima factorization (5 multiplications and 29 additions
//! per 8 samples, as libjpeg's float FDCT), down the block's columns, then
//! along its rows; its outputs are the DCT's scaled by known factors, which
//! the quantization's multipliers take back. In wasm four columns (then
//! four rows) at a time (`fdct_simd.rs`), elsewhere one at a time, with the
//! same operations in the same order, so both give the same coefficients.

use super::scan::NATURAL;
#[cfg(any(not(target_arch = "wasm32"), test))]
use super::scan::ZIGZAG;

/// The AAN factor of each frequency: cos(kπ/16)·√2, 1 for k = 0.
fn aan_scale(k: usize) -> f64 {
    if k == 0 { 1.0 } else { (k as f64 * std::f64::consts::PI / 16.0).cos() * std::f64::consts::SQRT_2 }
}

/// What each of the AAN outputs is multiplied by to become the quantized
/// coefficient (before rounding): 1 / (8 · scale(v) · scale(u) · Q).
#[derive(Clone)]
pub struct Quantize {
    /// Natural order (row v, column u).
    pub(super) multipliers: [f32; 64],
}

impl Quantize {
    /// For `table` (zigzag order, as a DQT segment holds it).
    pub fn new(table: &[u16; 64]) -> Self {
        let mut multipliers = [0.0f32; 64];
        for (k, &q) in table.iter().enumerate() {
            let natural = usize::from(NATURAL[k]);
            let (v, u) = (natural / 8, natural % 8);
            multipliers[natural] = (1.0 / (8.0 * aan_scale(v) * aan_scale(u) * f64::from(q))) as f32;
        }
        Quantize { multipliers }
    }
}

/// The AAN forward DCT of eight samples, in place (outputs in frequency order).
#[inline(always)]
pub(super) fn aan<T: Copy>(d: [T; 8], ops: &impl Arithmetic<T>) -> [T; 8] {
    let (add, sub, mul) = (|a, b| ops.add(a, b), |a, b| ops.sub(a, b), |a, k: f32| ops.mul(a, k));
    let (tmp0, tmp7) = (add(d[0], d[7]), sub(d[0], d[7]));
    let (tmp1, tmp6) = (add(d[1], d[6]), sub(d[1], d[6]));
    let (tmp2, tmp5) = (add(d[2], d[5]), sub(d[2], d[5]));
    let (tmp3, tmp4) = (add(d[3], d[4]), sub(d[3], d[4]));
    // Even part.
    let (tmp10, tmp13) = (add(tmp0, tmp3), sub(tmp0, tmp3));
    let (tmp11, tmp12) = (add(tmp1, tmp2), sub(tmp1, tmp2));
    let z1 = mul(add(tmp12, tmp13), 0.707_106_77);
    let out0 = add(tmp10, tmp11);
    let out4 = sub(tmp10, tmp11);
    let out2 = add(tmp13, z1);
    let out6 = sub(tmp13, z1);
    // Odd part.
    let tmp10 = add(tmp4, tmp5);
    let tmp11 = add(tmp5, tmp6);
    let tmp12 = add(tmp6, tmp7);
    let z5 = mul(sub(tmp10, tmp12), 0.382_683_43);
    let z2 = add(mul(tmp10, 0.541_196_1), z5);
    let z4 = add(mul(tmp12, 1.306_563), z5);
    let z3 = mul(tmp11, 0.707_106_77);
    let z11 = add(tmp7, z3);
    let z13 = sub(tmp7, z3);
    [out0, add(z11, z4), out2, sub(z13, z2), out4, add(z13, z2), out6, sub(z11, z4)]
}

/// The three operations [`aan`] needs, on scalars or on vectors.
pub(super) trait Arithmetic<T> {
    fn add(&self, a: T, b: T) -> T;
    fn sub(&self, a: T, b: T) -> T;
    fn mul(&self, a: T, k: f32) -> T;
}

#[cfg(any(not(target_arch = "wasm32"), test))]
struct Scalar;

#[cfg(any(not(target_arch = "wasm32"), test))]
impl Arithmetic<f32> for Scalar {
    #[inline(always)]
    fn add(&self, a: f32, b: f32) -> f32 {
        a + b
    }
    #[inline(always)]
    fn sub(&self, a: f32, b: f32) -> f32 {
        a - b
    }
    #[inline(always)]
    fn mul(&self, a: f32, k: f32) -> f32 {
        a * k
    }
}

/// The quantized coefficient of an output and its multiplier: within
/// −1024..=1023 (more than an 8-bit AC coefficient needs; DC stays within
/// ±1024 of itself), rounded to the nearest, ties to even (as the SIMD
/// path's conversion rounds).
#[cfg(any(not(target_arch = "wasm32"), test))]
#[inline(always)]
pub(super) fn quantized(value: f32, multiplier: f32) -> i16 {
    (value * multiplier).clamp(-1024.0, 1023.0).round_ties_even() as i16
}

/// The quantized DCT coefficients, in zigzag order (as a file codes
/// them), of an 8×8 block of samples, row by row (level-shifted here:
/// sample − 128).
pub fn forward(samples: &[u8; 64], quantize: &Quantize) -> [i16; 64] {
    #[cfg(target_arch = "wasm32")]
    return forward_simd(samples, quantize);
    #[cfg(not(target_arch = "wasm32"))]
    forward_scalar(samples, quantize)
}

/// Which of 64 coefficients are not zero, as the bits of the result.
pub fn nonzero(coefficients: &[i16; 64]) -> u64 {
    #[cfg(target_arch = "wasm32")]
    return nonzero_simd(coefficients);
    #[cfg(not(target_arch = "wasm32"))]
    nonzero_scalar(coefficients)
}

#[cfg(any(not(target_arch = "wasm32"), test))]
pub(super) fn nonzero_scalar(coefficients: &[i16; 64]) -> u64 {
    coefficients.iter().enumerate().fold(0, |mask, (i, &c)| mask | (u64::from(c != 0) << i))
}

/// The scalar path: each column, then each row.
#[cfg(any(not(target_arch = "wasm32"), test))]
pub(super) fn forward_scalar(samples: &[u8; 64], quantize: &Quantize) -> [i16; 64] {
    let mut columns = [0.0f32; 64];
    for x in 0..8 {
        let out = aan(std::array::from_fn(|y| f32::from(samples[y * 8 + x]) - 128.0), &Scalar);
        for (v, value) in out.into_iter().enumerate() {
            columns[v * 8 + x] = value;
        }
    }
    let mut coefficients = [0i16; 64];
    for v in 0..8 {
        let out = aan(std::array::from_fn(|x| columns[v * 8 + x]), &Scalar);
        for (u, value) in out.into_iter().enumerate() {
            coefficients[usize::from(ZIGZAG[v * 8 + u])] = quantized(value, quantize.multipliers[v * 8 + u]);
        }
    }
    coefficients
}

#[cfg(target_arch = "wasm32")]
use super::fdct_simd::{forward_simd, nonzero_simd};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::fdct_simd::{forward_simd, nonzero_simd};

    /// T.81 A.3.3's forward DCT in f64, quantized.
    fn reference(samples: &[u8; 64], table: &[u16; 64]) -> [f64; 64] {
        let c = |u: usize| if u == 0 { std::f64::consts::FRAC_1_SQRT_2 } else { 1.0 };
        let mut q = [0.0; 64];
        for (k, &value) in table.iter().enumerate() {
            q[usize::from(NATURAL[k])] = f64::from(value);
        }
        std::array::from_fn(|i| {
            let (v, u) = (i / 8, i % 8);
            let mut sum = 0.0;
            for y in 0..8 {
                for x in 0..8 {
                    sum += (f64::from(samples[y * 8 + x]) - 128.0)
                        * (((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0).cos()
                        * (((2 * y + 1) * v) as f64 * std::f64::consts::PI / 16.0).cos();
                }
            }
            c(u) * c(v) * sum / 4.0 / q[i]
        })
    }

    fn blocks() -> Vec<[u8; 64]> {
        let mut noise = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            noise
        };
        let mut blocks = vec![[0; 64], [255; 64], std::array::from_fn(|i| (i % 8) as u8 * 30 + 20)];
        for _ in 0..300 {
            blocks.push(std::array::from_fn(|_| next() as u8));
        }
        blocks
    }

    #[test]
    fn the_coefficients_are_the_dct_quantized() {
        for table in [[1u16; 64], crate::jpeg::quantization::table(75, true)] {
            let quantize = Quantize::new(&table);
            for samples in blocks() {
                let got = forward_scalar(&samples, &quantize);
                let expected = reference(&samples, &table);
                for i in 0..64 {
                    // Within a rounding of the exact value.
                    let got = got[usize::from(ZIGZAG[i])];
                    assert!((f64::from(got) - expected[i]).abs() <= 0.51, "{i}: {got} vs {:.3}", expected[i]);
                }
            }
        }
    }

    #[test]
    fn the_simd_path_computes_what_the_scalar_one_does() {
        for quality in [30, 90, 100] {
            let quantize = Quantize::new(&crate::jpeg::quantization::table(quality, false));
            for samples in blocks() {
                let coefficients = forward_scalar(&samples, &quantize);
                assert_eq!(forward_simd(&samples, &quantize), coefficients);
                assert_eq!(nonzero_simd(&coefficients), nonzero_scalar(&coefficients));
            }
        }
    }
}
