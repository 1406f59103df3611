//! Crop, rotate and flip. Crop, flips and the half turn work in place; a
//! quarter turn needs a new buffer (the `image` crate's).

use image::imageops;
use image::metadata::Orientation;
use wasm_workflows_sdk::anyhow;

use crate::options::{Crop, Flip, Rotation};
use crate::picture::{IntoPicture, Picture, with_buffer};

/// Fails, naming the parameter, unless the area `crop` is inside a
/// `width × height` image.
fn check_crop(width: u32, height: u32, crop: Crop) -> anyhow::Result<()> {
    let inside = |start: u32, length: u32, size: u32| start.checked_add(length).is_some_and(|end| end <= size);
    anyhow::ensure!(
        inside(crop.x, crop.width, width) && inside(crop.y, crop.height, height),
        "parameter \"crop\": the area {},{},{},{} (x, y, width, height) is not inside the {width}×{height} image; \
         it must end by column {width} and row {height}",
        crop.x,
        crop.y,
        crop.width,
        crop.height,
    );
    Ok(())
}

/// Keeps the area `crop` of `picture`, moving its rows to the front of the
/// buffer. Fails, naming the parameter, if the area is not inside the image.
pub fn crop(mut picture: Picture, crop: Crop) -> anyhow::Result<Picture> {
    check_crop(picture.width, picture.height, crop)?;
    let channels = picture.layout.channels();
    let stride = picture.stride();
    let row = crop.width as usize * channels;
    let left = crop.x as usize * channels;
    for y in 0..crop.height as usize {
        let from = (crop.y as usize + y) * stride + left;
        picture.pixels.copy_within(from..from + row, y * row);
    }
    picture.pixels.truncate(row * crop.height as usize);
    picture.pixels.shrink_to_fit();
    Ok(Picture { width: crop.width, height: crop.height, ..picture })
}

/// Turns `picture` clockwise.
pub fn rotate(mut picture: Picture, rotation: Rotation) -> Picture {
    match rotation {
        Rotation::Half => {
            with_buffer!(&mut picture, buffer => imageops::rotate180_in_place(&mut buffer));
            picture
        }
        Rotation::Quarter => with_buffer!(&mut picture, buffer => imageops::rotate90(&buffer).into_picture()),
        Rotation::ThreeQuarters => with_buffer!(&mut picture, buffer => imageops::rotate270(&buffer).into_picture()),
    }
}

/// Mirrors `picture`.
pub fn flip(mut picture: Picture, flip: Flip) -> Picture {
    match flip {
        Flip::Horizontal => with_buffer!(&mut picture, buffer => imageops::flip_horizontal_in_place(&mut buffer)),
        Flip::Vertical => with_buffer!(&mut picture, buffer => imageops::flip_vertical_in_place(&mut buffer)),
    }
    picture
}

/// Turns `picture` upright as its Exif orientation says it is to be shown.
pub fn orient(picture: Picture, orientation: Orientation) -> Picture {
    use Orientation::*;
    match orientation {
        NoTransforms => picture,
        Rotate90 => rotate(picture, Rotation::Quarter),
        Rotate180 => rotate(picture, Rotation::Half),
        Rotate270 => rotate(picture, Rotation::ThreeQuarters),
        FlipHorizontal => flip(picture, Flip::Horizontal),
        FlipVertical => flip(picture, Flip::Vertical),
        Rotate90FlipH => flip(rotate(picture, Rotation::Quarter), Flip::Horizontal),
        Rotate270FlipH => flip(rotate(picture, Rotation::ThreeQuarters), Flip::Horizontal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::Layout;

    /// 3×2 gray: 1 2 3 / 4 5 6.
    fn small() -> Picture {
        Picture { width: 3, height: 2, layout: Layout::Gray, pixels: vec![1, 2, 3, 4, 5, 6] }
    }

    #[test]
    fn crop_keeps_the_area() {
        let cropped = crop(small(), Crop { x: 1, y: 0, width: 2, height: 2 }).unwrap();
        assert_eq!((cropped.width, cropped.height, cropped.pixels), (2, 2, vec![2, 3, 5, 6]));
        let whole = crop(small(), Crop { x: 0, y: 0, width: 3, height: 2 }).unwrap();
        assert_eq!(whole, small());
    }

    #[test]
    fn crop_outside_fails() {
        let error = crop(small(), Crop { x: 2, y: 1, width: 2, height: 1 }).unwrap_err();
        assert_eq!(
            error.to_string(),
            "parameter \"crop\": the area 2,1,2,1 (x, y, width, height) is not inside the 3×2 image; \
             it must end by column 3 and row 2"
        );
        assert!(crop(small(), Crop { x: u32::MAX, y: 0, width: 2, height: 1 }).is_err());
    }

    #[test]
    fn rotations_and_flips() {
        assert_eq!(rotate(small(), Rotation::Quarter).pixels, [4, 1, 5, 2, 6, 3]);
        assert_eq!(rotate(small(), Rotation::Half).pixels, [6, 5, 4, 3, 2, 1]);
        assert_eq!(rotate(small(), Rotation::ThreeQuarters).pixels, [3, 6, 2, 5, 1, 4]);
        assert_eq!(flip(small(), Flip::Horizontal).pixels, [3, 2, 1, 6, 5, 4]);
        assert_eq!(flip(small(), Flip::Vertical).pixels, [4, 5, 6, 1, 2, 3]);
        let turned = orient(small(), Orientation::Rotate90FlipH);
        assert_eq!((turned.width, turned.height, turned.pixels), (2, 3, vec![1, 4, 2, 5, 3, 6]));
    }
}
