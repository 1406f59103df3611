//! Decoding a progressive scan's blocks (T.81 G.1.2): a DC scan codes the
//! DC coefficients' high bits (first) or one more bit of them (refinement);
//! an AC scan codes a band of zigzag positions of one component, with runs
//! of blocks that have nothing left in the band (EOB runs), first the high
//! bits, then one more bit of every nonzero coefficient and the new ones
//! that bit makes nonzero. The coefficients accumulate in the store's
//! blocks (natural order), scan after scan, each block with a mask of its
//! nonzero AC coefficients (bit k for zigzag position k), so a refinement
//! visits only the coefficients it refines.

use super::bit_reader::{BitReader, Corrupt};
use super::huffman::DecodeTable;
use super::scan::NATURAL;

fn clamped(value: i64) -> i16 {
    value.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

/// The first scan of a block's DC coefficient: its bits from `low` up.
pub fn dc_first(
    reader: &mut BitReader<'_>,
    table: &DecodeTable,
    prediction: &mut i32,
    block: &mut [i16; 64],
    low: u32,
) -> Result<(), Corrupt> {
    reader.ensure_32();
    let category = u32::from(reader.symbol(table)?);
    if category > 11 {
        return Err(Corrupt::BadValue);
    }
    *prediction = prediction.wrapping_add(reader.value(category));
    block[0] = clamped(i64::from(*prediction) << low);
    Ok(())
}

/// Bit `low` of a block's DC coefficient.
pub fn dc_refine(reader: &mut BitReader<'_>, block: &mut [i16; 64], low: u32) {
    reader.ensure_32();
    if reader.bits(1) == 1 {
        block[0] |= 1 << low;
    }
}

/// The bits of zigzag positions `from..=to` (none if `from > to`).
fn band(from: usize, to: usize) -> u64 {
    if from > to { 0 } else { (u64::MAX >> (63 - to)) & (u64::MAX << from) }
}

/// The first scan of zigzag positions `start..=end` (1 to 63): their bits
/// from `low` up. `blocks_to_skip` is the EOB run: blocks left with nothing
/// in the band.
pub fn ac_first(
    reader: &mut BitReader<'_>,
    table: &DecodeTable,
    block: &mut [i16; 64],
    nonzero: &mut u64,
    (start, end): (usize, usize),
    low: u32,
    blocks_to_skip: &mut u32,
) -> Result<(), Corrupt> {
    if *blocks_to_skip > 0 {
        *blocks_to_skip -= 1;
        return Ok(());
    }
    let mut k = start;
    while k <= end {
        reader.ensure_32();
        let symbol = reader.symbol(table)?;
        let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            if run < 15 {
                // This block and 2^run − 1 + (run more bits) after it.
                *blocks_to_skip = (1 << run) - 1 + reader.bits(run);
                break;
            }
            k += 16;
            continue;
        }
        k += run as usize;
        if k > end || size > 10 {
            return Err(Corrupt::BadValue);
        }
        block[usize::from(NATURAL[k])] = clamped(i64::from(reader.value(size)) << low);
        *nonzero |= 1 << k;
        k += 1;
    }
    Ok(())
}

/// Adds bit `low` to a nonzero coefficient if the next bit says so.
#[inline(always)]
fn refine(reader: &mut BitReader<'_>, coefficient: &mut i16, low: u32) {
    reader.ensure_32();
    let bit = 1i16 << low;
    if reader.bits(1) == 1 && *coefficient & bit == 0 {
        *coefficient =
            if *coefficient >= 0 { coefficient.saturating_add(bit) } else { coefficient.saturating_sub(bit) };
    }
}

/// Refines the coefficients at the zigzag positions of `positions`, in order.
#[inline(always)]
fn refine_all(reader: &mut BitReader<'_>, block: &mut [i16; 64], mut positions: u64, low: u32) {
    while positions != 0 {
        let k = positions.trailing_zeros() as usize;
        positions &= positions - 1;
        refine(reader, &mut block[usize::from(NATURAL[k])], low);
    }
}

/// A refinement scan of zigzag positions `start..=end`: bit `low` of every
/// coefficient already nonzero, and the coefficients that become nonzero
/// (±2^low), each after its run of zeros.
pub fn ac_refine(
    reader: &mut BitReader<'_>,
    table: &DecodeTable,
    block: &mut [i16; 64],
    nonzero: &mut u64,
    (start, end): (usize, usize),
    low: u32,
    blocks_to_skip: &mut u32,
) -> Result<(), Corrupt> {
    let mut k = start;
    if *blocks_to_skip == 0 {
        while k <= end {
            reader.ensure_32();
            let symbol = reader.symbol(table)?;
            let (run, size) = (u32::from(symbol >> 4), symbol & 15);
            let mut value = 0i16;
            if size != 0 {
                if size != 1 {
                    return Err(Corrupt::BadValue);
                }
                value = if reader.bits(1) == 1 { 1 << low } else { -1 << low };
            } else if run != 15 {
                *blocks_to_skip = (1 << run) + reader.bits(run);
                break;
            }
            // The zero after `run` zeros (zeros cost no bits): `value` goes
            // there (after sixteen zeros, nothing does); the nonzero
            // coefficients before it are refined on the way.
            let mut zeros = !*nonzero & band(k, end);
            for _ in 0..run {
                zeros &= zeros.wrapping_sub(1);
            }
            let target = if zeros == 0 { end + 1 } else { zeros.trailing_zeros() as usize };
            refine_all(reader, block, *nonzero & band(k, target - 1), low);
            if value != 0 {
                if target > end {
                    return Err(Corrupt::BadValue);
                }
                block[usize::from(NATURAL[target])] = value;
                *nonzero |= 1 << target;
            }
            k = target + 1;
        }
    }
    if *blocks_to_skip > 0 {
        // Nothing new in this block: only the refinement bits.
        refine_all(reader, block, *nonzero & band(k, end), low);
        *blocks_to_skip -= 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_are_the_bits_between() {
        assert_eq!(band(1, 63), u64::MAX - 1);
        assert_eq!(band(0, 0), 1);
        assert_eq!(band(5, 7), 0b1110_0000);
        assert_eq!(band(6, 5), 0);
        assert_eq!(band(63, 63), 1 << 63);
    }
}
