//! Reading an image artifact: the format from its first bytes, the size from
//! its header (refusing more than [`MAX_PIXELS`] before anything is
//! allocated), then the pixels, turned upright as its Exif orientation says.
//! JPEG is decoded with zune-jpeg directly into the module's buffer (or,
//! for a resize, by the module's own decoder at a reduced scale); the other
//! formats with the `image` crate's decoders.

use std::io::Cursor;
use wasm_workflows_sdk::anyhow;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use crate::format::Format;
use crate::geometry;
use crate::jpeg;
use crate::picture::{Layout, Picture};

/// The most pixels an input may have: a 100-megapixel camera's photo. Its
/// RGBA pixels take 400 MB of the 4 GiB a wasm32 module can address.
pub const MAX_PIXELS: u64 = 100_000_000;

/// The most a decoder may allocate at once: 16-bit RGBA at [`MAX_PIXELS`].
const MAX_ALLOC: u64 = MAX_PIXELS * 8;

/// A decoded image.
#[derive(Debug)]
pub struct Decoded {
    /// The pixels, upright.
    pub picture: Picture,
    /// The format it was in.
    pub format: Format,
    /// Its colour profile, if it has one.
    pub icc_profile: Option<Vec<u8>>,
    /// The image's size, upright; larger than the picture's when it was
    /// decoded at a reduced scale.
    pub full_size: (u32, u32),
    /// That scale: 1 (full size), 2, 4 or 8.
    pub reduced_by: u32,
}

impl Decoded {
    /// The width and height of the picture's part that shows the whole
    /// image: the full size divided by the reduction (a reduced picture's
    /// last column and row may show only part of a pixel's worth).
    pub fn extent(&self) -> (f64, f64) {
        let reduced = |side: u32| f64::from(side) / f64::from(self.reduced_by);
        (reduced(self.full_size.0), reduced(self.full_size.1))
    }
}

/// Decodes `bytes`, the contents of input artifact `artifact`.
pub fn decode(bytes: &[u8], artifact: &str) -> anyhow::Result<Decoded> {
    let format = Format::detect(bytes).ok_or_else(|| unrecognised(bytes, artifact))?;
    let invalid =
        |error: String| anyhow::anyhow!("input artifact \"{artifact}\" is not a valid {}: {error}", format.title());
    let (picture, orientation, icc_profile) = match format {
        Format::Jpeg => decode_jpeg(bytes, artifact).map_err(|e| e.or_else(invalid))?,
        _ => decode_with_image(bytes, format, artifact).map_err(|e| e.or_else(invalid))?,
    };
    let picture = geometry::orient(picture, orientation);
    let full_size = (picture.width, picture.height);
    Ok(Decoded { picture, format, icc_profile, full_size, reduced_by: 1 })
}

/// Decodes `bytes` for a step whose first operation resizes the image to
/// `target` (upright): a JPEG the fast path takes is decoded at 1/2, 1/4
/// or 1/8 of its size, no smaller than `target` ([`jpeg::scaled`]); any
/// other file, as [`decode`] does.
pub fn decode_at_least(bytes: &[u8], artifact: &str, (width, height): (u32, u32)) -> anyhow::Result<Decoded> {
    if Format::detect(bytes) == Some(Format::Jpeg)
        && let Ok(scaled) = jpeg::scaled::decode(bytes, (width as usize, height as usize))
    {
        let (stored_width, stored_height) = (scaled.full_size.0 as u32, scaled.full_size.1 as u32);
        let full_size = if jpeg::scaled::transposes(scaled.orientation) {
            (stored_height, stored_width)
        } else {
            (stored_width, stored_height)
        };
        let picture = geometry::orient(scaled.picture, scaled.orientation);
        let icc_profile = scaled.icc_profile;
        return Ok(Decoded { picture, format: Format::Jpeg, icc_profile, full_size, reduced_by: scaled.reduced_by });
    }
    decode(bytes, artifact)
}

/// Why decoding stopped: the image is too large (a complete message), or
/// the decoder's error.
enum Failure {
    TooLarge(anyhow::Error),
    Decoder(String),
}

impl Failure {
    fn or_else(self, invalid: impl FnOnce(String) -> anyhow::Error) -> anyhow::Error {
        match self {
            Failure::TooLarge(error) => error,
            Failure::Decoder(error) => invalid(error),
        }
    }
}

type Decoding = (Picture, Orientation, Option<Vec<u8>>);

fn check_size(width: usize, height: usize, format: Format, artifact: &str) -> Result<(), Failure> {
    let pixels = width as u64 * height as u64;
    if pixels > MAX_PIXELS {
        return Err(Failure::TooLarge(anyhow::anyhow!(
            "input artifact \"{artifact}\" is a {} of {width}×{height} pixels ({} megapixels); \
             this module processes images of at most {} megapixels",
            format.title(),
            pixels / 1_000_000,
            MAX_PIXELS / 1_000_000
        )));
    }
    Ok(())
}

fn decode_jpeg(bytes: &[u8], artifact: &str) -> Result<Decoding, Failure> {
    let error = |e: zune_jpeg::errors::DecodeErrors| Failure::Decoder(e.to_string());
    // Strict: a truncated or damaged file is an error, not a picture with
    // gray where the data ran out.
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder.decode_headers().map_err(error)?;
    let (width, height) = decoder.dimensions().ok_or_else(|| Failure::Decoder("no image size in its header".into()))?;
    check_size(width, height, Format::Jpeg, artifact)?;
    let layout = if decoder.input_colorspace() == Some(ColorSpace::Luma) {
        decoder.set_options(options.jpeg_set_out_colorspace(ColorSpace::Luma));
        Layout::Gray
    } else {
        Layout::Rgb
    };
    let mut pixels = vec![0; width * height * layout.channels()];
    decoder.decode_into(&mut pixels).map_err(error)?;
    let orientation =
        decoder.exif().and_then(|exif| Orientation::from_exif_chunk(exif)).unwrap_or(Orientation::NoTransforms);
    let picture = Picture { width: width as u32, height: height as u32, layout, pixels };
    Ok((picture, orientation, decoder.icc_profile()))
}

fn decode_with_image(bytes: &[u8], format: Format, artifact: &str) -> Result<Decoding, Failure> {
    let error = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => Failure::TooLarge(anyhow::anyhow!(
            "input artifact \"{artifact}\" is a {} too large to decode in a module's memory ({e})",
            format.title()
        )),
        e => Failure::Decoder(e.to_string()),
    };
    if let Some((width, height)) = png_size(bytes).filter(|_| format == Format::Png) {
        // Before the decoder, which on wasm32 refuses images over 2 GiB
        // with a message that does not say why.
        check_size(width as usize, height as usize, format, artifact)?;
    }
    // The header is read without limits, so that the size check below gives
    // its own message; the decoder then gets them.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(error)?;
    let (width, height) = decoder.dimensions();
    check_size(width as usize, height as usize, format, artifact)?;
    let mut limits = Limits::no_limits();
    limits.max_alloc = Some(MAX_ALLOC);
    decoder.set_limits(limits).map_err(error)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc_profile = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(error)?;
    Ok((into_picture(image), orientation, icc_profile))
}

/// The size in a PNG's header (its first chunk, IHDR).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let header = bytes.get(12..24).filter(|header| header.starts_with(b"IHDR"))?;
    let number = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    Some((number(4), number(8)))
}

/// 8-bit samples in one of the four layouts; deeper samples are rounded.
fn into_picture(image: DynamicImage) -> Picture {
    let (width, height) = (image.width(), image.height());
    let (layout, pixels) = match image {
        DynamicImage::ImageLuma8(buffer) => (Layout::Gray, buffer.into_raw()),
        DynamicImage::ImageLumaA8(buffer) => (Layout::GrayAlpha, buffer.into_raw()),
        DynamicImage::ImageRgb8(buffer) => (Layout::Rgb, buffer.into_raw()),
        DynamicImage::ImageRgba8(buffer) => (Layout::Rgba, buffer.into_raw()),
        DynamicImage::ImageLuma16(_) => (Layout::Gray, image.into_luma8().into_raw()),
        DynamicImage::ImageLumaA16(_) => (Layout::GrayAlpha, image.into_luma_alpha8().into_raw()),
        image if image.color().has_alpha() => (Layout::Rgba, image.into_rgba8().into_raw()),
        image => (Layout::Rgb, image.into_rgb8().into_raw()),
    };
    Picture { width, height, layout, pixels }
}

/// The message for bytes that are no image this module reads.
fn unrecognised(bytes: &[u8], artifact: &str) -> anyhow::Error {
    let formats = "JPEG, PNG, WebP, GIF, BMP or TIFF";
    if bytes.is_empty() {
        return anyhow::anyhow!("input artifact \"{artifact}\" is empty (0 bytes); expected an image ({formats})");
    }
    let start = &bytes[..bytes.len().min(16)];
    let shown = if start.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("\"{}\"", String::from_utf8_lossy(start))
    } else {
        start.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
    };
    anyhow::anyhow!(
        "input artifact \"{artifact}\" is not an image in a format this module reads ({formats}): \
         its {} bytes start with {shown}",
        bytes.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_bytes_are_described() {
        assert_eq!(
            decode(b"", "input").unwrap_err().to_string(),
            "input artifact \"input\" is empty (0 bytes); expected an image (JPEG, PNG, WebP, GIF, BMP or TIFF)"
        );
        assert_eq!(
            decode(b"hello, world", "watermark").unwrap_err().to_string(),
            "input artifact \"watermark\" is not an image in a format this module reads (JPEG, PNG, WebP, GIF, BMP \
             or TIFF): its 12 bytes start with \"hello, world\""
        );
        assert!(decode(b"\x00\x01\xfe", "input").unwrap_err().to_string().ends_with("start with 00 01 fe"));
    }

    #[test]
    fn sixteen_bit_samples_become_eight() {
        let deep = DynamicImage::ImageRgb16(image::ImageBuffer::from_raw(1, 1, vec![0, 32896, 65535]).unwrap());
        assert_eq!(into_picture(deep).pixels, [0, 128, 255]);
    }
}
