//! `memcmp` for the module, in place of wasi-libc's.
//!
//! wasi-libc's `memcmp` compares one byte per loop turn. SQLite calls it for
//! every comparison of two texts (a sort, a `GROUP BY`, an index), and in
//! wasm every loop turn also checks the host's epoch (how it enforces
//! timeouts), so that loop was a tenth of the module's time on a `GROUP BY`
//! over text. This one compares eight bytes a turn. Defining it here keeps
//! the linker from taking wasi-libc's (a static archive's member is only
//! linked for a symbol nothing else defines).

/// C's `memcmp`, for everything in the module (SQLite's C and Rust's std).
///
/// # Safety
///
/// Both must be readable for `length` bytes (C's contract).
#[cfg(target_os = "wasi")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(left: *const u8, right: *const u8, length: usize) -> i32 {
    // SAFETY: the caller's contract is compare's.
    unsafe { compare(left, right, length) }
}

/// Compares the first `length` bytes of `left` and `right` as unsigned
/// bytes: negative, zero or positive as C's `memcmp`.
///
/// # Safety
///
/// Both must be readable for `length` bytes.
#[cfg_attr(not(target_os = "wasi"), allow(dead_code))]
unsafe fn compare(left: *const u8, right: *const u8, length: usize) -> i32 {
    // SAFETY (all reads): both are readable for `length` bytes, and every
    // read below ends at or before `length`.
    let word = |at: usize| unsafe {
        (left.add(at).cast::<u64>().read_unaligned(), right.add(at).cast::<u64>().read_unaligned())
    };
    let byte_difference = |at: usize| unsafe { i32::from(*left.add(at)) - i32::from(*right.add(at)) };
    // Little-endian: the lowest differing bit is in the first differing byte.
    let first_difference = |a: u64, b: u64| ((a ^ b).trailing_zeros() / 8) as usize;
    let mut at = 0;
    while at + 8 <= length {
        let (a, b) = word(at);
        if a != b {
            return byte_difference(at + first_difference(a, b));
        }
        at += 8;
    }
    if at < length && length >= 8 {
        // The last bytes, as a word that overlaps the last one compared.
        let (a, b) = word(length - 8);
        return if a == b { 0 } else { byte_difference(length - 8 + first_difference(a, b)) };
    }
    while at < length {
        let difference = byte_difference(at);
        if difference != 0 {
            return difference;
        }
        at += 1;
    }
    0
}

#[cfg(test)]
mod tests {
    /// The sign of `compare` of the common length, against the slices' own order.
    fn agrees(a: &[u8], b: &[u8]) {
        let length = a.len().min(b.len());
        // SAFETY: both slices hold `length` bytes.
        let got = unsafe { super::compare(a.as_ptr(), b.as_ptr(), length) };
        assert_eq!(got.signum(), a[..length].cmp(&b[..length]) as i32, "{a:?} {b:?}");
    }

    #[test]
    fn orders_as_c_does() {
        agrees(b"category-07", b"category-07");
        agrees(b"category-07", b"category-08");
        agrees(b"category-17x", b"category-07x");
        agrees(b"0123456789abcdef\xff", b"0123456789abcdef\x01");
        agrees(b"01234567\x80", b"01234567\x7f");
        agrees(b"\x01234567", b"\xff234567");
        agrees(b"abc", b"abd");
        agrees(b"", b"");
        // Every length to 20, with the difference at every place, or none.
        let a: Vec<u8> = (0..20).collect();
        for i in 0..20 {
            let mut b = a.clone();
            b[i] = 200;
            for length in 0..=20 {
                agrees(&a[..length], &b[..length]);
                agrees(&b[..length], &a[..length]);
            }
        }
    }
}
