//! Huffman tables as a JPEG file defines them (a DHT segment: how many codes
//! of each length 1 to 16, then the symbols in code order), the canonical
//! codes they stand for (T.81 Annex C), and the two forms this module uses:
//! a decoding table with a 10-bit lookup, and the code of each symbol for
//! encoding. Tables fitted to the symbols an image needs are built as
//! T.81 Annex K.2 describes ([`TableSpec::optimal`]); the typical tables
//! of Annex K.3 are here too, which most encoders write.

/// Bits a decoding table resolves with one lookup.
pub const LOOKUP_BITS: u32 = 10;

/// A table as a DHT segment gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// How many codes have each length, 1 to 16 bits.
    pub counts: [u8; 16],
    /// The symbols, shortest codes first.
    pub symbols: Vec<u8>,
}

/// Why a table cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTable;

impl TableSpec {
    /// The canonical code of each symbol, in `symbols` order, with its
    /// length; fails for a table whose codes do not fit their lengths.
    fn codes(&self) -> Result<Vec<(u16, u8)>, InvalidTable> {
        let total: usize = self.counts.iter().map(|&n| usize::from(n)).sum();
        if total != self.symbols.len() || total > 256 {
            return Err(InvalidTable);
        }
        let mut codes = Vec::with_capacity(total);
        let mut code: u32 = 0;
        for (index, &count) in self.counts.iter().enumerate() {
            let length = index as u32 + 1;
            for _ in 0..count {
                // No code may outgrow its length (T.81 C.2, as libjpeg checks).
                if code >= 1 << length {
                    return Err(InvalidTable);
                }
                codes.push((code as u16, length as u8));
                code += 1;
            }
            code <<= 1;
        }
        Ok(codes)
    }

    /// Whether every symbol of `class` is in the table: categories 0 to 11
    /// for DC; for AC, end of block, the run of sixteen zeros, and every run
    /// 0 to 15 with every size 1 to 10.
    #[cfg(test)]
    pub fn is_complete(&self, class: Class) -> bool {
        let mut present = [false; 256];
        for &symbol in &self.symbols {
            present[usize::from(symbol)] = true;
        }
        match class {
            Class::Dc => (0..=11).all(|s| present[s]),
            Class::Ac => {
                present[0x00] && present[0xF0] && (0..16).all(|run| (1..=10).all(|size| present[run << 4 | size]))
            }
        }
    }
}

impl TableSpec {
    /// The table that codes symbols of these frequencies in the fewest
    /// bits, with codes of at most 16 bits and none of all ones (T.81
    /// K.2, as libjpeg builds it). Symbols of frequency 0 get no code.
    pub fn optimal(frequencies: &[u32; 256]) -> TableSpec {
        // A 257th symbol of frequency 1 takes the all-ones code point.
        let mut frequency: Vec<u64> = frequencies.iter().map(|&f| u64::from(f)).collect();
        frequency.push(1);
        let mut size = code_sizes(&frequency);
        // Lengths past 32 (frequencies growing like Fibonacci numbers) are
        // more than the limiting below can fold back: halve the frequencies
        // (keeping every symbol) until there are none.
        while size.iter().any(|&s| s > 32) {
            for f in frequency.iter_mut().filter(|f| **f > 0) {
                *f = f.div_ceil(2);
            }
            size = code_sizes(&frequency);
        }
        let mut counts = [0usize; 33];
        for &s in &size {
            if s > 0 {
                counts[s] += 1;
            }
        }
        // No code longer than 16 bits: move pairs of the longest up.
        for length in (17..=32).rev() {
            while counts[length] > 0 {
                let mut shorter = length - 2;
                while counts[shorter] == 0 {
                    shorter -= 1;
                }
                counts[length] -= 2;
                counts[length - 1] += 1;
                counts[shorter + 1] += 2;
                counts[shorter] -= 1;
            }
        }
        // Give back the reserved code point: the last of the longest codes.
        if let Some(longest) = (1..=16).rev().find(|&length| counts[length] > 0) {
            counts[longest] -= 1;
        }
        let mut symbols = Vec::new();
        for length in 1..=32 {
            symbols.extend((0..256).filter(|&symbol| size[symbol] == length).map(|symbol| symbol as u8));
        }
        TableSpec { counts: std::array::from_fn(|i| counts[i + 1] as u8), symbols }
    }
}

/// The Huffman code length of each of 257 symbols (0: frequency 0).
fn code_sizes(frequency: &[u64]) -> [usize; 257] {
    let mut frequency = frequency.to_vec();
    let mut size = [0usize; 257];
    let mut others = [usize::MAX; 257];
    loop {
        // The two least frequent subtrees (ties: the larger symbol).
        let least = |frequency: &[u64], skip: usize| {
            (0..257)
                .filter(|&i| frequency[i] > 0 && i != skip)
                .min_by(|&a, &b| frequency[a].cmp(&frequency[b]).then(b.cmp(&a)))
        };
        let Some(first) = least(&frequency, usize::MAX) else { break };
        let Some(second) = least(&frequency, first) else { break };
        frequency[first] += frequency[second];
        frequency[second] = 0;
        // Every symbol of both subtrees gets one bit longer; the second's
        // chain is hung after the first's.
        let mut node = first;
        size[node] += 1;
        while others[node] != usize::MAX {
            node = others[node];
            size[node] += 1;
        }
        others[node] = second;
        let mut node = second;
        size[node] += 1;
        while others[node] != usize::MAX {
            node = others[node];
            size[node] += 1;
        }
    }
    size
}

/// DC or AC: which symbols a table codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Categories of DC differences.
    Dc,
    /// Runs of zeros and sizes of AC coefficients.
    Ac,
}

/// A table ready for decoding.
pub struct DecodeTable {
    /// By the next [`LOOKUP_BITS`] bits: `length << 8 | symbol` of a code
    /// that short, 0 for a longer one.
    lookup: Box<[u16; 1 << LOOKUP_BITS]>,
    /// For AC tables, by the next [`LOOKUP_BITS`] bits: a whole coefficient
    /// when its code and its value bits fit in them, packed as
    /// `value << 16 | run << 8 | bits used`; 0 otherwise.
    coefficients: Box<[u32; 1 << LOOKUP_BITS]>,
    /// For each length 1 to 16 (index 0 unused): the largest code of that
    /// length, or -1, and what to add to a code to index `symbols`.
    max_code: [i32; 17],
    offset: [i32; 17],
    symbols: Vec<u8>,
}

/// `bits`, the `size` value bits of a coefficient, as the value they code
/// (T.81 F.2.2.1: a leading 0 means a negative value).
pub fn extend(bits: u32, size: u32) -> i32 {
    let value = bits as i32;
    if size == 0 {
        0
    } else if value < 1 << (size - 1) {
        value - (1 << size) + 1
    } else {
        value
    }
}

impl DecodeTable {
    /// The decoding table for `spec`.
    pub fn new(spec: &TableSpec, class: Class) -> Result<DecodeTable, InvalidTable> {
        let codes = spec.codes()?;
        let mut lookup = Box::new([0u16; 1 << LOOKUP_BITS]);
        let mut coefficients = Box::new([0u32; 1 << LOOKUP_BITS]);
        let mut max_code = [-1i32; 17];
        let mut offset = [0i32; 17];
        for (index, (&(code, length), &symbol)) in codes.iter().zip(&spec.symbols).enumerate() {
            let length = u32::from(length);
            if max_code[length as usize] < 0 {
                // The first code of this length.
                offset[length as usize] = index as i32 - i32::from(code);
            }
            max_code[length as usize] = i32::from(code);
            if length > LOOKUP_BITS {
                continue;
            }
            let free = LOOKUP_BITS - length;
            let first = u32::from(code) << free;
            for suffix in 0..1u32 << free {
                let entry = (first | suffix) as usize;
                lookup[entry] = (length as u16) << 8 | u16::from(symbol);
                let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
                if class == Class::Ac && size != 0 && length + size <= LOOKUP_BITS {
                    let bits = (suffix >> (free - size)) & ((1 << size) - 1);
                    let value = extend(bits, size);
                    coefficients[entry] = (value as u32) << 16 | run << 8 | (length + size);
                }
            }
        }
        Ok(DecodeTable { lookup, coefficients, max_code, offset, symbols: spec.symbols.clone() })
    }

    /// The entry for the next [`LOOKUP_BITS`] bits.
    #[inline(always)]
    pub fn lookup(&self, next: u32) -> u16 {
        self.lookup[(next & ((1 << LOOKUP_BITS) - 1)) as usize]
    }

    /// The coefficient entry for the next [`LOOKUP_BITS`] bits.
    #[inline(always)]
    pub fn coefficient(&self, next: u32) -> u32 {
        self.coefficients[(next & ((1 << LOOKUP_BITS) - 1)) as usize]
    }

    /// The symbol of a code longer than [`LOOKUP_BITS`], given the next 16
    /// bits: `(symbol, length)`, or `None` if no code matches.
    #[cold]
    pub fn long_code(&self, next16: u32) -> Option<(u8, u32)> {
        for length in LOOKUP_BITS + 1..=16 {
            let code = (next16 >> (16 - length)) as i32;
            if code <= self.max_code[length as usize] {
                let index = code + self.offset[length as usize];
                return self.symbols.get(usize::try_from(index).ok()?).map(|&symbol| (symbol, length));
            }
        }
        None
    }
}

/// A table ready for encoding: each symbol's code and its length (0: the
/// symbol has no code).
#[derive(Clone)]
pub struct EncodeTable {
    codes: [(u16, u8); 256],
}

impl EncodeTable {
    /// The encoding table for `spec`.
    pub fn new(spec: &TableSpec) -> Result<EncodeTable, InvalidTable> {
        let mut codes = [(0u16, 0u8); 256];
        for (&code, &symbol) in spec.codes()?.iter().zip(&spec.symbols) {
            codes[usize::from(symbol)] = code;
        }
        Ok(EncodeTable { codes })
    }

    /// A table without codes (for a class no symbol needs).
    pub fn empty() -> EncodeTable {
        EncodeTable { codes: [(0, 0); 256] }
    }

    /// The code of `symbol` and its length.
    #[inline(always)]
    pub fn code(&self, symbol: u8) -> (u16, u8) {
        self.codes[usize::from(symbol)]
    }
}

/// The typical tables of T.81 Annex K.3, which most encoders write (the
/// tests check that jpeg-encoder's are these).
#[cfg(test)]
pub mod typical {
    use super::TableSpec;

    const DC_LUMA_COUNTS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const DC_CHROMA_COUNTS: [u8; 16] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    const AC_LUMA_COUNTS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D];
    const AC_CHROMA_COUNTS: [u8; 16] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];

    /// The symbols of the AC tables up to where both continue with every
    /// remaining run/size in increasing order (Annex K.3.2 lists them so).
    const AC_LUMA_FIRST: [u8; 40] = [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
        0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0, 0x24, 0x33, 0x62, 0x72,
        0x82, 0x09, 0x0A, 0x16,
    ];
    const AC_CHROMA_FIRST: [u8; 45] = [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22,
        0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0, 0x15, 0x62, 0x72, 0xD1,
        0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18,
    ];

    /// `first`, then every other AC symbol (run 0 to 15, size 1 to 10) in
    /// increasing order.
    fn ac_symbols(first: &[u8]) -> Vec<u8> {
        let mut symbols = first.to_vec();
        for run in 0..16u8 {
            for size in 1..=10u8 {
                let symbol = run << 4 | size;
                if !first.contains(&symbol) {
                    symbols.push(symbol);
                }
            }
        }
        symbols
    }

    /// DC, luminance.
    pub fn dc_luma() -> TableSpec {
        TableSpec { counts: DC_LUMA_COUNTS, symbols: (0..12).collect() }
    }

    /// DC, chrominance.
    pub fn dc_chroma() -> TableSpec {
        TableSpec { counts: DC_CHROMA_COUNTS, symbols: (0..12).collect() }
    }

    /// AC, luminance.
    pub fn ac_luma() -> TableSpec {
        TableSpec { counts: AC_LUMA_COUNTS, symbols: ac_symbols(&AC_LUMA_FIRST) }
    }

    /// AC, chrominance.
    pub fn ac_chroma() -> TableSpec {
        TableSpec { counts: AC_CHROMA_COUNTS, symbols: ac_symbols(&AC_CHROMA_FIRST) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typical_tables_are_complete() {
        for (spec, class) in [
            (typical::dc_luma(), Class::Dc),
            (typical::dc_chroma(), Class::Dc),
            (typical::ac_luma(), Class::Ac),
            (typical::ac_chroma(), Class::Ac),
        ] {
            assert!(spec.is_complete(class));
            assert!(DecodeTable::new(&spec, class).is_ok() && EncodeTable::new(&spec).is_ok());
        }
        assert_eq!(typical::ac_luma().symbols.len(), 162);
    }

    #[test]
    fn codes_are_canonical_and_decode() {
        // Lengths 2, 2, 3: codes 00, 01, 100.
        let spec =
            TableSpec { counts: [0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], symbols: vec![0x00, 0x01, 0x12] };
        let encode = EncodeTable::new(&spec).unwrap();
        assert_eq!((encode.code(0x00), encode.code(0x01), encode.code(0x12)), ((0, 2), (1, 2), (4, 3)));
        let decode = DecodeTable::new(&spec, Class::Ac).unwrap();
        assert_eq!(decode.lookup(0b01 << 8), 2 << 8 | 0x01);
        // 100 then the value bits 01 of size 2: -2; run 1.
        let entry = decode.coefficient(0b10001 << 5);
        assert_eq!((entry >> 16) as i16, -2);
        assert_eq!((entry >> 8 & 0xFF, entry & 0xFF), (1, 5));
        assert_eq!(decode.lookup(0b11 << 8), 0, "no code starts with 11");
    }

    #[test]
    fn long_codes_decode_past_the_lookup() {
        // One code of each length 1 to 16: the last is fifteen ones and a zero.
        let counts = [1u8; 16];
        let spec = TableSpec { counts, symbols: (0..16).collect() };
        let decode = DecodeTable::new(&spec, Class::Dc).unwrap();
        let encode = EncodeTable::new(&spec).unwrap();
        for symbol in 11..16u8 {
            let (code, length) = encode.code(symbol);
            let next16 = u32::from(code) << (16 - length);
            assert_eq!(decode.long_code(next16), Some((symbol, u32::from(length))));
        }
    }

    #[test]
    fn overfull_tables_are_refused() {
        let spec = TableSpec { counts: [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], symbols: vec![1, 2, 3] };
        assert!(DecodeTable::new(&spec, Class::Dc).is_err());
        let missing = TableSpec { counts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], symbols: vec![] };
        assert!(EncodeTable::new(&missing).is_err());
    }

    #[test]
    fn optimal_tables_give_frequent_symbols_short_codes_and_every_used_one_a_code() {
        let mut frequencies = [0u32; 256];
        for (symbol, frequency) in [(0x00, 1000), (0x01, 500), (0x11, 20), (0x23, 3), (0xF0, 1)] {
            frequencies[symbol] = frequency;
        }
        let spec = TableSpec::optimal(&frequencies);
        assert_eq!(spec.symbols, [0x00, 0x01, 0x11, 0x23, 0xF0]);
        let table = EncodeTable::new(&spec).unwrap();
        let lengths: Vec<u8> = spec.symbols.iter().map(|&s| table.code(s).1).collect();
        assert_eq!(lengths, [1, 2, 3, 4, 5], "the reserved all-ones code is the other 5-bit one");
        assert!(DecodeTable::new(&spec, Class::Ac).is_ok());
        // One symbol alone still gets a code; many of one frequency stay within 16 bits.
        let mut one = [0u32; 256];
        one[5] = 9;
        assert_eq!(TableSpec::optimal(&one).counts[0], 1);
        let skewed: [u32; 256] = std::array::from_fn(|i| 1 << (i % 31));
        let spec = TableSpec::optimal(&skewed);
        assert_eq!(spec.symbols.len(), 256);
        assert!(EncodeTable::new(&spec).is_ok(), "{:?}", spec.counts);
    }

    #[test]
    fn values_extend_to_signed() {
        assert_eq!((extend(0, 1), extend(1, 1)), (-1, 1));
        assert_eq!((extend(0b00, 2), extend(0b01, 2), extend(0b10, 2), extend(0b11, 2)), (-3, -2, 2, 3));
        assert_eq!(extend(0, 0), 0);
    }
}
