//! The segments of a baseline JPEG file up to its scan's data: SOI, a JFIF
//! APP0, the ICC profile's APP2 segments as they came, the quantization
//! tables, the frame, the Huffman tables, and the header of one scan with
//! every component.

use super::huffman::{Class, TableSpec};

/// A component as the written frame and scan give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentSpec {
    pub id: u8,
    pub h: u8,
    pub v: u8,
    pub quant: u8,
    pub dc_table: u8,
    pub ac_table: u8,
}

/// What the header says.
pub struct HeaderSpec<'a> {
    pub width: u16,
    pub height: u16,
    pub components: &'a [ComponentSpec],
    /// Quantization tables (in zigzag order, values 1 to 255) by number.
    pub quant: &'a [(u8, [u16; 64])],
    /// Huffman tables by class and number.
    pub huffman: &'a [(Class, u8, &'a TableSpec)],
    /// Whole APP2 payloads holding the ICC profile.
    pub icc_segments: &'a [&'a [u8]],
}

fn segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(payload);
}

/// The header, with room reserved for `data_capacity` bytes of scan data.
pub fn header(spec: &HeaderSpec<'_>, data_capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024 + data_capacity);
    out.extend_from_slice(&[0xFF, 0xD8]);
    // JFIF 1.01, no density unit, aspect ratio 1:1, no thumbnail.
    segment(&mut out, 0xE0, &[b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
    for payload in spec.icc_segments {
        segment(&mut out, 0xE2, payload);
    }
    for (number, table) in spec.quant {
        let mut payload = vec![*number];
        payload.extend(table.iter().map(|&q| q.clamp(1, 255) as u8));
        segment(&mut out, 0xDB, &payload);
    }
    let mut frame = vec![8];
    frame.extend_from_slice(&spec.height.to_be_bytes());
    frame.extend_from_slice(&spec.width.to_be_bytes());
    frame.push(spec.components.len() as u8);
    for c in spec.components {
        frame.extend_from_slice(&[c.id, c.h << 4 | c.v, c.quant]);
    }
    segment(&mut out, 0xC0, &frame);
    for (class, number, table) in spec.huffman {
        let class = match class {
            Class::Dc => 0,
            Class::Ac => 1,
        };
        let mut payload = vec![class << 4 | number];
        payload.extend_from_slice(&table.counts);
        payload.extend_from_slice(&table.symbols);
        segment(&mut out, 0xC4, &payload);
    }
    let mut scan = vec![spec.components.len() as u8];
    for c in spec.components {
        scan.extend_from_slice(&[c.id, c.dc_table << 4 | c.ac_table]);
    }
    scan.extend_from_slice(&[0, 63, 0]);
    segment(&mut out, 0xDA, &scan);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jpeg::header::parse;
    use crate::jpeg::huffman::typical;

    #[test]
    fn the_header_reads_back() {
        let components = [
            ComponentSpec { id: 1, h: 2, v: 1, quant: 0, dc_table: 0, ac_table: 0 },
            ComponentSpec { id: 2, h: 1, v: 1, quant: 1, dc_table: 1, ac_table: 1 },
            ComponentSpec { id: 3, h: 1, v: 1, quant: 1, dc_table: 1, ac_table: 1 },
        ];
        let (dc_luma, ac_luma, dc_chroma, ac_chroma) =
            (typical::dc_luma(), typical::ac_luma(), typical::dc_chroma(), typical::ac_chroma());
        let spec = HeaderSpec {
            width: 300,
            height: 7,
            components: &components,
            quant: &[(0, [2; 64]), (1, [3; 64])],
            huffman: &[
                (Class::Dc, 0, &dc_luma),
                (Class::Ac, 0, &ac_luma),
                (Class::Dc, 1, &dc_chroma),
                (Class::Ac, 1, &ac_chroma),
            ],
            icc_segments: &[b"ICC_PROFILE\0\x01\x01profile"],
        };
        let mut file = header(&spec, 0);
        file.extend_from_slice(&[0xFF, 0xD9]);
        let parsed = parse(&file).unwrap();
        assert_eq!((parsed.width, parsed.height), (300, 7));
        assert_eq!(parsed.components[0].h, 2);
        assert_eq!(parsed.components[2].dc_table, 1);
        assert_eq!(parsed.tables.quant[1], Some([3; 64]));
        assert_eq!(parsed.tables.ac[1], Some(ac_chroma));
        assert_eq!(parsed.icc_profile().as_deref(), Some(&b"profile"[..]));
        assert_eq!(parsed.scan, [0xFF, 0xD9]);
    }
}
