//! Reading a scan's entropy-coded data bit by bit: bytes 0xFF 0x00 stand
//! for 0xFF, and any other 0xFF pair is a marker, where the data stops. Past
//! it (or past the end of the file) the reader gives zeros and counts them,
//! so a decoder can tell, after a block, whether the data ran out under it.

use super::huffman::{DecodeTable, LOOKUP_BITS, extend};

/// Why entropy-coded data could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corrupt {
    /// Bits that are no code of the table.
    BadCode,
    /// A coefficient past the 64 of a block, or a category too large.
    BadValue,
    /// The data ended (or a marker came) before the last block.
    Truncated,
    /// The restart marker was not where the restart interval puts it.
    MissingRestart,
}

/// The entropy-coded data of one scan.
pub struct BitReader<'a> {
    data: &'a [u8],
    /// The next byte of `data` to read.
    position: usize,
    /// Bits not yet used, the first of them in the highest bit.
    buffer: u64,
    /// How many bits of `buffer` are there.
    count: u32,
    /// How many of them (the last) are zeros given past the data's end.
    padding: u32,
}

/// Whether any byte of `word` is 0xFF.
fn has_ff(word: u64) -> bool {
    let inverted = !word;
    (inverted.wrapping_sub(0x0101_0101_0101_0101) & word & 0x8080_8080_8080_8080) != 0
}

impl<'a> BitReader<'a> {
    /// A reader of `data`, which starts right after the scan's header.
    pub fn new(data: &'a [u8]) -> Self {
        BitReader { data, position: 0, buffer: 0, count: 0, padding: 0 }
    }

    /// Fills the buffer to at least 57 bits.
    #[inline(always)]
    fn refill(&mut self) {
        if let Some(bytes) = self.data.get(self.position..self.position + 8) {
            let word = u64::from_be_bytes(bytes.try_into().expect("8 bytes"));
            if !has_ff(word) {
                let whole = (64 - self.count) / 8;
                self.buffer |= (word >> (64 - 8 * whole)) << (64 - self.count - 8 * whole);
                self.count += 8 * whole;
                self.position += whole as usize;
                return;
            }
        }
        self.refill_slowly();
    }

    #[inline(never)]
    fn refill_slowly(&mut self) {
        while self.count <= 56 {
            let byte = match self.data.get(self.position) {
                Some(0xFF) if self.data.get(self.position + 1) == Some(&0x00) => {
                    self.position += 2;
                    0xFF
                }
                Some(0xFF) | None => {
                    // A marker, or the end: zeros from here on.
                    self.padding += 8;
                    0
                }
                Some(&byte) => {
                    self.position += 1;
                    byte
                }
            };
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    /// Makes sure at least 32 bits are buffered: enough for a code and its
    /// value bits.
    #[inline(always)]
    pub fn ensure_32(&mut self) {
        if self.count < 32 {
            self.refill();
        }
    }

    /// The next `n` (1 to 32) bits, without using them.
    #[inline(always)]
    fn peek(&self, n: u32) -> u32 {
        (self.buffer >> (64 - n)) as u32
    }

    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.buffer <<= n;
        self.count -= n;
    }

    /// The next `n` (0 to 16) bits as they are. Needs [`Self::ensure_32`]
    /// before, with no more than 16 bits used since.
    #[inline(always)]
    pub fn bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let bits = self.peek(n);
        self.consume(n);
        bits
    }

    /// The next `size` (0 to 16) bits as a coefficient value. Needs
    /// [`Self::ensure_32`] before, with no more than 16 bits used since.
    #[inline(always)]
    pub fn value(&mut self, size: u32) -> i32 {
        if size == 0 {
            return 0;
        }
        let bits = self.peek(size);
        self.consume(size);
        extend(bits, size)
    }

    /// The next symbol of `table`. Needs [`Self::ensure_32`] before.
    #[inline(always)]
    pub fn symbol(&mut self, table: &DecodeTable) -> Result<u8, Corrupt> {
        let entry = table.lookup(self.peek(LOOKUP_BITS));
        if entry != 0 {
            self.consume(u32::from(entry >> 8));
            return Ok(entry as u8);
        }
        let (symbol, length) = table.long_code(self.peek(16)).ok_or(Corrupt::BadCode)?;
        self.consume(length);
        Ok(symbol)
    }

    /// A whole AC coefficient from `table`'s coefficient lookup, if the next
    /// bits hold one short enough: `(run, value)`. Needs [`Self::ensure_32`].
    #[inline(always)]
    pub fn quick_coefficient(&mut self, table: &DecodeTable) -> Option<(usize, i32)> {
        let entry = table.coefficient(self.peek(LOOKUP_BITS));
        if entry == 0 {
            return None;
        }
        self.consume(entry & 0xFF);
        Some(((entry >> 8 & 0xFF) as usize, i32::from((entry >> 16) as i16)))
    }

    /// Whether the blocks decoded so far used bits past the data.
    #[inline(always)]
    pub fn overran(&self) -> bool {
        self.padding > self.count
    }

    /// The data after the last byte read.
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.position.min(self.data.len())..]
    }

    /// Goes past restart marker `RSTn` (n = `number` mod 8), which must come
    /// next, dropping the bits left of the byte before it.
    pub fn restart(&mut self, number: u8) -> Result<(), Corrupt> {
        if self.overran() {
            return Err(Corrupt::Truncated);
        }
        // The buffer holds only bytes before the marker: at most the last
        // one's padding bits are still unused.
        self.buffer = 0;
        self.count = 0;
        self.padding = 0;
        let mut at = self.position;
        if self.data.get(at) != Some(&0xFF) {
            return Err(Corrupt::MissingRestart);
        }
        while self.data.get(at) == Some(&0xFF) {
            at += 1;
        }
        if self.data.get(at) != Some(&(0xD0 + number % 8)) {
            return Err(Corrupt::MissingRestart);
        }
        self.position = at + 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::huffman::{Class, TableSpec};

    #[test]
    fn stuffed_bytes_are_0xff_and_markers_end_the_data() {
        let data = [0xFF, 0x00, 0x12, 0xFF, 0xD9];
        let mut reader = BitReader::new(&data);
        reader.ensure_32();
        assert_eq!(reader.bits(8), 0xFF);
        assert_eq!(reader.bits(8), 0x12);
        assert!(!reader.overran());
        assert_eq!(reader.value(1), -1, "a zero bit past the data: a value of size 1 with a leading 0");
        assert!(reader.overran());
    }

    #[test]
    fn long_runs_without_0xff_are_read_eight_bytes_at_a_time() {
        let data: Vec<u8> = (1..=20).collect();
        let mut reader = BitReader::new(&data);
        for expected in 1..=20 {
            reader.ensure_32();
            assert_eq!(reader.bits(8), expected);
        }
        assert!(!reader.overran());
    }

    #[test]
    fn symbols_come_from_the_table() {
        // Codes 0 (symbol 5) and 10 (symbol 7), then 11: no code.
        let spec = TableSpec { counts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], symbols: vec![5, 7] };
        let table = DecodeTable::new(&spec, Class::Dc).unwrap();
        let data = [0b0101_1000];
        let mut reader = BitReader::new(&data);
        reader.ensure_32();
        assert_eq!(reader.symbol(&table), Ok(5));
        assert_eq!(reader.symbol(&table), Ok(7));
        assert_eq!(reader.symbol(&table), Err(Corrupt::BadCode));
    }

    #[test]
    fn restarts_skip_to_the_marker() {
        let data = [0b1010_0000, 0xFF, 0xD3, 0x80];
        let mut reader = BitReader::new(&data);
        reader.ensure_32();
        assert_eq!(reader.bits(3), 5);
        assert_eq!(reader.restart(3), Ok(()));
        reader.ensure_32();
        assert_eq!(reader.value(1), 1);
        let mut wrong = BitReader::new(&data);
        wrong.ensure_32();
        assert_eq!(wrong.restart(4), Err(Corrupt::MissingRestart));
    }
}
