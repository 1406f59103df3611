//! The module's own JPEG codec: the encoder of every JPEG the module writes
//! from pixels ([`encoder`]), and the two JPEG fast paths, a desaturation
//! that never leaves the DCT domain ([`desaturate`]) and a decode at 1/2,
//! 1/4 or 1/8 of the size for a resize ([`scaled`]). The fast paths
//! take Huffman-coded files, sequential or progressive, gray or YCbCr: a
//! sequential file with every component in one scan block by block as it
//! is read, any other through a store of all its coefficients. Anything
//! else, and anything they find damaged, goes to the general decoder,
//! which has the last word on what is wrong with a file.

mod bit_reader;
mod bit_writer;
pub mod desaturate;
pub mod encoder;
mod fdct;
#[cfg(any(target_arch = "wasm32", test))]
mod fdct_simd;
mod header;
mod huffman;
mod idct;
#[cfg(any(target_arch = "wasm32", test))]
mod idct_simd;
mod progressive;
mod quantization;
pub mod scaled;
mod scan;
mod store;
mod symbols;
mod writer;

#[cfg(test)]
mod tests {
    //! Damaged files through both fast paths: every answer is a result or
    //! an error, never a panic (which in wasm would trap the step).

    use super::{desaturate, scaled};

    fn photo(width: usize, height: usize) -> Vec<u8> {
        (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                [(x * 3) as u8, (y * 2 + x) as u8, (200 - x - y % 50) as u8].map(|c| c ^ ((x * y) as u8 & 7))
            })
            .collect()
    }

    /// Files of every kind the fast paths take.
    fn files() -> Vec<Vec<u8>> {
        use jpeg_encoder::SamplingFactor::*;
        let mut files = Vec::new();
        for (sampling, progressive, restart, optimized) in [
            (R_4_2_0, false, 0, false),
            (R_4_4_4, false, 3, false),
            (R_4_2_2, true, 0, false),
            (R_4_2_0, true, 2, false),
            (R_4_2_0, false, 0, true),
        ] {
            let mut jpeg = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 80);
            encoder.set_sampling_factor(sampling);
            encoder.set_progressive(progressive);
            encoder.set_optimized_huffman_tables(optimized);
            if restart > 0 {
                encoder.set_restart_interval(restart);
            }
            encoder.encode(&photo(40, 24), 40, 24, jpeg_encoder::ColorType::Rgb).unwrap();
            files.push(jpeg);
        }
        let mut gray = Vec::new();
        jpeg_encoder::Encoder::new(&mut gray, 80)
            .encode(&[90; 24 * 16], 24, 16, jpeg_encoder::ColorType::Luma)
            .unwrap();
        files.push(gray);
        files
    }

    #[test]
    fn damaged_files_give_errors_never_panics() {
        let mut noise = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            noise
        };
        for file in files() {
            assert!(desaturate::desaturate(&file, 0.5, 75).is_ok() || file.len() < 600, "a file it takes");
            assert!(scaled::decode(&file, (10, 6)).is_ok());
            for round in 0..400 {
                let mut damaged = file.clone();
                match round % 4 {
                    // Bytes changed anywhere, header included.
                    0 => {
                        for _ in 0..1 + next() % 4 {
                            let at = (next() as usize) % damaged.len();
                            damaged[at] = next() as u8;
                        }
                    }
                    // Cut short.
                    1 => damaged.truncate((next() as usize) % damaged.len()),
                    // Bytes put in.
                    2 => {
                        let at = (next() as usize) % damaged.len();
                        damaged.insert(at, [0xFF, 0x00, 0xD0, 0xD9][(next() % 4) as usize]);
                    }
                    // A run of bytes taken out.
                    _ => {
                        let at = (next() as usize) % damaged.len();
                        let end = (at + 1 + (next() as usize) % 40).min(damaged.len());
                        damaged.drain(at..end);
                    }
                }
                let _ = desaturate::desaturate(&damaged, 0.5, 75);
                let _ = scaled::decode(&damaged, (5, 3));
                let _ = scaled::decode(&damaged, (20, 12));
            }
        }
    }
}
