//! A JPEG file's segments up to its first scan: the frame (size,
//! components, sampling), quantization and Huffman tables, the restart
//! interval, the metadata the module keeps or obeys (ICC profile, Exif
//! orientation, JFIF and Adobe colour transform), the first scan's header
//! and where its data starts; then, scan by scan, the segments between
//! scans ([`next_scan`]). Only what the fast paths decode is accepted:
//! Huffman coding, sequential or progressive, of 8-bit samples, gray or
//! YCbCr; anything else is [`Unsupported`] and left to the general decoder.

use super::huffman::TableSpec;

/// Why a file is left to the general decoder (which also says what is
/// wrong with a damaged one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

/// One colour component of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Its identifier in the file.
    pub id: u8,
    /// Horizontal and vertical sampling factors (1 to 4).
    pub h: usize,
    pub v: usize,
    /// Its quantization table (0 to 3).
    pub quant: usize,
    /// Its DC and AC Huffman tables (0 to 3) in the first scan (0 if it is
    /// not in it).
    pub dc_table: usize,
    pub ac_table: usize,
}

/// The tables in force at a point of the file: they may change between scans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// Quantization tables by number, in zigzag order.
    pub quant: [Option<[u16; 64]>; 4],
    /// DC and AC Huffman tables by number.
    pub dc: [Option<TableSpec>; 4],
    pub ac: [Option<TableSpec>; 4],
    /// MCUs between restart markers (0: none).
    pub restart_interval: usize,
}

/// A scan's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Its components, as indexes into the frame's, with their DC and AC
    /// Huffman tables.
    pub components: Vec<(usize, usize, usize)>,
    /// The zigzag positions it codes, `start..=end` (0..=63 when sequential).
    pub start: usize,
    pub end: usize,
    /// Successive approximation (progressive): the bit position of the
    /// previous scan of these coefficients (0: the first) and of this one.
    pub high: u32,
    pub low: u32,
}

/// The parts of a file the fast paths use.
#[derive(Debug, Clone)]
pub struct Header<'a> {
    pub width: usize,
    pub height: usize,
    /// In frame order.
    pub components: Vec<Component>,
    /// Progressive (SOF2) rather than sequential.
    pub progressive: bool,
    /// The tables in force at the first scan.
    pub tables: Tables,
    /// The APP2 segments holding the ICC profile, whole (after the length).
    pub icc_segments: Vec<&'a [u8]>,
    /// The Exif block (after "Exif\0\0"), if any.
    pub exif: Option<&'a [u8]>,
    /// The first scan.
    pub first_scan: Scan,
    /// Its entropy-coded data, to the end of the file.
    pub scan: &'a [u8],
}

/// T.81's marker codes the parser treats apart.
const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const DQT: u8 = 0xDB;
const DHT: u8 = 0xC4;
const DRI: u8 = 0xDD;
const SOF0: u8 = 0xC0;
const SOF1: u8 = 0xC1;
const SOF2: u8 = 0xC2;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;

/// The segments before the first scan, after SOI, as (marker, payload).
struct Segments<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Segments<'a> {
    /// The next segment's marker and payload.
    fn next_segment(&mut self) -> Result<(u8, &'a [u8]), Unsupported> {
        let truncated = Unsupported("the file ends inside its header");
        if self.bytes.get(self.at) != Some(&0xFF) {
            return Err(Unsupported("no marker where a segment should start"));
        }
        // Fill bytes (0xFF) may come before a marker.
        while self.bytes.get(self.at) == Some(&0xFF) {
            self.at += 1;
        }
        let Some(&marker) = self.bytes.get(self.at) else { return Err(truncated) };
        if marker == EOI {
            return Err(Unsupported("no scan before the end of the image"));
        }
        if marker == 0x01 || (0xD0..=SOI).contains(&marker) {
            return Err(Unsupported("a marker without a segment before the first scan"));
        }
        let Some(length) = self.bytes.get(self.at + 1..self.at + 3) else { return Err(truncated) };
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        if length < 2 {
            return Err(Unsupported("a segment shorter than its length field"));
        }
        let Some(payload) = self.bytes.get(self.at + 3..self.at + 1 + length) else { return Err(truncated) };
        self.at += 1 + length;
        Ok((marker, payload))
    }
}

/// How the Adobe APP14 segment says the components are coded, if there
/// is one: 0 RGB or CMYK as they are, 1 YCbCr, 2 YCCK.
fn adobe_transform(payload: &[u8]) -> Option<u8> {
    (payload.len() >= 12 && payload.starts_with(b"Adobe")).then(|| payload[11])
}

/// Reads `bytes` (a JPEG file) up to the data of its first scan.
pub fn parse(bytes: &[u8]) -> Result<Header<'_>, Unsupported> {
    if !bytes.starts_with(&[0xFF, SOI]) {
        return Err(Unsupported("not a JPEG file"));
    }
    let mut segments = Segments { bytes, at: 2 };
    let mut header = Header {
        width: 0,
        height: 0,
        components: Vec::new(),
        progressive: false,
        tables: Tables { quant: [None; 4], dc: Default::default(), ac: Default::default(), restart_interval: 0 },
        icc_segments: Vec::new(),
        exif: None,
        first_scan: Scan { components: Vec::new(), start: 0, end: 63, high: 0, low: 0 },
        scan: &[],
    };
    let mut frame = false;
    let mut adobe = None;
    loop {
        let (marker, payload) = segments.next_segment()?;
        match marker {
            SOF0 | SOF1 | SOF2 => {
                if frame {
                    return Err(Unsupported("two frames"));
                }
                read_frame(payload, &mut header)?;
                header.progressive = marker == SOF2;
                frame = true;
            }
            // The other start-of-frame markers, and arithmetic coding's DAC.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCF => {
                return Err(Unsupported(
                    "not Huffman-coded sequential or progressive DCT (lossless, hierarchical or arithmetic)",
                ));
            }
            APP1 if payload.starts_with(b"Exif\0\0") && header.exif.is_none() => header.exif = Some(&payload[6..]),
            APP2 if payload.starts_with(b"ICC_PROFILE\0") => header.icc_segments.push(payload),
            APP14 => adobe = adobe_transform(payload),
            SOS => {
                if !frame {
                    return Err(Unsupported("a scan before the frame header"));
                }
                header.first_scan = read_scan_header(payload, &header.components, header.progressive)?;
                for &(index, dc, ac) in &header.first_scan.components {
                    header.components[index].dc_table = dc;
                    header.components[index].ac_table = ac;
                }
                header.scan = &bytes[segments.at..];
                break;
            }
            _ => read_tables(marker, payload, &mut header.tables)?,
        }
    }
    if header.components.len() == 3 {
        let ids: Vec<u8> = header.components.iter().map(|c| c.id).collect();
        if adobe == Some(0) || (adobe.is_none() && ids == b"RGB") {
            return Err(Unsupported("RGB components, not YCbCr"));
        }
    }
    Ok(header)
}

/// The tables a segment between scans may define (others are skipped).
fn read_tables(marker: u8, payload: &[u8], tables: &mut Tables) -> Result<(), Unsupported> {
    match marker {
        DHT => read_huffman_tables(payload, tables),
        DQT => read_quantization_tables(payload, tables),
        DRI => {
            let [high, low] = payload else { return Err(Unsupported("a DRI segment of the wrong length")) };
            tables.restart_interval = usize::from(u16::from_be_bytes([*high, *low]));
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The next scan after one whose data ended at `rest` (a marker, perhaps
/// after a few bytes the scan left over): its header, and its data to the
/// end of the file; `None` at the end of the image. Tables defined on the
/// way go into `tables`.
pub fn next_scan<'a>(
    rest: &'a [u8],
    header: &Header<'_>,
    tables: &mut Tables,
) -> Result<Option<(Scan, &'a [u8])>, Unsupported> {
    // The next marker: 0xFF followed by neither 0x00 (a stuffed byte) nor
    // a restart marker.
    let start = (0..rest.len().saturating_sub(1))
        .find(|&i| rest[i] == 0xFF && rest[i + 1] != 0 && !(0xD0..=0xD7).contains(&rest[i + 1]))
        .ok_or(Unsupported("the file ends inside a scan"))?;
    let mut segments = Segments { bytes: rest, at: start };
    loop {
        // Segments::next_segment stops with an error at EOI: look first.
        let at = (segments.at..rest.len()).find(|&i| rest[i] != 0xFF).unwrap_or(rest.len());
        if rest.get(at) == Some(&EOI) && at > segments.at {
            return Ok(None);
        }
        let (marker, payload) = segments.next_segment()?;
        match marker {
            SOS => {
                let scan = read_scan_header(payload, &header.components, header.progressive)?;
                return Ok(Some((scan, &rest[segments.at..])));
            }
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCF => return Err(Unsupported("a second frame")),
            _ => read_tables(marker, payload, tables)?,
        }
    }
}

fn read_frame(payload: &[u8], header: &mut Header<'_>) -> Result<(), Unsupported> {
    let invalid = Unsupported("a malformed frame header");
    let [precision, h1, h0, w1, w0, count, rest @ ..] = payload else { return Err(invalid) };
    if *precision != 8 {
        return Err(Unsupported("samples of other than 8 bits"));
    }
    header.height = usize::from(u16::from_be_bytes([*h1, *h0]));
    header.width = usize::from(u16::from_be_bytes([*w1, *w0]));
    if header.width == 0 || header.height == 0 {
        return Err(Unsupported("a frame without a size (DNL) or of no pixels"));
    }
    if *count != 1 && *count != 3 {
        return Err(Unsupported("neither one component (gray) nor three (YCbCr)"));
    }
    if rest.len() != 3 * usize::from(*count) {
        return Err(invalid);
    }
    for spec in rest.chunks_exact(3) {
        let (h, v) = (usize::from(spec[1] >> 4), usize::from(spec[1] & 15));
        if !(1..=4).contains(&h) || !(1..=4).contains(&v) || spec[2] > 3 {
            return Err(invalid);
        }
        header.components.push(Component { id: spec[0], h, v, quant: usize::from(spec[2]), dc_table: 0, ac_table: 0 });
    }
    Ok(())
}

fn read_quantization_tables(mut payload: &[u8], tables: &mut Tables) -> Result<(), Unsupported> {
    while let [info, rest @ ..] = payload {
        let (precision, number) = (info >> 4, usize::from(info & 15));
        let size = if precision == 0 { 64 } else { 128 };
        if number > 3 || precision > 1 || rest.len() < size {
            return Err(Unsupported("a malformed quantization table"));
        }
        let mut table = [0u16; 64];
        for (i, value) in table.iter_mut().enumerate() {
            *value =
                if precision == 0 { u16::from(rest[i]) } else { u16::from_be_bytes([rest[2 * i], rest[2 * i + 1]]) };
        }
        if table.contains(&0) {
            return Err(Unsupported("a quantization table with a zero"));
        }
        tables.quant[number] = Some(table);
        payload = &rest[size..];
    }
    Ok(())
}

fn read_huffman_tables(mut payload: &[u8], tables: &mut Tables) -> Result<(), Unsupported> {
    while let [info, rest @ ..] = payload {
        let (class, number) = (info >> 4, usize::from(info & 15));
        if class > 1 || number > 3 || rest.len() < 16 {
            return Err(Unsupported("a malformed Huffman table"));
        }
        let counts: [u8; 16] = rest[..16].try_into().expect("16 counts");
        let total: usize = counts.iter().map(|&n| usize::from(n)).sum();
        let Some(symbols) = rest.get(16..16 + total) else { return Err(Unsupported("a malformed Huffman table")) };
        let spec = TableSpec { counts, symbols: symbols.to_vec() };
        if class == 0 {
            tables.dc[number] = Some(spec);
        } else {
            tables.ac[number] = Some(spec);
        }
        payload = &rest[16 + total..];
    }
    Ok(())
}

fn read_scan_header(payload: &[u8], frame: &[Component], progressive: bool) -> Result<Scan, Unsupported> {
    let invalid = Unsupported("a malformed scan header");
    let [count, rest @ ..] = payload else { return Err(invalid) };
    let count = usize::from(*count);
    if count == 0 || rest.len() != 2 * count + 3 {
        return Err(invalid);
    }
    let mut components = Vec::with_capacity(count);
    for spec in rest[..2 * count].chunks_exact(2) {
        let index = frame.iter().position(|c| c.id == spec[0]).ok_or(invalid)?;
        // In frame order, each once (T.81 B.2.3).
        if components.last().is_some_and(|&(last, _, _)| last >= index) {
            return Err(Unsupported("scan components out of the frame's order"));
        }
        let (dc, ac) = (usize::from(spec[1] >> 4), usize::from(spec[1] & 15));
        if dc > 3 || ac > 3 {
            return Err(invalid);
        }
        components.push((index, dc, ac));
    }
    let [start, end, approximation] = rest[2 * count..] else { return Err(invalid) };
    let scan = Scan {
        components,
        start: usize::from(start),
        end: usize::from(end),
        high: u32::from(approximation >> 4),
        low: u32::from(approximation & 15),
    };
    let fits = if progressive {
        // A DC scan, or an AC band of one component; bits of at most 13.
        let band = if scan.start == 0 { scan.end == 0 } else { scan.start <= scan.end && scan.end <= 63 && count == 1 };
        band && scan.high <= 13 && scan.low <= 13
    } else {
        (scan.start, scan.end, scan.high, scan.low) == (0, 63, 0, 0)
    };
    if !fits {
        return Err(Unsupported("a scan of coefficients its frame does not allow"));
    }
    Ok(scan)
}

impl Header<'_> {
    /// Whether the first scan is the whole image: sequential, every
    /// component, with baseline's two tables of each kind defined. Then
    /// the image can be decoded block by block as the scan goes.
    pub fn is_single_scan(&self) -> bool {
        let scan = &self.first_scan;
        let tables_defined = scan.components.iter().all(|&(index, dc, ac)| {
            dc <= 1
                && ac <= 1
                && self.tables.dc[dc].is_some()
                && self.tables.ac[ac].is_some()
                && self.tables.quant[self.components[index].quant].is_some()
        });
        !self.progressive && scan.components.len() == self.components.len() && tables_defined
    }

    /// The largest horizontal and vertical sampling factors.
    pub fn max_sampling(&self) -> (usize, usize) {
        let h = self.components.iter().map(|c| c.h).max().unwrap_or(1);
        let v = self.components.iter().map(|c| c.v).max().unwrap_or(1);
        (h, v)
    }

    /// The ICC profile, put together from its segments in their order.
    pub fn icc_profile(&self) -> Option<Vec<u8>> {
        if self.icc_segments.is_empty() {
            return None;
        }
        let mut chunks: Vec<(u8, &[u8])> =
            self.icc_segments.iter().filter(|s| s.len() >= 14).map(|s| (s[12], &s[14..])).collect();
        chunks.sort_by_key(|(sequence, _)| *sequence);
        Some(chunks.iter().flat_map(|(_, data)| data.iter().copied()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 24×16 YCbCr JPEG (4:2:0) with an ICC profile, by jpeg-encoder.
    fn sample(quality: u8) -> Vec<u8> {
        let pixels: Vec<u8> = (0..24 * 16 * 3).map(|i| (i * 7 % 251) as u8).collect();
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, quality);
        encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
        encoder.add_icc_profile(b"a profile").unwrap();
        encoder.encode(&pixels, 24, 16, jpeg_encoder::ColorType::Rgb).unwrap();
        jpeg
    }

    #[test]
    fn a_baseline_file_is_read() {
        let jpeg = sample(90);
        let header = parse(&jpeg).unwrap();
        assert_eq!((header.width, header.height), (24, 16));
        let sampling: Vec<(usize, usize)> = header.components.iter().map(|c| (c.h, c.v)).collect();
        assert_eq!(sampling, [(2, 2), (1, 1), (1, 1)]);
        assert_eq!(header.max_sampling(), (2, 2));
        assert_eq!(header.icc_profile().as_deref(), Some(&b"a profile"[..]));
        assert!(header.tables.quant[header.components[0].quant].is_some());
        assert!(header.is_single_scan());
        assert!(header.scan.ends_with(&[0xFF, EOI]));
    }

    #[test]
    fn jpeg_encoders_tables_are_the_typical_ones() {
        use crate::jpeg::huffman::typical;
        let jpeg = sample(75);
        let header = parse(&jpeg).unwrap();
        assert_eq!(header.tables.dc[0], Some(typical::dc_luma()));
        assert_eq!(header.tables.dc[1], Some(typical::dc_chroma()));
        assert_eq!(header.tables.ac[0], Some(typical::ac_luma()));
        assert_eq!(header.tables.ac[1], Some(typical::ac_chroma()));
    }

    #[test]
    fn other_codings_are_left_to_the_general_decoder() {
        let mut lossless = sample(90);
        let frame = lossless.windows(2).position(|w| w == [0xFF, SOF0]).unwrap();
        lossless[frame + 1] = 0xC3;
        assert!(parse(&lossless).unwrap_err().0.contains("lossless"));
        assert_eq!(parse(b"GIF89a").unwrap_err(), Unsupported("not a JPEG file"));
        let jpeg = sample(90);
        for end in [2, 10, 100, 400] {
            assert!(parse(&jpeg[..end]).is_err(), "cut at {end}");
        }
    }

    #[test]
    fn progressive_scans_follow_one_another() {
        let pixels: Vec<u8> = (0..24 * 16 * 3).map(|i| (i * 7 % 251) as u8).collect();
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 90);
        encoder.set_progressive(true);
        encoder.encode(&pixels, 24, 16, jpeg_encoder::ColorType::Rgb).unwrap();
        let header = parse(&jpeg).unwrap();
        assert!(header.progressive && !header.is_single_scan());
        assert_eq!((header.first_scan.start, header.first_scan.end), (0, 0), "DC first");
        let mut tables = header.tables.clone();
        let mut scans = vec![header.first_scan.clone()];
        // Each scan's data holds no marker but restarts: the next one is found past it.
        let mut rest = header.scan;
        while let Some((scan, data)) = next_scan(rest, &header, &mut tables).unwrap() {
            scans.push(scan);
            rest = data;
        }
        assert!(scans.len() > 3, "{scans:?}");
        assert!(scans[1..].iter().all(|s| s.components.len() == 1 || s.start == 0));
        assert!(scans.iter().any(|s| s.end == 63));
    }
}
