//! Writing entropy-coded data: Huffman codes and value bits packed from the
//! highest bit, a 0x00 after every 0xFF byte (T.81 F.1.2.3), and the last
//! byte filled with ones.

use super::huffman::EncodeTable;

/// The entropy-coded data being written, after the file's header.
pub struct BitWriter {
    bytes: Vec<u8>,
    /// Bits not yet written, the last of them in the lowest bit.
    pending: u64,
    /// How many bits of `pending` are there (fewer than 32 between calls).
    count: u32,
    /// Whether a symbol was asked for that its table has no code for.
    missing_code: bool,
}

/// The size of a coefficient value (the bits needed for its magnitude) and
/// its value bits: the value itself if positive, else its one's complement.
#[inline(always)]
pub fn size_and_bits(value: i32) -> (u32, u32) {
    let size = 32 - value.unsigned_abs().leading_zeros();
    let bits = if value < 0 { (value - 1) as u32 & ((1 << size) - 1) } else { value as u32 };
    (size, bits)
}

impl BitWriter {
    /// A writer appending to `bytes` (the file so far).
    pub fn new(bytes: Vec<u8>) -> Self {
        BitWriter { bytes, pending: 0, count: 0, missing_code: false }
    }

    /// Appends the `length` (at most 32) low bits of `bits`.
    #[inline(always)]
    fn put(&mut self, bits: u32, length: u32) {
        self.pending = (self.pending << length) | u64::from(bits);
        self.count += length;
        if self.count >= 32 {
            self.count -= 32;
            self.write_word((self.pending >> self.count) as u32);
        }
    }

    #[inline(always)]
    fn write_word(&mut self, word: u32) {
        let bytes = word.to_be_bytes();
        if !bytes.contains(&0xFF) {
            self.bytes.extend_from_slice(&bytes);
            return;
        }
        for byte in bytes {
            self.bytes.push(byte);
            if byte == 0xFF {
                self.bytes.push(0x00);
            }
        }
    }

    /// The code of `symbol` followed by `value_length` value bits.
    #[inline(always)]
    pub fn symbol(&mut self, table: &EncodeTable, symbol: u8, value_bits: u32, value_length: u32) {
        let (code, length) = table.code(symbol);
        if length == 0 {
            self.missing_code = true;
        }
        let length = u32::from(length);
        self.put(u32::from(code) << value_length | value_bits, length + value_length);
    }

    /// The file with the data written, its last byte filled with ones; or
    /// `None` if a symbol had no code in its table.
    pub fn finish(mut self) -> Option<Vec<u8>> {
        let fill = (8 - self.count % 8) % 8;
        self.put((1 << fill) - 1, fill);
        while self.count >= 8 {
            self.count -= 8;
            let byte = (self.pending >> self.count) as u8;
            self.bytes.push(byte);
            if byte == 0xFF {
                self.bytes.push(0x00);
            }
        }
        (!self.missing_code).then_some(self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::huffman::TableSpec;

    #[test]
    fn values_are_sized_and_negatives_complemented() {
        assert_eq!(size_and_bits(0), (0, 0));
        assert_eq!(size_and_bits(1), (1, 1));
        assert_eq!(size_and_bits(-1), (1, 0));
        assert_eq!(size_and_bits(-3), (2, 0b00));
        assert_eq!(size_and_bits(-2), (2, 0b01));
        assert_eq!(size_and_bits(5), (3, 0b101));
        assert_eq!(size_and_bits(-1023), (10, 0));
        assert_eq!(size_and_bits(2047), (11, 0x7FF));
    }

    #[test]
    fn bytes_0xff_are_stuffed_and_the_end_filled_with_ones() {
        let mut writer = BitWriter::new(vec![0xAA]);
        writer.put(0xFF, 8);
        writer.put(0x12, 8);
        writer.put(0b101, 3);
        assert_eq!(writer.finish(), Some(vec![0xAA, 0xFF, 0x00, 0x12, 0b1011_1111]));
        let mut words = BitWriter::new(Vec::new());
        for _ in 0..3 {
            words.put(0x00FF_FF01, 32);
        }
        assert_eq!(words.finish().unwrap().len(), 3 * 6);
    }

    #[test]
    fn a_symbol_without_a_code_spoils_the_data() {
        // A DC table with categories 0 and 1 only.
        let spec = TableSpec { counts: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], symbols: vec![0, 1] };
        let table = EncodeTable::new(&spec).unwrap();
        let mut writer = BitWriter::new(Vec::new());
        writer.symbol(&table, 1, 1, 1);
        writer.symbol(&table, 0, 0, 0);
        assert_eq!(writer.finish(), Some(vec![0b1101_1111]), "code 1 and value bit 1, then code 0");
        let mut writer = BitWriter::new(Vec::new());
        writer.symbol(&table, 3, 5, 3);
        assert_eq!(writer.finish(), None);
    }
}
