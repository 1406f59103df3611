//! Decoding a sequential scan: MCU after MCU, each component's blocks in
//! turn, every block's DC difference and AC run/size codes read into its 64
//! quantized coefficients, and handed to a [`BlockSink`] as they come, so
//! no coefficient plane of the whole image is ever held.

use super::bit_reader::{BitReader, Corrupt};
use super::header::Header;
use super::huffman::{Class, DecodeTable};

/// T.81's zigzag order: for each position in it, the natural (row by row)
/// index in the 8×8 block.
pub const NATURAL: [u8; 64] = natural_order();

/// The inverse: for each natural index, its zigzag position.
pub const ZIGZAG: [u8; 64] = {
    let mut zigzag = [0u8; 64];
    let mut k = 0;
    while k < 64 {
        zigzag[NATURAL[k] as usize] = k as u8;
        k += 1;
    }
    zigzag
};

const fn natural_order() -> [u8; 64] {
    let mut order = [0u8; 64];
    let mut k = 0;
    let mut diagonal = 0;
    while diagonal < 15 {
        let mut i = 0;
        while i <= diagonal {
            // Even diagonals run up and to the right, odd ones down and to the left.
            let (row, column) = if diagonal % 2 == 0 { (diagonal - i, i) } else { (i, diagonal - i) };
            if row < 8 && column < 8 {
                order[k] = (row * 8 + column) as u8;
                k += 1;
            }
            i += 1;
        }
        diagonal += 1;
    }
    order
}

/// Where a block's quantized coefficients go as they are decoded.
pub trait Coefficients {
    /// The DC coefficient: its value, not the difference the file codes.
    fn dc(&mut self, value: i16);
    /// The next nonzero AC coefficient, at zigzag position `k` (1 to 63,
    /// after the previous one's).
    fn ac(&mut self, k: usize, value: i16);
    /// Empties the block for the next one.
    fn clear(&mut self);
}

/// A block's coefficients in natural order (row by row), as the inverse
/// DCT reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub coefficients: [i16; 64],
    /// The zigzag position of the last coefficient the file gave (0: DC only).
    pub last: usize,
}

impl Default for Block {
    fn default() -> Self {
        Block { coefficients: [0; 64], last: 0 }
    }
}

impl Coefficients for Block {
    #[inline(always)]
    fn dc(&mut self, value: i16) {
        self.coefficients[0] = value;
    }

    #[inline(always)]
    fn ac(&mut self, k: usize, value: i16) {
        self.coefficients[usize::from(NATURAL[k])] = value;
        self.last = k;
    }

    #[inline(always)]
    fn clear(&mut self) {
        *self = Block::default();
    }
}

/// A block's nonzero coefficients in zigzag order, as an encoder writes
/// them: only what the file gave, however many zeros lie between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sparse {
    pub dc: i16,
    /// (zigzag position, value) of each nonzero AC coefficient; `count` of them.
    pub ac: [(u8, i16); 63],
    pub count: usize,
}

impl Default for Sparse {
    fn default() -> Self {
        Sparse { dc: 0, ac: [(0, 0); 63], count: 0 }
    }
}

impl Coefficients for Sparse {
    #[inline(always)]
    fn dc(&mut self, value: i16) {
        self.dc = value;
    }

    #[inline(always)]
    fn ac(&mut self, k: usize, value: i16) {
        // Positions only grow, so at most 63 come.
        if let Some(entry) = self.ac.get_mut(self.count) {
            *entry = (k as u8, value);
            self.count += 1;
        }
    }

    #[inline(always)]
    fn clear(&mut self) {
        self.count = 0;
    }
}

/// A block of the whole image's store, in natural order.
impl Coefficients for [i16; 64] {
    #[inline(always)]
    fn dc(&mut self, value: i16) {
        self[0] = value;
    }

    #[inline(always)]
    fn ac(&mut self, k: usize, value: i16) {
        self[usize::from(NATURAL[k])] = value;
    }

    #[inline(always)]
    fn clear(&mut self) {
        *self = [0; 64];
    }
}

impl Sparse {
    /// The nonzero AC coefficients.
    pub fn nonzero(&self) -> &[(u8, i16)] {
        &self.ac[..self.count.min(63)]
    }
}

/// What receives the decoded blocks.
pub trait BlockSink {
    /// How it wants a block's coefficients.
    type Block: Coefficients + Default;

    /// Block `column` of block row `row` of the current MCU row (rows are
    /// counted within it), of component `component`.
    fn block(&mut self, component: usize, column: usize, row: usize, block: &Self::Block);

    /// Every block of MCU row `mcu_row` has been given.
    fn end_of_mcu_row(&mut self, mcu_row: usize);
}

/// How the scan's blocks are laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// MCUs per row and rows of MCUs.
    pub mcus_x: usize,
    pub mcus_y: usize,
    /// Blocks across and down in each component's part of an MCU.
    pub blocks: Vec<(usize, usize)>,
}

impl Layout {
    /// The layout of `header`'s scan. A scan of one component has an MCU of
    /// one block whatever its sampling factors (T.81 A.2.2).
    pub fn of(header: &Header<'_>) -> Layout {
        if header.components.len() == 1 {
            return Layout {
                mcus_x: header.width.div_ceil(8),
                mcus_y: header.height.div_ceil(8),
                blocks: vec![(1, 1)],
            };
        }
        let (h, v) = header.max_sampling();
        Layout {
            mcus_x: header.width.div_ceil(8 * h),
            mcus_y: header.height.div_ceil(8 * v),
            blocks: header.components.iter().map(|c| (c.h, c.v)).collect(),
        }
    }
}

/// Decodes the scan of `header`, which must be its only one
/// ([`Header::is_single_scan`]), giving every block to `sink`.
pub fn decode<S: BlockSink>(header: &Header<'_>, sink: &mut S) -> Result<(), Corrupt> {
    let layout = Layout::of(header);
    let table = |spec: &Option<_>, class| spec.as_ref().map(|spec| DecodeTable::new(spec, class));
    let dc = [table(&header.tables.dc[0], Class::Dc), table(&header.tables.dc[1], Class::Dc)];
    let ac = [table(&header.tables.ac[0], Class::Ac), table(&header.tables.ac[1], Class::Ac)];
    let mut tables = Vec::new();
    for component in &header.components {
        match (dc.get(component.dc_table), ac.get(component.ac_table)) {
            (Some(Some(Ok(dc))), Some(Some(Ok(ac)))) => tables.push((dc, ac)),
            _ => return Err(Corrupt::BadCode),
        }
    }
    let mut reader = BitReader::new(header.scan);
    let mut predictions = vec![0i32; header.components.len()];
    let mut block = S::Block::default();
    let mut until_restart = header.tables.restart_interval;
    let mut restart_number = 0u8;
    for mcu_row in 0..layout.mcus_y {
        for mcu_x in 0..layout.mcus_x {
            if header.tables.restart_interval > 0 {
                if until_restart == 0 {
                    reader.restart(restart_number)?;
                    restart_number = restart_number.wrapping_add(1);
                    predictions.fill(0);
                    until_restart = header.tables.restart_interval;
                }
                until_restart -= 1;
            }
            for (component, (&(h, v), &(dc, ac))) in layout.blocks.iter().zip(&tables).enumerate() {
                for row in 0..v {
                    for across in 0..h {
                        decode_block(&mut reader, dc, ac, &mut predictions[component], &mut block)?;
                        sink.block(component, mcu_x * h + across, row, &block);
                        block.clear();
                    }
                }
            }
            if reader.overran() {
                return Err(Corrupt::Truncated);
            }
        }
        sink.end_of_mcu_row(mcu_row);
    }
    // The file ends as a JPEG must, with EOI after the scan.
    if !reader.rest().windows(2).any(|marker| marker == [0xFF, 0xD9]) {
        return Err(Corrupt::Truncated);
    }
    Ok(())
}

/// Reads one block's coefficients into `block` (which is empty).
#[inline(always)]
pub(super) fn decode_block(
    reader: &mut BitReader<'_>,
    dc: &DecodeTable,
    ac: &DecodeTable,
    prediction: &mut i32,
    block: &mut impl Coefficients,
) -> Result<(), Corrupt> {
    reader.ensure_32();
    let category = u32::from(reader.symbol(dc)?);
    if category > 11 {
        return Err(Corrupt::BadValue);
    }
    *prediction = prediction.wrapping_add(reader.value(category));
    block.dc((*prediction).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16);
    let mut k = 1;
    while k < 64 {
        reader.ensure_32();
        if let Some((run, value)) = reader.quick_coefficient(ac) {
            k += run;
            if k > 63 {
                return Err(Corrupt::BadValue);
            }
            block.ac(k, value as i16);
            k += 1;
            continue;
        }
        let symbol = reader.symbol(ac)?;
        let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            if run == 15 {
                k += 16;
                continue;
            }
            break;
        }
        k += run;
        if k > 63 || size > 10 {
            return Err(Corrupt::BadValue);
        }
        block.ac(k, reader.value(size) as i16);
        k += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::header;

    #[test]
    fn zigzag_order_is_t81s() {
        assert_eq!(NATURAL[..10], [0, 1, 8, 16, 9, 2, 3, 10, 17, 24]);
        assert_eq!(NATURAL[52..], [38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]);
        let mut sorted = NATURAL;
        sorted.sort();
        assert!(sorted.iter().enumerate().all(|(i, &n)| usize::from(n) == i));
    }

    /// Counts blocks and keeps every block's DC value.
    #[derive(Default)]
    struct Collect {
        blocks: Vec<(usize, usize, usize, i16)>,
        rows: usize,
    }

    impl BlockSink for Collect {
        type Block = Block;

        fn block(&mut self, component: usize, column: usize, row: usize, block: &Block) {
            self.blocks.push((component, column, row, block.coefficients[0]));
        }
        fn end_of_mcu_row(&mut self, _: usize) {
            self.rows += 1;
        }
    }

    fn flat_jpeg(width: u16, height: u16, rgb: [u8; 3], restart: bool) -> Vec<u8> {
        let pixels: Vec<u8> = (0..usize::from(width) * usize::from(height)).flat_map(|_| rgb).collect();
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 90);
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
        if restart {
            encoder.set_restart_interval(1);
        }
        encoder.encode(&pixels, width, height, jpeg_encoder::ColorType::Rgb).unwrap();
        jpeg
    }

    #[test]
    fn every_block_comes_in_mcu_order() {
        for restart in [false, true] {
            let jpeg = flat_jpeg(40, 20, [128, 128, 128], restart);
            let header = header::parse(&jpeg).unwrap();
            assert_eq!(Layout::of(&header), Layout { mcus_x: 3, mcus_y: 2, blocks: vec![(2, 2), (1, 1), (1, 1)] });
            let mut collect = Collect::default();
            decode(&header, &mut collect).unwrap();
            assert_eq!(collect.rows, 2);
            assert_eq!(collect.blocks.len(), 3 * 2 * 6);
            assert_eq!(
                collect.blocks[..6].iter().map(|b| (b.0, b.1, b.2)).collect::<Vec<_>>(),
                [(0, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 1), (1, 0, 0), (2, 0, 0)]
            );
            // Mid gray: every DC is 0, with or without restarts resetting the prediction.
            assert!(collect.blocks.iter().all(|b| b.3 == 0), "{restart}");
        }
    }

    #[test]
    fn a_cut_scan_is_truncated_and_garbage_never_panics() {
        let jpeg = flat_jpeg(64, 64, [200, 30, 90], false);
        let header = header::parse(&jpeg).unwrap();
        let cut = header::Header { scan: &header.scan[..header.scan.len() / 3], ..header.clone() };
        assert_eq!(decode(&cut, &mut Collect::default()), Err(Corrupt::Truncated));
        let without_end = header::Header { scan: &header.scan[..header.scan.len() - 2], ..header.clone() };
        assert_eq!(decode(&without_end, &mut Collect::default()), Err(Corrupt::Truncated), "no EOI");
        assert_eq!(decode(&header, &mut Collect::default()), Ok(()));
        let mut noise = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..200 {
            let garbage: Vec<u8> = (0..300)
                .map(|_| {
                    noise ^= noise << 13;
                    noise ^= noise >> 7;
                    noise ^= noise << 17;
                    noise as u8
                })
                .collect();
            let _ = decode(&header::Header { scan: &garbage, ..header.clone() }, &mut Collect::default());
        }
    }
}
