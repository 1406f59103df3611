//! The symbols of entropy-coded data, kept as they come and counted, so
//! the file can be written with Huffman tables fitted to them (T.81 K.2):
//! each block's DC difference (its category and value bits), then its AC
//! coefficients as runs of zeros and sizes, runs of sixteen zeros, and the
//! end of the block.

use super::bit_writer::{BitWriter, size_and_bits};
use super::huffman::{EncodeTable, TableSpec};

/// End of block: the rest of the block's coefficients are zero.
const END_OF_BLOCK: u8 = 0x00;
/// Sixteen zeros, with more coefficients to come.
const SIXTEEN_ZEROS: u8 = 0xF0;

/// Which table codes a symbol: DC and AC of luma, DC and AC of chroma.
pub const DC_LUMA: usize = 0;
pub const AC_LUMA: usize = 1;
pub const DC_CHROMA: usize = 2;
pub const AC_CHROMA: usize = 3;

/// The symbols so far, each packed as `table << 19 | symbol << 11 | value
/// bits` (at most 11 of them), and how often each symbol of each table came.
pub struct Symbols {
    packed: Vec<u32>,
    frequencies: [[u32; 256]; 4],
}

impl Symbols {
    /// Room for about `capacity` symbols.
    pub fn with_capacity(capacity: usize) -> Self {
        Symbols { packed: Vec::with_capacity(capacity), frequencies: [[0; 256]; 4] }
    }

    #[inline(always)]
    fn push(&mut self, table: usize, symbol: u8, bits: u32) {
        self.frequencies[table & 3][usize::from(symbol)] += 1;
        self.packed.push(((table & 3) as u32) << 19 | u32::from(symbol) << 11 | (bits & 0x7FF));
    }

    /// A DC difference (magnitude below 2048).
    #[inline(always)]
    pub fn dc(&mut self, table: usize, difference: i32) {
        let (size, bits) = size_and_bits(difference);
        self.push(table, size as u8, bits);
    }

    /// A nonzero AC coefficient (magnitude below 1024) after `run` zeros.
    #[inline(always)]
    pub fn ac(&mut self, table: usize, mut run: u32, value: i32) {
        while run >= 16 {
            self.push(table, SIXTEEN_ZEROS, 0);
            run -= 16;
        }
        let (size, bits) = size_and_bits(value);
        self.push(table, (run << 4 | size) as u8, bits);
    }

    /// The end of a block before its 63rd AC coefficient.
    #[inline(always)]
    pub fn end_of_block(&mut self, table: usize) {
        self.push(table, END_OF_BLOCK, 0);
    }

    /// The table fitted to each table's symbols, if it has any.
    pub fn tables(&self) -> [Option<TableSpec>; 4] {
        std::array::from_fn(|t| {
            self.frequencies[t].iter().any(|&f| f > 0).then(|| TableSpec::optimal(&self.frequencies[t]))
        })
    }

    /// Writes every symbol with `tables` (by table number).
    pub fn write(&self, tables: &[EncodeTable; 4], writer: &mut BitWriter) {
        for &packed in &self.packed {
            let table = (packed >> 19) as usize & 3;
            let symbol = (packed >> 11) as u8;
            // A DC symbol is its value's size; an AC symbol's low four bits are.
            let size = if table.is_multiple_of(2) { u32::from(symbol) } else { u32::from(symbol & 15) };
            writer.symbol(&tables[table], symbol, packed & 0x7FF, size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::bit_reader::BitReader;
    use crate::jpeg::huffman::{Class, DecodeTable};

    #[test]
    fn symbols_written_with_their_fitted_tables_read_back() {
        let mut symbols = Symbols::with_capacity(16);
        symbols.dc(DC_LUMA, -5);
        symbols.ac(AC_LUMA, 0, 3);
        symbols.ac(AC_LUMA, 20, -1);
        symbols.end_of_block(AC_LUMA);
        symbols.dc(DC_CHROMA, 0);
        symbols.end_of_block(AC_CHROMA);
        let specs = symbols.tables();
        assert!(specs.iter().all(Option::is_some));
        let encode = specs.clone().map(|spec| EncodeTable::new(&spec.unwrap()).unwrap());
        let mut writer = BitWriter::new(Vec::new());
        symbols.write(&encode, &mut writer);
        let bytes = writer.finish().unwrap();
        let decode = |t: usize, class| DecodeTable::new(specs[t].as_ref().unwrap(), class).unwrap();
        let mut reader = BitReader::new(&bytes);
        reader.ensure_32();
        let size = reader.symbol(&decode(DC_LUMA, Class::Dc)).unwrap();
        assert_eq!(reader.value(u32::from(size)), -5);
        let ac = decode(AC_LUMA, Class::Ac);
        reader.ensure_32();
        assert_eq!(reader.symbol(&ac), Ok(0x02));
        assert_eq!(reader.value(2), 3);
        reader.ensure_32();
        assert_eq!(reader.symbol(&ac), Ok(SIXTEEN_ZEROS));
        assert_eq!(reader.symbol(&ac), Ok(0x41), "4 more zeros, then size 1");
        assert_eq!(reader.value(1), -1);
        assert_eq!(reader.symbol(&ac), Ok(END_OF_BLOCK));
        reader.ensure_32();
        assert_eq!(reader.symbol(&decode(DC_CHROMA, Class::Dc)), Ok(0));
        assert_eq!(reader.symbol(&decode(AC_CHROMA, Class::Ac)), Ok(END_OF_BLOCK));
        assert!(!reader.overran());
    }
}
