//! Writing the result: JPEG with the module's own encoder (4:2:0, the
//! colour profile kept; transparency laid over white, since JPEG has none;
//! [`crate::jpeg::encoder`]), the other
//! formats with the `image` crate's encoders (WebP lossless, GIF quantised
//! to 256 colours, TIFF uncompressed). Pixels stream into the output file.

use std::fs::File;
use std::io::{BufWriter, Write};

use image::ImageEncoder;
use image::codecs::bmp::BmpEncoder;
use image::codecs::gif::GifEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::tiff::TiffEncoder;
use image::codecs::webp::WebPEncoder;
use wasm_workflows_sdk::prelude::*;

use crate::format::Format;
use crate::jpeg;
use crate::picture::{Layout, Picture};
use crate::rgb_kernels::{self, Desaturation};

/// JPEG quality when `quality` is not given.
pub const DEFAULT_QUALITY: u8 = 90;

/// GIF colour quantisation speed: 1 (best, slowest) to 30; 10 is NeuQuant's usual.
const GIF_SPEED: i32 = 10;

/// How to write the output.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    /// The format.
    pub format: Format,
    /// JPEG quality, 1 to 100.
    pub quality: u8,
    /// The colour profile to embed, if any.
    pub icc_profile: Option<&'a [u8]>,
    /// A desaturation still to apply, which the JPEG encoder does as it
    /// reads the rows (RGB pictures only).
    pub desaturation: Option<Desaturation>,
}

/// The largest side each format can hold.
fn max_side(format: Format) -> u32 {
    match format {
        Format::Jpeg | Format::Gif => u32::from(u16::MAX),
        Format::Webp => 16_383,
        Format::Bmp => i32::MAX as u32,
        Format::Png | Format::Tiff => u32::MAX,
    }
}

/// Writes `picture` as output artifact `name` at `/output.<extension>`.
pub fn write(mut picture: Picture, settings: Settings<'_>, name: &str) -> anyhow::Result<ArtifactRef> {
    let format = settings.format;
    if let Some(desaturation) = settings.desaturation.filter(|_| format != Format::Jpeg) {
        rgb_kernels::desaturate(&mut picture.pixels, desaturation);
    }
    let largest = max_side(format);
    anyhow::ensure!(
        picture.width <= largest && picture.height <= largest,
        "a {} holds images of at most {largest}×{largest} pixels, and this one is {}×{}; \
         choose another \"format\" or a smaller \"resize\"",
        format.title(),
        picture.width,
        picture.height
    );
    let path = format!("/output.{}", format.extension());
    let mut artifact = OutputArtifact::create(name, &path)?;
    let failed = |error: String| anyhow::anyhow!("cannot write the {} output: {error}", format.title());
    match format {
        Format::Jpeg => {
            let options = jpeg::encoder::Options {
                quality: settings.quality,
                icc_profile: settings.icc_profile,
                desaturation: settings.desaturation,
            };
            let bytes =
                jpeg::encoder::encode(&picture, &options).ok_or_else(|| failed("a symbol without a code".into()))?;
            artifact.write_all(&bytes)?;
        }
        Format::Tiff => {
            // TIFF's encoder seeks, which the streaming artifact writer cannot:
            // it writes the artifact's file itself.
            let file = artifact.file().to_owned();
            let artifact = artifact.finish()?;
            let file = File::options().write(true).truncate(true).open(&file)?;
            let mut writer = BufWriter::new(file);
            write_with_image(TiffEncoder::new(&mut writer), picture.without_gray_alpha(), &settings).map_err(failed)?;
            writer.flush()?;
            return Ok(artifact);
        }
        Format::Png => write_with_image(PngEncoder::new(&mut artifact), picture, &settings).map_err(failed)?,
        Format::Webp => {
            write_with_image(WebPEncoder::new_lossless(&mut artifact), picture, &settings).map_err(failed)?;
        }
        Format::Bmp => {
            write_with_image(BmpEncoder::new(&mut artifact), picture.without_gray_alpha(), &settings)
                .map_err(failed)?;
        }
        Format::Gif => {
            let encoder = GifEncoder::new_with_speed(&mut artifact, GIF_SPEED);
            write_with_image(encoder, picture.into_color(), &settings).map_err(failed)?;
        }
    }
    Ok(artifact.finish()?)
}

fn write_with_image(mut encoder: impl ImageEncoder, picture: Picture, settings: &Settings<'_>) -> Result<(), String> {
    if let Some(profile) = settings.icc_profile {
        // Formats without colour profiles (BMP, GIF) say so; the pixels are
        // written all the same.
        let _ = encoder.set_icc_profile(profile.to_vec());
    }
    encoder
        .write_image(&picture.pixels, picture.width, picture.height, picture.layout.color_type())
        .map_err(|e| e.to_string())
}

impl Picture {
    /// Gray with alpha as RGBA, for the encoders that would drop its alpha
    /// (BMP) or do not take it (TIFF).
    fn without_gray_alpha(self) -> Picture {
        if self.layout == Layout::GrayAlpha { self.into_color() } else { self }
    }
}
