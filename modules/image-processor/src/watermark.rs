//! The `watermark` artifact, laid over the bottom-right corner of the image
//! as in the original module: its alpha blends it in ("over" compositing),
//! an opaque watermark replaces the pixels it covers. Only that corner is
//! touched.

use image::{Pixel, Rgba};
use wasm_workflows_sdk::anyhow;

use crate::picture::{Layout, Picture};

/// `picture` with `mark` over its bottom-right corner. A colour watermark on
/// a gray image makes the image colour.
pub fn apply(picture: Picture, mark: &Picture) -> anyhow::Result<Picture> {
    anyhow::ensure!(
        mark.width <= picture.width && mark.height <= picture.height,
        "input artifact \"watermark\" is {}×{} pixels, larger than the {}×{} image it is to be placed on; \
         use a smaller watermark (or a larger \"resize\")",
        mark.width,
        mark.height,
        picture.width,
        picture.height
    );
    let mut picture = if mark.layout.has_color() { picture.into_color() } else { picture };
    let (left, top) = ((picture.width - mark.width) as usize, (picture.height - mark.height) as usize);
    let channels = picture.layout.channels();
    let stride = picture.stride();
    for (y, mark_row) in mark.pixels.chunks_exact(mark.stride()).enumerate() {
        let start = (top + y) * stride + left * channels;
        let row = &mut picture.pixels[start..start + mark.width as usize * channels];
        for (pixel, mark_pixel) in row.chunks_exact_mut(channels).zip(mark_row.chunks_exact(mark.layout.channels())) {
            let mut blended = rgba(pixel, picture.layout);
            blended.blend(&rgba(mark_pixel, mark.layout));
            store(blended, pixel, picture.layout);
        }
    }
    Ok(picture)
}

fn rgba(samples: &[u8], layout: Layout) -> Rgba<u8> {
    match layout {
        Layout::Gray => Rgba([samples[0], samples[0], samples[0], u8::MAX]),
        Layout::GrayAlpha => Rgba([samples[0], samples[0], samples[0], samples[1]]),
        Layout::Rgb => Rgba([samples[0], samples[1], samples[2], u8::MAX]),
        Layout::Rgba => Rgba([samples[0], samples[1], samples[2], samples[3]]),
    }
}

/// Writes `color` back; a gray layout only ever receives gray colours.
fn store(color: Rgba<u8>, samples: &mut [u8], layout: Layout) {
    let [r, g, b, a] = color.0;
    match layout {
        Layout::Gray => samples[0] = r,
        Layout::GrayAlpha => samples.copy_from_slice(&[r, a]),
        Layout::Rgb => samples.copy_from_slice(&[r, g, b]),
        Layout::Rgba => samples.copy_from_slice(&[r, g, b, a]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_goes_in_the_bottom_right_corner() {
        let base = Picture { width: 3, height: 2, layout: Layout::Gray, pixels: vec![10; 6] };
        let mark = Picture { width: 1, height: 1, layout: Layout::Rgba, pixels: vec![255, 0, 0, 255] };
        let marked = apply(base, &mark).unwrap();
        assert_eq!(marked.layout, Layout::Rgb);
        assert_eq!(&marked.pixels[15..], [255, 0, 0]);
        assert!(marked.pixels[..15].iter().all(|&v| v == 10));
    }

    #[test]
    fn transparency_blends_and_a_larger_mark_fails() {
        let base = Picture { width: 1, height: 1, layout: Layout::Rgb, pixels: vec![0, 0, 0] };
        let half = Picture { width: 1, height: 1, layout: Layout::GrayAlpha, pixels: vec![200, 128] };
        let marked = apply(base.clone(), &half).unwrap();
        assert!(marked.pixels.iter().all(|&v| (99..=101).contains(&v)), "{:?}", marked.pixels);

        let large = Picture { width: 2, height: 1, layout: Layout::Gray, pixels: vec![0, 0] };
        assert_eq!(
            apply(base, &large).unwrap_err().to_string(),
            "input artifact \"watermark\" is 2×1 pixels, larger than the 1×1 image it is to be placed on; \
             use a smaller watermark (or a larger \"resize\")"
        );
    }
}
