//! `resize`, with fast_image_resize (its wasm SIMD128 kernels): Lanczos3
//! convolution, as ImageMagick and libvips use by default for shrinking,
//! with alpha premultiplied.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::pixels::PixelType;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use wasm_workflows_sdk::anyhow;

use crate::decode::MAX_PIXELS;
use crate::format::Format;
use crate::jpeg;
use crate::options::{MAX_SIDE, Plan, Resize};
use crate::picture::{Layout, Picture};

/// The size `resize` asks for when the image is `width × height`: a side
/// left out keeps the aspect ratio (rounded, at least 1).
pub fn target_size(width: u32, height: u32, resize: Resize) -> anyhow::Result<(u32, u32)> {
    let scaled = |side: u32, to: u32, from: u32| {
        let side = (f64::from(side) * f64::from(to) / f64::from(from)).round().max(1.0);
        if side > f64::from(MAX_SIDE) { None } else { Some(side as u32) }
    };
    let size = match (resize.width, resize.height) {
        (Some(w), Some(h)) => Some((w, h)),
        (Some(w), None) => scaled(height, w, width).map(|h| (w, h)),
        (None, Some(h)) => scaled(width, h, height).map(|w| (w, h)),
        (None, None) => Some((width, height)),
    };
    let describe = || {
        let side = |side: Option<u32>| side.map(|s| s.to_string()).unwrap_or_default();
        format!("{}x{}", side(resize.width), side(resize.height))
    };
    let (w, h) = size.ok_or_else(|| {
        anyhow::anyhow!(
            "parameter \"resize\": \"{}\" keeps the aspect ratio of the {width}×{height} image only with a side \
             longer than {MAX_SIDE} pixels",
            describe()
        )
    })?;
    anyhow::ensure!(
        u64::from(w) * u64::from(h) <= MAX_PIXELS,
        "parameter \"resize\": {w}×{h} is {} megapixels; this module makes images of at most {} megapixels",
        u64::from(w) * u64::from(h) / 1_000_000,
        MAX_PIXELS / 1_000_000
    );
    Ok((w, h))
}

/// The size a step resizes its input to, when that can be known from a
/// JPEG's header before decoding (the resize comes first: no crop before
/// it), so that the decoder can skip what the resize would throw away.
pub fn target_before_decoding(bytes: &[u8], plan: &Plan) -> anyhow::Result<Option<(u32, u32)>> {
    let Some(resize) = plan.resize.filter(|_| plan.crop.is_none()) else { return Ok(None) };
    if Format::detect(bytes) != Some(Format::Jpeg) {
        return Ok(None);
    }
    let Ok((width, height)) = jpeg::scaled::upright_size(bytes) else { return Ok(None) };
    target_size(width as u32, height as u32, resize).map(Some)
}

fn pixel_type(layout: Layout) -> PixelType {
    match layout {
        Layout::Gray => PixelType::U8,
        Layout::GrayAlpha => PixelType::U8x2,
        Layout::Rgb => PixelType::U8x3,
        Layout::Rgba => PixelType::U8x4,
    }
}

/// `picture` resized to `width × height`, from its top-left `extent`
/// (its size, unless it was decoded at a reduced scale: then the image's
/// full size divided by the reduction, which the picture's last column and
/// row may fill only in part).
pub fn resize(picture: &Picture, width: u32, height: u32, extent: (f64, f64)) -> anyhow::Result<Picture> {
    let layout = picture.layout;
    let source = ImageRef::new(picture.width, picture.height, &picture.pixels, pixel_type(layout))?;
    let mut target = Image::new(width, height, pixel_type(layout));
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let whole = (f64::from(picture.width), f64::from(picture.height));
    let options = if extent == whole { options } else { options.crop(0.0, 0.0, extent.0, extent.1) };
    Resizer::new().resize(&source, &mut target, &options)?;
    Ok(Picture { width, height, layout, pixels: target.into_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(width: Option<u32>, height: Option<u32>) -> anyhow::Result<(u32, u32)> {
        target_size(4000, 3000, Resize { width, height })
    }

    #[test]
    fn a_missing_side_keeps_the_aspect_ratio() {
        assert_eq!(size(Some(2000), None).unwrap(), (2000, 1500));
        assert_eq!(size(None, Some(100)).unwrap(), (133, 100));
        assert_eq!(size(Some(1), None).unwrap(), (1, 1));
        assert_eq!(size(Some(640), Some(640)).unwrap(), (640, 640));
    }

    #[test]
    fn too_large_results_are_refused() {
        assert_eq!(
            size(Some(20_000), Some(20_000)).unwrap_err().to_string(),
            "parameter \"resize\": 20000×20000 is 400 megapixels; this module makes images of at most 100 megapixels"
        );
        assert_eq!(
            target_size(10, 20_000, Resize { width: Some(100), height: None }).unwrap_err().to_string(),
            "parameter \"resize\": \"100x\" keeps the aspect ratio of the 10×20000 image only with a side longer \
             than 65535 pixels"
        );
    }

    #[test]
    fn uniform_stays_uniform() {
        let gray = Picture { width: 8, height: 4, layout: Layout::Gray, pixels: vec![77; 32] };
        let half = resize(&gray, 4, 2, (8.0, 4.0)).unwrap();
        assert_eq!((half.width, half.height, half.pixels), (4, 2, vec![77; 8]));
    }
}
