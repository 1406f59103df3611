//! The module's own JPEG entropy codec, for the two JPEG fast paths: a
//! desaturation that never leaves the DCT domain ([`desaturate`]), and a
//! decode at 1/2, 1/4 or 1/8 of the size for a resize ([`scaled`]). Both
//! take Huffman-coded files, sequential or progressive, gray or YCbCr: a
//! sequential file with every component in one scan block by block as it
//! is read, any other through a store of all its coefficients. Anything
//! else, and anything they find damaged, goes to the general decoder,
//! which has the last word on what is wrong with a file.

mod bit_reader;
mod bit_writer;
pub mod desaturate;
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
