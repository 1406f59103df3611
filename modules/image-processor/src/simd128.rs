//! The WebAssembly SIMD128 operations the module's own kernels use
//! ([`crate::ycbcr_kernels`], the JPEG inverse and forward DCTs): on wasm32 the
//! instructions themselves (`core::arch::wasm32`, which these names
//! follow), elsewhere the same operations computed lane by lane, as the
//! WebAssembly specification defines them. The kernels run the SIMD path
//! in wasm and their scalar fallback natively; with this, the native unit
//! tests can run the SIMD code too and compare the two.

#![allow(non_camel_case_types, dead_code)]

#[cfg(target_arch = "wasm32")]
pub use core::arch::wasm32::{
    f32x4_add, f32x4_convert_i32x4, f32x4_mul, f32x4_pmax, f32x4_pmin, f32x4_splat, f32x4_sub, i16x8_add,
    i16x8_bitmask, i16x8_narrow_i32x4, i16x8_ne, i16x8_q15mulr_sat, i16x8_shl, i16x8_shr, i16x8_splat, i16x8_sub,
    i32x4_extend_high_i16x8, i32x4_extend_low_i16x8, i32x4_sub, u8x16_narrow_i16x8, u8x16_swizzle,
    u16x8_extend_high_u8x16, u16x8_extend_low_u8x16, v128, v128_or,
};

/// The swizzle (`u8x16_swizzle` indices) that puts the lanes of an R, G or
/// B vector (`channel` 0, 1, 2) in their places in 16-byte part `part` of 48
/// packed RGB bytes (0x80: none).
pub const fn scatter(channel: usize, part: usize) -> [u8; 16] {
    let mut index = [0x80; 16];
    let mut lane = 0;
    while lane < 16 {
        let byte = part * 16 + lane;
        if byte % 3 == channel {
            index[lane] = (byte / 3) as u8;
        }
        lane += 1;
    }
    index
}

/// Lane `lane` (0 to 3) of `v` in all four lanes.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
pub fn f32x4_broadcast(v: v128, lane: usize) -> v128 {
    use core::arch::wasm32::i32x4_shuffle;
    match lane {
        0 => i32x4_shuffle::<0, 0, 0, 0>(v, v),
        1 => i32x4_shuffle::<1, 1, 1, 1>(v, v),
        2 => i32x4_shuffle::<2, 2, 2, 2>(v, v),
        _ => i32x4_shuffle::<3, 3, 3, 3>(v, v),
    }
}

/// 16 bytes as a vector.
#[cfg(target_arch = "wasm32")]
pub fn from_bytes(bytes: [u8; 16]) -> v128 {
    // SAFETY: v128 is 16 plain bytes.
    unsafe { core::mem::transmute(bytes) }
}

/// A vector as its 16 bytes.
#[cfg(target_arch = "wasm32")]
pub fn to_bytes(vector: v128) -> [u8; 16] {
    // SAFETY: v128 is 16 plain bytes.
    unsafe { core::mem::transmute(vector) }
}

/// The 4×4 matrix whose rows are `rows`, transposed.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
pub fn f32x4_transpose([a, b, c, d]: [v128; 4]) -> [v128; 4] {
    use core::arch::wasm32::i32x4_shuffle;
    let (t0, t1) = (i32x4_shuffle::<0, 4, 1, 5>(a, b), i32x4_shuffle::<2, 6, 3, 7>(a, b));
    let (t2, t3) = (i32x4_shuffle::<0, 4, 1, 5>(c, d), i32x4_shuffle::<2, 6, 3, 7>(c, d));
    [
        i32x4_shuffle::<0, 1, 4, 5>(t0, t2),
        i32x4_shuffle::<2, 3, 6, 7>(t0, t2),
        i32x4_shuffle::<0, 1, 4, 5>(t1, t3),
        i32x4_shuffle::<2, 3, 6, 7>(t1, t3),
    ]
}

/// A vector's eight i16 lanes.
#[cfg(target_arch = "wasm32")]
pub fn to_i16s(vector: v128) -> [i16; 8] {
    // SAFETY: v128 is 16 plain bytes, lanes little-endian as in memory.
    unsafe { core::mem::transmute(vector) }
}

/// Eight i16 lanes.
#[cfg(target_arch = "wasm32")]
pub fn from_i16s(lanes: [i16; 8]) -> v128 {
    // SAFETY: v128 is 16 plain bytes, lanes little-endian as in memory.
    unsafe { core::mem::transmute(lanes) }
}

/// Four f32 lanes.
#[cfg(target_arch = "wasm32")]
pub fn from_f32s(lanes: [f32; 4]) -> v128 {
    // SAFETY: as above.
    unsafe { core::mem::transmute(lanes) }
}

/// A vector's four f32 lanes.
#[cfg(target_arch = "wasm32")]
pub fn to_f32s(vector: v128) -> [f32; 4] {
    // SAFETY: as above.
    unsafe { core::mem::transmute(vector) }
}

#[cfg(not(target_arch = "wasm32"))]
pub use emulated::*;

/// Each lane (a whole-number-valued or fractional f32 of magnitude below
/// 2²²) rounded to the nearest whole number, ties to even, as i32 lanes:
/// adding 1.5·2²³ leaves the integer in the low mantissa bits (IEEE's own
/// rounding does the rounding). Cheaper in wasm than `f32x4.nearest`
/// followed by a saturating conversion.
#[inline(always)]
pub fn f32x4_round_small(v: v128) -> v128 {
    const MAGIC: f32 = 12_582_912.0;
    i32x4_sub(f32x4_add(v, f32x4_splat(MAGIC)), from_f32s([MAGIC; 4]))
}

#[cfg(not(target_arch = "wasm32"))]
mod emulated {
    /// 128 bits, lanes little-endian as in WebAssembly.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct v128([u8; 16]);

    pub fn from_bytes(bytes: [u8; 16]) -> v128 {
        v128(bytes)
    }

    pub fn to_bytes(vector: v128) -> [u8; 16] {
        vector.0
    }

    pub fn to_f32s(v: v128) -> [f32; 4] {
        f32s(v)
    }

    fn i16s(v: v128) -> [i16; 8] {
        std::array::from_fn(|i| i16::from_le_bytes([v.0[2 * i], v.0[2 * i + 1]]))
    }

    pub fn from_i16s(lanes: [i16; 8]) -> v128 {
        v128(std::array::from_fn(|i| lanes[i / 2].to_le_bytes()[i % 2]))
    }

    fn i32s(v: v128) -> [i32; 4] {
        std::array::from_fn(|i| i32::from_le_bytes(v.0[4 * i..4 * i + 4].try_into().expect("4 bytes")))
    }

    fn from_i32s(lanes: [i32; 4]) -> v128 {
        v128(std::array::from_fn(|i| lanes[i / 4].to_le_bytes()[i % 4]))
    }

    fn f32s(v: v128) -> [f32; 4] {
        i32s(v).map(|bits| f32::from_bits(bits as u32))
    }

    pub fn from_f32s(lanes: [f32; 4]) -> v128 {
        from_i32s(lanes.map(|f| f.to_bits() as i32))
    }

    fn map16(a: v128, b: v128, f: impl Fn(i16, i16) -> i16) -> v128 {
        let (a, b) = (i16s(a), i16s(b));
        from_i16s(std::array::from_fn(|i| f(a[i], b[i])))
    }

    pub fn i16x8_splat(value: i16) -> v128 {
        from_i16s([value; 8])
    }

    pub fn i16x8_add(a: v128, b: v128) -> v128 {
        map16(a, b, i16::wrapping_add)
    }

    pub fn i16x8_sub(a: v128, b: v128) -> v128 {
        map16(a, b, i16::wrapping_sub)
    }

    pub fn i16x8_shl(a: v128, n: u32) -> v128 {
        from_i16s(i16s(a).map(|lane| lane.wrapping_shl(n % 16)))
    }

    pub fn i16x8_shr(a: v128, n: u32) -> v128 {
        from_i16s(i16s(a).map(|lane| lane >> (n % 16)))
    }

    /// `(a·b + 2¹⁴) >> 15`, saturated.
    pub fn i16x8_q15mulr_sat(a: v128, b: v128) -> v128 {
        map16(a, b, |a, b| ((i32::from(a) * i32::from(b) + (1 << 14)) >> 15).clamp(-32768, 32767) as i16)
    }

    pub fn u16x8_extend_low_u8x16(a: v128) -> v128 {
        from_i16s(std::array::from_fn(|i| i16::from(a.0[i])))
    }

    pub fn u16x8_extend_high_u8x16(a: v128) -> v128 {
        from_i16s(std::array::from_fn(|i| i16::from(a.0[8 + i])))
    }

    pub fn u8x16_narrow_i16x8(a: v128, b: v128) -> v128 {
        let lanes: Vec<i16> = i16s(a).into_iter().chain(i16s(b)).collect();
        v128(std::array::from_fn(|i| lanes[i].clamp(0, 255) as u8))
    }

    pub fn i16x8_narrow_i32x4(a: v128, b: v128) -> v128 {
        let lanes: Vec<i32> = i32s(a).into_iter().chain(i32s(b)).collect();
        from_i16s(std::array::from_fn(|i| lanes[i].clamp(-32768, 32767) as i16))
    }

    pub fn u8x16_swizzle(a: v128, s: v128) -> v128 {
        v128(std::array::from_fn(|i| a.0.get(usize::from(s.0[i])).copied().unwrap_or(0)))
    }

    pub fn v128_or(a: v128, b: v128) -> v128 {
        v128(std::array::from_fn(|i| a.0[i] | b.0[i]))
    }

    pub fn i32x4_extend_low_i16x8(a: v128) -> v128 {
        let lanes = i16s(a);
        from_i32s(std::array::from_fn(|i| i32::from(lanes[i])))
    }

    pub fn i32x4_extend_high_i16x8(a: v128) -> v128 {
        let lanes = i16s(a);
        from_i32s(std::array::from_fn(|i| i32::from(lanes[4 + i])))
    }

    pub fn f32x4_splat(value: f32) -> v128 {
        from_f32s([value; 4])
    }

    pub fn f32x4_add(a: v128, b: v128) -> v128 {
        let (a, b) = (f32s(a), f32s(b));
        from_f32s(std::array::from_fn(|i| a[i] + b[i]))
    }

    pub fn f32x4_sub(a: v128, b: v128) -> v128 {
        let (a, b) = (f32s(a), f32s(b));
        from_f32s(std::array::from_fn(|i| a[i] - b[i]))
    }

    pub fn f32x4_transpose(rows: [v128; 4]) -> [v128; 4] {
        let rows = rows.map(f32s);
        std::array::from_fn(|i| from_f32s(std::array::from_fn(|j| rows[j][i])))
    }

    pub fn to_i16s(v: v128) -> [i16; 8] {
        i16s(v)
    }

    pub fn f32x4_mul(a: v128, b: v128) -> v128 {
        let (a, b) = (f32s(a), f32s(b));
        from_f32s(std::array::from_fn(|i| a[i] * b[i]))
    }

    /// `b < a ? b : a` (wasm's `f32x4.pmin`: one x86 `minps`).
    pub fn f32x4_pmin(a: v128, b: v128) -> v128 {
        let (a, b) = (f32s(a), f32s(b));
        from_f32s(std::array::from_fn(|i| if b[i] < a[i] { b[i] } else { a[i] }))
    }

    /// `a < b ? b : a` (wasm's `f32x4.pmax`).
    pub fn f32x4_pmax(a: v128, b: v128) -> v128 {
        let (a, b) = (f32s(a), f32s(b));
        from_f32s(std::array::from_fn(|i| if a[i] < b[i] { b[i] } else { a[i] }))
    }

    /// All ones where the lanes differ.
    pub fn i16x8_ne(a: v128, b: v128) -> v128 {
        map16(a, b, |a, b| if a != b { -1 } else { 0 })
    }

    /// Each lane's top bit, lane 0 lowest.
    pub fn i16x8_bitmask(a: v128) -> u8 {
        i16s(a).iter().enumerate().fold(0, |mask, (i, &lane)| mask | (u8::from(lane < 0) << i))
    }

    pub fn i32x4_sub(a: v128, b: v128) -> v128 {
        let (a, b) = (i32s(a), i32s(b));
        from_i32s(std::array::from_fn(|i| a[i].wrapping_sub(b[i])))
    }

    pub fn f32x4_broadcast(v: v128, lane: usize) -> v128 {
        f32x4_splat(f32s(v)[lane & 3])
    }

    pub fn f32x4_convert_i32x4(a: v128) -> v128 {
        from_f32s(i32s(a).map(|lane| lane as f32))
    }

    /// Truncation toward zero, saturated (NaN becomes 0), as Rust's `as`.
    pub fn i32x4_trunc_sat_f32x4(a: v128) -> v128 {
        from_i32s(f32s(a).map(|lane| lane as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_behave_as_webassembly_defines_them() {
        let a = i16x8_splat(-32768);
        assert_eq!(to_bytes(i16x8_q15mulr_sat(a, a))[..2], 32767i16.to_le_bytes(), "the one saturating product");
        let wide = u16x8_extend_low_u8x16(from_bytes([200; 16]));
        assert_eq!(
            to_bytes(u8x16_narrow_i16x8(i16x8_add(wide, wide), i16x8_sub(i16x8_splat(0), wide)))[..9],
            [255, 255, 255, 255, 255, 255, 255, 255, 0]
        );
        for (value, whole) in [(2.5f32, 2i32), (-3.5, -4), (254.49, 254), (-1024.0, -1024), (0.51, 1)] {
            assert_eq!(to_bytes(f32x4_round_small(f32x4_splat(value)))[..4], whole.to_le_bytes(), "{value}");
        }
        let swizzled = u8x16_swizzle(
            from_bytes(std::array::from_fn(|i| i as u8 + 1)),
            from_bytes([3, 0x80, 15, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        );
        assert_eq!(to_bytes(swizzled)[..4], [4, 0, 16, 0]);
        assert_eq!(to_bytes(i16x8_shr(i16x8_splat(-7), 1))[..2], (-4i16).to_le_bytes());
        let floats = f32x4_mul(f32x4_convert_i32x4(i32x4_extend_low_i16x8(i16x8_splat(-3))), f32x4_splat(2.5));
        assert_eq!(to_bytes(i32x4_trunc_sat_f32x4(floats))[..4], (-7i32).to_le_bytes());
    }
}
