//! Crop, resize, rotate, flip, the watermark, their order, and Exif
//! orientation, run in wasm and checked pixel by pixel.

mod support;

use image::{DynamicImage, GenericImageView, ImageFormat, Rgba, RgbaImage};
use support::{assert_close, difference, encode, magick, magick_sample, process, process_image, sample, sample_png};

fn sample_image() -> DynamicImage {
    DynamicImage::ImageRgb8(sample())
}

#[test]
fn crop_keeps_the_area() {
    let run = process_image(&sample_png(), "png", &[("crop", "5,3,20,10")]);
    let expected = sample_image().crop_imm(5, 3, 20, 10);
    assert_close(&run.image(), &expected, 0, "crop 5,3,20,10");
    assert_close(&run.image(), &magick_sample(&["-crop", "20x10+5+3", "+repage"]), 0, "against convert -crop");
    assert_eq!((run.parameter("width").as_u64(), run.parameter("height").as_u64()), (Some(20), Some(10)));
    assert_eq!(run.node.message, "48×32 PNG → 20×10 PNG (crop)");
}

#[test]
fn resize_is_lanczos3_like_imagemagick() {
    for (parameter, size) in [("24x", "24x16"), ("x8", "12x8"), ("30x20", "30x20"), ("96x", "96x64")] {
        let run = process_image(&sample_png(), "png", &[("resize", parameter)]);
        let resized = run.image();
        let expected = magick_sample(&["-filter", "Lanczos", "-resize", &format!("{size}!")]);
        assert_eq!(format!("{}x{}", resized.width(), resized.height()), size, "resize={parameter}");
        let (most, mean) = difference(&resized, &expected);
        assert!(
            most <= 12 && mean < 1.5,
            "resize={parameter}: differs from ImageMagick by up to {most}, {mean:.2} on average"
        );
    }
    // A uniform image stays exactly uniform.
    let flat = encode(
        &DynamicImage::ImageRgb8(image::RgbImage::from_pixel(40, 30, image::Rgb([12, 200, 99]))),
        ImageFormat::Png,
    );
    let run = process_image(&flat, "png", &[("resize", "17x")]);
    let out = run.image().to_rgb8();
    assert_eq!(out.dimensions(), (17, 13));
    assert!(out.pixels().all(|p| p.0 == [12, 200, 99]));
}

#[test]
fn rotate_turns_clockwise() {
    let image = sample_image();
    for (degrees, expected) in [("90", image.rotate90()), ("180", image.rotate180()), ("270", image.rotate270())] {
        let run = process_image(&sample_png(), "png", &[("rotate", degrees)]);
        assert_close(&run.image(), &expected, 0, &format!("rotate {degrees}"));
        assert_close(&run.image(), &magick_sample(&["-rotate", degrees]), 0, "against convert -rotate");
    }
    let turned = process_image(&sample_png(), "png", &[("rotate", "90")]).image();
    // The top-left pixel of the original goes to the top-right corner.
    assert_eq!(turned.get_pixel(31, 0), sample_image().get_pixel(0, 0));
}

#[test]
fn flip_mirrors() {
    let horizontal = process_image(&sample_png(), "png", &[("flip", "horizontal")]).image();
    assert_close(&horizontal, &sample_image().fliph(), 0, "flip horizontal");
    assert_close(&horizontal, &magick_sample(&["-flop"]), 0, "against convert -flop");
    let vertical = process_image(&sample_png(), "png", &[("flip", "vertical")]).image();
    assert_close(&vertical, &sample_image().flipv(), 0, "flip vertical");
    assert_close(&vertical, &magick_sample(&["-flip"]), 0, "against convert -flip");
}

#[test]
fn operations_apply_in_order_crop_resize_rotate_flip_effect() {
    let run = process_image(
        &sample_png(),
        "png",
        &[("effect", "invert"), ("flip", "horizontal"), ("rotate", "90"), ("resize", "20x"), ("crop", "4,2,40,24")],
    );
    // Cropped to 40×24, resized to 20×12, turned to 12×20.
    let expected = magick_sample(&[
        "-crop",
        "40x24+4+2",
        "+repage",
        "-filter",
        "Lanczos",
        "-resize",
        "20x12!",
        "-rotate",
        "90",
        "-flop",
        "-negate",
    ]);
    let out = run.image();
    assert_eq!(out.dimensions(), (12, 20));
    let (most, mean) = difference(&out, &expected);
    assert!(most <= 12 && mean < 1.5, "differs from ImageMagick by up to {most}, {mean:.2} on average");
    assert_eq!(run.node.message, "48×32 PNG → 12×20 PNG (crop, resize, rotate, flip, invert)");
}

/// An 8×6 watermark: opaque red on the left half, half-transparent blue on the right.
fn watermark() -> RgbaImage {
    RgbaImage::from_fn(8, 6, |x, _| if x < 4 { Rgba([255, 0, 0, 255]) } else { Rgba([0, 0, 255, 128]) })
}

#[test]
fn the_watermark_goes_over_the_bottom_right_corner() {
    let mark = encode(&DynamicImage::ImageRgba8(watermark()), ImageFormat::Png);
    let run = process(&[("input", "photo.png", &sample_png()), ("watermark", "logo.png", &mark)], &[]);
    let out = run.image();
    let dir = tempfile::tempdir().unwrap();
    let logo = dir.path().join("logo.png");
    std::fs::write(&logo, &mark).unwrap();
    let expected = image::load_from_memory(&magick(
        &sample_png(),
        "png",
        &[logo.to_str().unwrap(), "-gravity", "southeast", "-composite"],
        "png",
    ))
    .unwrap();
    assert_close(&out, &expected, 1, "against convert -gravity southeast -composite");
    assert_eq!(out.get_pixel(40, 26), Rgba([255, 0, 0, 255]), "the opaque part covers");
    assert_eq!(out.get_pixel(39, 26), sample_image().get_pixel(39, 26), "left of the mark is untouched");
    assert_eq!(run.node.message, "48×32 PNG → 48×32 PNG (watermark)");
}

#[test]
fn the_watermark_comes_after_the_effect() {
    let mark = encode(&DynamicImage::ImageRgba8(watermark()), ImageFormat::Png);
    let run =
        process(&[("input", "photo.png", &sample_png()), ("watermark", "logo.png", &mark)], &[("effect", "grayscale")]);
    let out = run.image();
    assert_eq!(out.get_pixel(40, 31), Rgba([255, 0, 0, 255]), "the mark keeps its colour on a gray image");
    let [v, g, b, _] = out.get_pixel(0, 10).0;
    assert!(v == g && g == b, "the image itself is gray");
}

/// The sample as a JPEG whose Exif orientation is `orientation` (6: "turn
/// 90° clockwise to display").
fn jpeg_with_orientation(orientation: u8) -> Vec<u8> {
    // A big-endian TIFF header and one IFD entry: tag 0x0112, SHORT, 1 value.
    let exif = [b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
    let mut jpeg = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 95);
    encoder.add_exif_metadata(&exif).unwrap();
    let image = sample();
    encoder.encode(image.as_raw(), 48, 32, jpeg_encoder::ColorType::Rgb).unwrap();
    jpeg
}

#[test]
fn exif_orientation_is_applied_first() {
    let run = process_image(&jpeg_with_orientation(6), "jpg", &[("crop", "0,0,32,10"), ("format", "png")]);
    let out = run.image();
    assert_eq!(out.dimensions(), (32, 10), "the crop is of the upright 32×48 image");
    let expected = sample_image().rotate90().crop_imm(0, 0, 32, 10);
    let (most, mean) = difference(&out, &expected);
    assert!(mean < 3.0, "differs from the upright original by {mean:.2} on average (at most {most})");

    let mirrored = process_image(&jpeg_with_orientation(2), "jpg", &[("format", "png")]).image();
    let (_, mean) = difference(&mirrored, &sample_image().fliph());
    assert!(mean < 3.0, "orientation 2 is a mirror image: {mean:.2}");
}
