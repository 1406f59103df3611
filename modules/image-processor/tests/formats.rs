//! Each of the six formats read (files ImageMagick wrote) and written
//! (decoded again by the `image` crate), run in wasm.

mod support;

use image::{DynamicImage, GenericImageView, ImageFormat, Rgba};
use support::{assert_close, difference, encode, magick, process_image, sample, sample_png, sample_with_alpha};

fn sample_image() -> DynamicImage {
    DynamicImage::ImageRgb8(sample())
}

/// ImageMagick's decoding of `bytes` (a `.<extension>` file), as RGB.
fn magick_decode(bytes: &[u8], extension: &str) -> DynamicImage {
    image::load_from_memory(&magick(bytes, extension, &[], "png")).unwrap()
}

#[test]
fn each_format_is_read() {
    // (extension, ImageMagick options, lossless)
    let inputs: [(&str, &[&str], bool); 7] = [
        ("png", &[], true),
        ("bmp", &[], true),
        ("tiff", &["-compress", "lzw"], true),
        ("webp", &["-define", "webp:lossless=true"], true),
        ("webp", &["-quality", "90"], false),
        ("jpg", &["-quality", "95"], false),
        ("gif", &[], false),
    ];
    for (extension, options, lossless) in inputs {
        let file = magick(&sample_png(), "png", options, extension);
        let run = process_image(&file, extension, &[("format", "png")]);
        let decoded = run.image();
        let what = format!("{extension} {options:?}");
        if lossless {
            assert_close(&decoded, &sample_image(), 0, &what);
        } else {
            // Lossy files: the same pixels as ImageMagick's own decoder sees,
            // up to the rounding of two IDCTs and upsamplers.
            let (most, mean) = difference(&decoded, &magick_decode(&file, extension));
            assert!(
                most <= 12 && mean < 1.0,
                "{what}: differs from ImageMagick's decoding by up to {most}, {mean:.2} on average"
            );
        }
        assert_eq!((run.parameter("width").as_u64(), run.parameter("height").as_u64()), (Some(48), Some(32)), "{what}");
    }
}

#[test]
fn each_format_is_written() {
    for (format, extension, image_format, magick_options) in [
        ("png", "png", ImageFormat::Png, None),
        ("bmp", "bmp", ImageFormat::Bmp, None),
        ("tiff", "tiff", ImageFormat::Tiff, None),
        ("webp", "webp", ImageFormat::WebP, None),
        ("jpeg", "jpg", ImageFormat::Jpeg, Some((&["-quality", "90", "-sampling-factor", "2x2"][..], 1.25))),
        // GIF: NeuQuant without dithering, against ImageMagick's dithered octree.
        ("gif", "gif", ImageFormat::Gif, Some((&[][..], 3.0))),
    ] {
        let run = process_image(&sample_png(), "png", &[("format", format)]);
        assert_eq!(run.parameter("format").as_str(), Some(format));
        assert_eq!(run.node.outputs.artifacts[0].name, "output");
        assert_eq!(run.node.outputs.artifacts[0].path, format!("/output.{extension}"));
        let bytes = run.output.as_ref().unwrap();
        assert_eq!(image::guess_format(bytes).unwrap(), image_format, "{format}");
        let written = run.image();
        match magick_options {
            None => assert_close(&written, &sample_image(), 0, format),
            Some((options, allowance)) => {
                // Lossy (JPEG 4:2:0 at quality 90; GIF's 256 colours): about
                // as faithful as ImageMagick's file with the same settings.
                // The sample's colour changes from pixel to pixel, which
                // 4:2:0 cannot keep: both lose about 30 levels on average.
                let (_, ours) = difference(&written, &sample_image());
                let theirs = difference(
                    &magick_decode(&magick(&sample_png(), "png", options, extension), extension),
                    &sample_image(),
                )
                .1;
                assert!(
                    ours <= theirs * allowance + 0.5,
                    "{format}: {ours:.2} levels off on average, ImageMagick's file {theirs:.2}"
                );
            }
        }
        // ImageMagick reads it too.
        assert_eq!(magick_decode(bytes, extension).dimensions(), (48, 32), "{format}");
    }
}

#[test]
fn the_output_format_defaults_to_the_input_format() {
    let webp = magick(&sample_png(), "png", &["-define", "webp:lossless=true"], "webp");
    let run = process_image(&webp, "webp", &[("flip", "vertical")]);
    assert_eq!(run.parameter("format").as_str(), Some("webp"));
    assert_eq!(run.node.outputs.artifacts[0].path, "/output.webp");
    assert_close(&run.image(), &sample_image().flipv(), 0, "webp, flipped");
    assert_eq!(run.node.message, "48×32 WebP → 48×32 WebP (flip)");
}

#[test]
fn jpeg_quality_is_chosen_and_chroma_is_subsampled() {
    let jpeg = |quality: &str| {
        let run = process_image(&sample_png(), "png", &[("format", "jpeg"), ("quality", quality)]);
        assert_eq!(run.parameter("format").as_str(), Some("jpeg"));
        run.output.unwrap()
    };
    let (low, default, high) =
        (jpeg("30"), process_image(&sample_png(), "png", &[("format", "jpg")]).output.unwrap(), jpeg("100"));
    assert!(
        low.len() < default.len() && default.len() < high.len(),
        "{} < {} < {}",
        low.len(),
        default.len(),
        high.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("default.jpg");
    std::fs::write(&file, &default).unwrap();
    let identify = std::process::Command::new("identify")
        .args(["-format", "%Q %[jpeg:sampling-factor]"])
        .arg(&file)
        .output()
        .expect("ImageMagick's identify runs");
    assert_eq!(String::from_utf8_lossy(&identify.stdout), "90 2x2,1x1,1x1");
}

#[test]
fn jpeg_chroma_is_the_average_of_each_block() {
    // Columns alternate red and blue: each 2×2 block averages to purple.
    let stripes =
        image::RgbImage::from_fn(
            32,
            32,
            |x, _| if x % 2 == 0 { image::Rgb([255, 0, 0]) } else { image::Rgb([0, 0, 255]) },
        );
    let run = process_image(
        &encode(&DynamicImage::ImageRgb8(stripes), ImageFormat::Png),
        "png",
        &[("format", "jpeg"), ("quality", "100")],
    );
    let decoded = run.image().to_rgb8();
    let [r, g, b] = decoded.get_pixel(15, 15).0;
    // Averaged chroma keeps red and blue about equal; taking one pixel of
    // each block would make every pixel lean to red.
    assert!(r.abs_diff(b) < 60 && g < 60, "the blocks' colour is purple-ish: {:?}", [r, g, b]);
}

#[test]
fn transparency_is_laid_over_white_in_jpeg_and_kept_elsewhere() {
    let input = encode(&DynamicImage::ImageRgba8(sample_with_alpha()), ImageFormat::Png);
    let jpeg = process_image(&input, "png", &[("format", "jpeg")]).image().to_rgb8();
    assert!(jpeg.get_pixel(0, 5).0.iter().all(|&c| c >= 250), "transparent becomes white: {:?}", jpeg.get_pixel(0, 5));
    for format in ["png", "webp", "tiff", "bmp"] {
        let kept = process_image(&input, "png", &[("format", format)]).image();
        assert_close(&kept, &DynamicImage::ImageRgba8(sample_with_alpha()), 0, format);
    }
    let gif = process_image(&input, "png", &[("format", "gif")]).image();
    assert_eq!(gif.get_pixel(0, 0)[3], 0, "GIF keeps full transparency");
    assert_eq!(gif.get_pixel(47, 0)[3], 255);
}

#[test]
fn sixteen_bit_and_gray_inputs() {
    let deep = DynamicImage::ImageRgb16(image::ImageBuffer::from_fn(4, 2, |x, y| {
        image::Rgb([x as u16 * 20000, y as u16 * 65535, 257 * 7])
    }));
    let run = process_image(&encode(&deep, ImageFormat::Png), "png", &[]);
    let out = run.image();
    assert_eq!(out.color(), image::ColorType::Rgb8, "written with 8 bits per sample");
    assert_eq!(out.get_pixel(3, 1), Rgba([233, 255, 7, 255]));

    let gray = DynamicImage::ImageLuma8(image::GrayImage::from_fn(5, 5, |x, y| image::Luma([(x * 50 + y) as u8])));
    let jpeg = process_image(&encode(&gray, ImageFormat::Png), "png", &[("format", "jpeg")]);
    let decoded = jpeg.image();
    assert_eq!(decoded.color(), image::ColorType::L8, "a gray JPEG has one component");
    assert_eq!(magick_decode(jpeg.output.as_ref().unwrap(), "jpg").dimensions(), (5, 5));
}
