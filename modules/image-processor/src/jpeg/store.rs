//! Every coefficient of the image at once, for files whose scans each hold
//! only part of them: progressive files (bands of coefficients, bits of
//! them) and sequential ones with a scan per component. The scans fill the
//! store one after another; then it hands its blocks to a [`BlockSink`] in
//! the order one interleaved sequential scan would have, so the fast paths
//! treat every file alike.

use super::bit_reader::{BitReader, Corrupt};
use super::desaturate::NotDone;
use super::header::{self, Header, Scan, Tables, Unsupported};
use super::huffman::{Class, DecodeTable};
use super::progressive;
use super::scan::{self, BlockSink, Coefficients, Layout, NATURAL};

/// The most memory the coefficients may take (12 megapixels in 4:2:0 take
/// 36 MB, in 4:4:4 72 MB); a larger image goes the general way.
const MAX_BYTES: usize = 160 << 20;

/// The coefficients of every block, component by component, on the grid of
/// MCUs (the blocks that pad the last MCUs included).
pub struct Store {
    layout: Layout,
    /// Per component: its blocks, row by row, `layout.mcus_x × h` across.
    planes: Vec<Vec<[i16; 64]>>,
    /// For each block, its nonzero AC coefficients: bit k for zigzag
    /// position k.
    nonzero: Vec<Vec<u64>>,
}

/// A block of the store as a sequential scan fills it.
struct Filling<'a> {
    coefficients: &'a mut [i16; 64],
    nonzero: &'a mut u64,
}

impl Coefficients for Filling<'_> {
    #[inline(always)]
    fn dc(&mut self, value: i16) {
        self.coefficients[0] = value;
    }

    #[inline(always)]
    fn ac(&mut self, k: usize, value: i16) {
        self.coefficients[usize::from(NATURAL[k])] = value;
        *self.nonzero |= 1 << k;
    }

    fn clear(&mut self) {}
}

impl Store {
    fn width(&self, component: usize) -> usize {
        self.layout.mcus_x * self.layout.blocks[component].0
    }
}

/// Decodes every scan of `header`'s file into a store.
pub fn decode(header: &Header<'_>) -> Result<Store, NotDone> {
    let layout = Layout::of(header);
    let blocks: usize = layout.blocks.iter().map(|(h, v)| layout.mcus_x * h * layout.mcus_y * v).sum();
    if blocks.saturating_mul(136) > MAX_BYTES {
        return Err(Unsupported("too many coefficients to hold at once").into());
    }
    let planes = layout.blocks.iter().map(|(h, v)| vec![[0; 64]; layout.mcus_x * h * layout.mcus_y * v]).collect();
    let nonzero = layout.blocks.iter().map(|(h, v)| vec![0; layout.mcus_x * h * layout.mcus_y * v]).collect();
    let mut store = Store { layout, planes, nonzero };
    let mut tables = header.tables.clone();
    let (mut scan, mut data) = (header.first_scan.clone(), header.scan);
    loop {
        let rest = decode_scan(&mut store, header, &tables, &scan, data)?;
        match header::next_scan(rest, header, &mut tables)? {
            Some((next, next_data)) => (scan, data) = (next, next_data),
            None => return Ok(store),
        }
    }
}

/// What a scan codes, for each of its blocks.
#[derive(Clone, Copy)]
enum Kind {
    Sequential,
    DcFirst,
    DcRefine,
    AcFirst,
    AcRefine,
}

/// Decodes one scan into the store; returns the file after its data.
fn decode_scan<'a>(
    store: &mut Store,
    header: &Header<'_>,
    tables: &Tables,
    scan: &Scan,
    data: &'a [u8],
) -> Result<&'a [u8], NotDone> {
    let kind = match (header.progressive, scan.start == 0, scan.high == 0) {
        (false, _, _) => Kind::Sequential,
        (true, true, true) => Kind::DcFirst,
        (true, true, false) => Kind::DcRefine,
        (true, false, true) => Kind::AcFirst,
        (true, false, false) => Kind::AcRefine,
    };
    let needs = |class: Class| match kind {
        Kind::Sequential => true,
        Kind::DcFirst => class == Class::Dc,
        Kind::DcRefine => false,
        Kind::AcFirst | Kind::AcRefine => class == Class::Ac,
    };
    let missing = NotDone::Unsupported(Unsupported("a scan whose Huffman table is not defined"));
    let mut decoders = Vec::new();
    for &(_, dc, ac) in &scan.components {
        let table = |specs: &[Option<_>; 4], number: usize, class| -> Result<Option<DecodeTable>, NotDone> {
            if !needs(class) {
                return Ok(None);
            }
            let spec = specs[number].as_ref().ok_or(missing)?;
            DecodeTable::new(spec, class).map(Some).map_err(|_| NotDone::Corrupt(Corrupt::BadCode))
        };
        decoders.push((table(&tables.dc, dc, Class::Dc)?, table(&tables.ac, ac, Class::Ac)?));
    }
    let interleaved = scan.components.len() > 1;
    let (mcus_x, mcus_y) = if interleaved {
        (store.layout.mcus_x, store.layout.mcus_y)
    } else {
        // One component: its own blocks, without the MCUs' padding.
        let (h_max, v_max) = if header.components.len() == 1 { (1, 1) } else { header.max_sampling() };
        let component = &header.components[scan.components[0].0];
        let (h, v) = if header.components.len() == 1 { (1, 1) } else { (component.h, component.v) };
        ((header.width * h).div_ceil(h_max).div_ceil(8), (header.height * v).div_ceil(v_max).div_ceil(8))
    };
    let mut reader = BitReader::new(data);
    let mut predictions = [0i32; 4];
    let mut blocks_to_skip = 0u32;
    let mut until_restart = tables.restart_interval;
    let mut restart_number = 0u8;
    for mcu_y in 0..mcus_y {
        for mcu_x in 0..mcus_x {
            if tables.restart_interval > 0 {
                if until_restart == 0 {
                    reader.restart(restart_number)?;
                    restart_number = restart_number.wrapping_add(1);
                    predictions = [0; 4];
                    blocks_to_skip = 0;
                    until_restart = tables.restart_interval;
                }
                until_restart -= 1;
            }
            for (i, (&(component, _, _), (dc, ac))) in scan.components.iter().zip(&decoders).enumerate() {
                let (h, v) = if interleaved { store.layout.blocks[component] } else { (1, 1) };
                let width = store.width(component);
                for row in 0..v {
                    for across in 0..h {
                        let (x, y) = (mcu_x * h + across, mcu_y * v + row);
                        let block = store.planes[component].get_mut(y * width + x).ok_or(Corrupt::BadValue)?;
                        let nonzero = store.nonzero[component].get_mut(y * width + x).ok_or(Corrupt::BadValue)?;
                        let (dc, ac) = (dc.as_ref(), ac.as_ref());
                        match (kind, dc, ac) {
                            (Kind::Sequential, Some(dc), Some(ac)) => {
                                let mut filling = Filling { coefficients: block, nonzero };
                                scan::decode_block(&mut reader, dc, ac, &mut predictions[i], &mut filling)?;
                            }
                            (Kind::DcFirst, Some(dc), _) => {
                                progressive::dc_first(&mut reader, dc, &mut predictions[i], block, scan.low)?;
                            }
                            (Kind::DcRefine, _, _) => progressive::dc_refine(&mut reader, block, scan.low),
                            (Kind::AcFirst, _, Some(ac)) => {
                                let band = (scan.start, scan.end);
                                progressive::ac_first(
                                    &mut reader,
                                    ac,
                                    block,
                                    nonzero,
                                    band,
                                    scan.low,
                                    &mut blocks_to_skip,
                                )?;
                            }
                            (Kind::AcRefine, _, Some(ac)) => {
                                let band = (scan.start, scan.end);
                                let skip = &mut blocks_to_skip;
                                progressive::ac_refine(&mut reader, ac, block, nonzero, band, scan.low, skip)?;
                            }
                            _ => return Err(missing),
                        }
                    }
                }
            }
            if reader.overran() {
                return Err(Corrupt::Truncated.into());
            }
        }
    }
    Ok(reader.rest())
}

impl Store {
    /// Gives every block to `sink` in the order of one interleaved scan.
    pub fn replay<S: BlockSink>(&self, sink: &mut S) {
        let mut block = S::Block::default();
        for mcu_y in 0..self.layout.mcus_y {
            for mcu_x in 0..self.layout.mcus_x {
                for (component, &(h, v)) in self.layout.blocks.iter().enumerate() {
                    let width = self.width(component);
                    for row in 0..v {
                        for across in 0..h {
                            let x = mcu_x * h + across;
                            let at = (mcu_y * v + row) * width + x;
                            let coefficients = &self.planes[component][at];
                            block.dc(coefficients[0]);
                            let mut nonzero = self.nonzero[component][at] & !1;
                            while nonzero != 0 {
                                let k = nonzero.trailing_zeros() as usize;
                                nonzero &= nonzero - 1;
                                block.ac(k, coefficients[usize::from(NATURAL[k])]);
                            }
                            sink.block(component, x, row, &block);
                            block.clear();
                        }
                    }
                }
            }
            sink.end_of_mcu_row(mcu_y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::scan::Block;

    /// Every block inside the image (not the blocks that pad the last
    /// MCUs, which a progressive file codes only in part) with its
    /// coefficients: (component, column, row, coefficients).
    struct Collect {
        /// Per component: blocks per MCU down, and blocks inside the image across and down.
        components: Vec<(usize, usize, usize)>,
        rows_done: usize,
        blocks: Vec<(usize, usize, usize, [i16; 64])>,
    }

    impl Collect {
        fn new(header: &Header<'_>) -> Self {
            let (h_max, v_max) = header.max_sampling();
            let components = header
                .components
                .iter()
                .map(|c| {
                    let across = (header.width * c.h).div_ceil(h_max).div_ceil(8);
                    (c.v, across, (header.height * c.v).div_ceil(v_max).div_ceil(8))
                })
                .collect();
            Collect { components, rows_done: 0, blocks: Vec::new() }
        }
    }

    impl BlockSink for Collect {
        type Block = Block;

        fn block(&mut self, component: usize, column: usize, row: usize, block: &Block) {
            let (v, across, down) = self.components[component];
            let row = self.rows_done * v + row;
            if column < across && row < down {
                self.blocks.push((component, column, row, block.coefficients));
            }
        }
        fn end_of_mcu_row(&mut self, _: usize) {
            self.rows_done += 1;
        }
    }

    fn pixels(width: usize, height: usize) -> Vec<u8> {
        (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                [(x * 5 + y) as u8, (y * 3 + x / 2) as u8, (255 - x - y) as u8]
                    .map(|c| c.wrapping_mul(1 + (x % 3) as u8))
            })
            .collect()
    }

    fn encode(width: u16, height: u16, configure: impl Fn(&mut jpeg_encoder::Encoder<&mut Vec<u8>>)) -> Vec<u8> {
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 85);
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
        configure(&mut encoder);
        encoder
            .encode(&pixels(usize::from(width), usize::from(height)), width, height, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        jpeg
    }

    /// The blocks of the one-scan file, as the streaming decoder gives them.
    fn streamed(jpeg: &[u8]) -> Vec<(usize, usize, usize, [i16; 64])> {
        let header = header::parse(jpeg).unwrap();
        assert!(header.is_single_scan());
        let mut collect = Collect::new(&header);
        scan::decode(&header, &mut collect).unwrap();
        collect.blocks
    }

    fn stored(jpeg: &[u8]) -> Vec<(usize, usize, usize, [i16; 64])> {
        let header = header::parse(jpeg).unwrap();
        assert!(!header.is_single_scan());
        let mut collect = Collect::new(&header);
        decode(&header).unwrap().replay(&mut collect);
        collect.blocks
    }

    #[test]
    fn progressive_and_one_scan_per_component_give_the_one_scans_coefficients() {
        for (width, height) in [(64, 48), (70, 33)] {
            let one_scan = streamed(&encode(width, height, |_| {}));
            let progressive = stored(&encode(width, height, |e| e.set_progressive(true)));
            assert_eq!(progressive.len(), one_scan.len());
            assert!(progressive == one_scan, "progressive {width}×{height}: the same coefficients");
            // jpeg-encoder writes a scan per component when it optimizes its tables.
            let per_component = stored(&encode(width, height, |e| e.set_optimized_huffman_tables(true)));
            assert!(per_component == one_scan, "a scan per component {width}×{height}");
            let with_restarts = stored(&encode(width, height, |e| {
                e.set_progressive(true);
                e.set_restart_interval(2);
            }));
            assert!(with_restarts == one_scan, "progressive with restarts {width}×{height}");
        }
    }

    #[test]
    fn damaged_progressive_files_are_refused_never_panic() {
        let jpeg = encode(64, 48, |e| e.set_progressive(true));
        let header = header::parse(&jpeg).unwrap();
        let cut = Header { scan: &header.scan[..header.scan.len() / 2], ..header.clone() };
        assert!(decode(&cut).is_err());
        let mut noise = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..300 {
            let mut damaged = jpeg.clone();
            for _ in 0..4 {
                noise ^= noise << 13;
                noise ^= noise >> 7;
                noise ^= noise << 17;
                let at = 200 + (noise as usize) % (damaged.len() - 200);
                damaged[at] = (noise >> 32) as u8;
            }
            if let Ok(header) = header::parse(&damaged) {
                let _ = decode(&header).map(|store| store.replay(&mut Collect::new(&header)));
            }
        }
    }
}
