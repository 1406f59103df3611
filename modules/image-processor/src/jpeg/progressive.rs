//! Decoding a progressive scan's blocks (T.81 G.1.2): a DC scan codes the
//! DC coefficients' high bits (first) or one more bit of them (refinement);
//! an AC scan codes a band of zigzag positions of one component, with runs
//! of blocks that have nothing left in the band (EOB runs), first the high
//! bits, then one more bit of every nonzero coefficient and the new ones
//! that bit makes nonzero. The coefficients accumulate in the store's
//! blocks (natural order), scan after scan.

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

/// The first scan of zigzag positions `start..=end` (1 to 63): their bits
/// from `low` up. `blocks_to_skip` is the EOB run: blocks left with nothing
/// in the band.
pub fn ac_first(
    reader: &mut BitReader<'_>,
    table: &DecodeTable,
    block: &mut [i16; 64],
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

/// A refinement scan of zigzag positions `start..=end`: bit `low` of every
/// coefficient already nonzero, and the coefficients that become nonzero
/// (±2^low), each after its run of zeros.
pub fn ac_refine(
    reader: &mut BitReader<'_>,
    table: &DecodeTable,
    block: &mut [i16; 64],
    (start, end): (usize, usize),
    low: u32,
    blocks_to_skip: &mut u32,
) -> Result<(), Corrupt> {
    let mut k = start;
    if *blocks_to_skip == 0 {
        while k <= end {
            reader.ensure_32();
            let symbol = reader.symbol(table)?;
            let (mut run, size) = (u32::from(symbol >> 4), symbol & 15);
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
            // Past `run` zeros (refining the nonzero coefficients on the
            // way) to the zero that becomes `value` (or, after sixteen
            // zeros, past it).
            while k <= end {
                let coefficient = &mut block[usize::from(NATURAL[k])];
                if *coefficient != 0 {
                    refine(reader, coefficient, low);
                } else {
                    if run == 0 {
                        break;
                    }
                    run -= 1;
                }
                k += 1;
            }
            if value != 0 {
                if k > end {
                    return Err(Corrupt::BadValue);
                }
                block[usize::from(NATURAL[k])] = value;
            }
            k += 1;
        }
    }
    if *blocks_to_skip > 0 {
        // Nothing new in this block: only the refinement bits.
        while k <= end {
            let coefficient = &mut block[usize::from(NATURAL[k])];
            if *coefficient != 0 {
                refine(reader, coefficient, low);
            }
            k += 1;
        }
        *blocks_to_skip -= 1;
    }
    Ok(())
}
