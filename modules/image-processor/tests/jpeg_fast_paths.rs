//! The two JPEG fast paths, run in wasm: a JPEG desaturated into a JPEG on
//! its DCT coefficients (luma kept, chroma scaled), and a JPEG decoded at
//! 1/2, 1/4 or 1/8 of its size for a resize; each checked against its
//! formula and against ImageMagick or libvips within the tolerance the
//! README states, and the files they leave to the general path shown to
//! take it.

mod support;

use image::{DynamicImage, GenericImageView, ImageFormat, RgbImage};
use support::{
    difference, encode, hsl, jpeg_quality_and_sampling, magick, photo, photo_jpeg, process_image, vips_resize,
};

/// `c' = Y + k·(c − Y)` on every pixel of `image`, Y = 0.299 R + 0.587 G + 0.114 B.
fn luma_kept(image: &RgbImage, k: f64) -> DynamicImage {
    let mut out = image.clone();
    for pixel in out.pixels_mut() {
        let [r, g, b] = pixel.0.map(f64::from);
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        pixel.0 = [r, g, b].map(|c| (y + k * (c - y)).round().clamp(0.0, 255.0) as u8);
    }
    DynamicImage::ImageRgb8(out)
}

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

/// The share of samples (RGB) that differ by more than `tolerance`.
fn share_beyond(actual: &DynamicImage, expected: &DynamicImage, tolerance: u8) -> f64 {
    let (actual, expected) = (actual.to_rgb8(), expected.to_rgb8());
    assert_eq!(actual.dimensions(), expected.dimensions());
    let beyond = actual.as_raw().iter().zip(expected.as_raw()).filter(|(a, e)| a.abs_diff(**e) > tolerance).count();
    beyond as f64 / actual.as_raw().len() as f64
}

/// The photo as a JPEG by jpeg-encoder: quality 90, 4:2:0, T.81's typical
/// Huffman tables, and a restart marker every `restart_interval` MCUs.
fn encoder_jpeg(width: u32, height: u32, restart_interval: u16) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    if restart_interval > 0 {
        encoder.set_restart_interval(restart_interval);
    }
    encoder.encode(photo(width, height).as_raw(), width as u16, height as u16, jpeg_encoder::ColorType::Rgb).unwrap();
    jpeg
}

/// The test photos: ImageMagick's (4:4:4 at quality 90, optimized Huffman
/// tables) and jpeg-encoder's (4:2:0, typical tables, restart markers).
fn photos() -> [(&'static str, Vec<u8>); 2] {
    [("ImageMagick's", photo_jpeg(320, 240, &["-quality", "90"])), ("jpeg-encoder's", encoder_jpeg(320, 240, 3))]
}

#[test]
fn a_jpeg_desaturated_into_a_jpeg_keeps_its_luma_and_scales_its_chroma() {
    for (name, input) in photos() {
        let original = decode(&input).to_rgb8();
        for amount in [20, 50, 100] {
            let run = process_image(&input, "jpg", &[("effect", "desaturate"), ("amount", &amount.to_string())]);
            assert_eq!(run.node.message, "320×240 JPEG → 320×240 JPEG (desaturate)");
            let expected = luma_kept(&original, 1.0 - f64::from(amount) / 100.0);
            // Rounding the scaled chroma coefficients loses about as much as
            // decoding, applying the formula and encoding again at the same
            // quality and sampling would (the luma loses nothing). The
            // largest differences are where the input's decoder clipped a
            // colour its coefficients put outside 0..=255: the formula on
            // the clipped pixel is off, the coefficients were not clipped.
            let again = {
                let sampling = if name.starts_with("ImageMagick") {
                    jpeg_encoder::SamplingFactor::R_4_4_4
                } else {
                    jpeg_encoder::SamplingFactor::R_4_2_0
                };
                let mut jpeg = Vec::new();
                let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 90);
                encoder.set_sampling_factor(sampling);
                encoder.encode(expected.to_rgb8().as_raw(), 320, 240, jpeg_encoder::ColorType::Rgb).unwrap();
                decode(&jpeg)
            };
            let (most, mean) = difference(&run.image(), &expected);
            let (again_most, again_mean) = difference(&again, &expected);
            let (beyond, again_beyond) = (share_beyond(&run.image(), &expected, 4), share_beyond(&again, &expected, 4));
            assert!(
                mean < 1.0 && mean <= again_mean + 0.1 && beyond <= again_beyond + 0.002 && most <= 48,
                "{name} photo, desaturate {amount}: {mean:.2} levels off on average, {:.2} % of samples by more \
                 than 4, at most {most}; decoding and encoding again: {again_mean:.2}, {:.2} %, {again_most}",
                100.0 * beyond,
                100.0 * again_beyond
            );
        }
    }
}

#[test]
fn a_jpeg_desaturated_into_a_jpeg_is_within_the_stated_tolerance_of_imagemagick() {
    for (name, input) in photos() {
        for amount in [20u32, 50, 100] {
            let run = process_image(&input, "jpg", &[("effect", "desaturate"), ("amount", &amount.to_string())]);
            let modulate = format!("100,{}", 100 - amount);
            let theirs = decode(&magick(&input, "jpg", &["-modulate", &modulate], "png"));
            let (most, mean) = difference(&run.image(), &theirs);
            // HSL keeps L = (max + min) / 2 where the DCT path keeps Y: the
            // two differ by (amount / 100)·(L − Y), |L − Y| ≤ 98.4 (pure blue
            // or yellow), plus the JPEG's rounding.
            let amount = f64::from(amount);
            assert!(
                mean <= 0.13 * amount && f64::from(most) <= 0.984 * amount + 8.0,
                "{name} photo, desaturate {amount}: {mean:.2} levels from convert -modulate {modulate} on average, \
                 at most {most}"
            );
        }
    }
}

#[test]
fn a_jpeg_desaturated_into_a_jpeg_gets_the_quality_asked_and_keeps_its_sampling() {
    let input = photo_jpeg(96, 64, &["-quality", "95", "-sampling-factor", "1x1"]);
    let default = process_image(&input, "jpg", &[("effect", "desaturate")]);
    assert_eq!(jpeg_quality_and_sampling(default.output.as_ref().unwrap()), "90 1x1,1x1,1x1");
    let asked = process_image(&input, "jpg", &[("effect", "desaturate"), ("quality", "60"), ("format", "jpeg")]);
    assert_eq!(jpeg_quality_and_sampling(asked.output.as_ref().unwrap()), "60 1x1,1x1,1x1");
    assert!(asked.output.as_ref().unwrap().len() < default.output.as_ref().unwrap().len());
    let half = encoder_jpeg(96, 64, 0);
    let run = process_image(&half, "jpg", &[("effect", "desaturate"), ("quality", "75")]);
    assert_eq!(jpeg_quality_and_sampling(run.output.as_ref().unwrap()), "75 2x2,1x1,1x1");
    assert_eq!((run.parameter("width").as_u64(), run.parameter("height").as_u64()), (Some(96), Some(64)));
    assert_eq!(run.parameter("format").as_str(), Some("jpeg"));
}

/// The sample JPEG (4:4:4) with Exif orientation `orientation`.
fn jpeg_with_orientation(orientation: u8) -> Vec<u8> {
    // A big-endian TIFF header and one IFD entry: tag 0x0112, SHORT, 1 value.
    let exif = [b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
    let mut jpeg = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 95);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_4_4);
    encoder.add_exif_metadata(&exif).unwrap();
    let image = photo(48, 32);
    encoder.encode(image.as_raw(), 48, 32, jpeg_encoder::ColorType::Rgb).unwrap();
    jpeg
}

#[test]
fn jpegs_the_coefficient_path_does_not_take_are_desaturated_in_hsl() {
    let plain = photo_jpeg(64, 48, &["-quality", "95", "-sampling-factor", "1x1"]);
    let turned = jpeg_with_orientation(6);
    // (what, input, the parameter besides the effect)
    let cases = [
        ("turned by its Exif orientation", &turned, None),
        ("flipped as well", &plain, Some(("flip", "vertical"))),
        ("written as PNG", &plain, Some(("format", "png"))),
    ];
    for (what, input, extra) in cases {
        let mut parameters = vec![("effect", "desaturate")];
        parameters.extend(extra);
        let run = process_image(input, "jpg", &parameters);
        let out = run.image();
        // The general path: HSL, and 4:2:0 for a JPEG whatever the input's sampling.
        if run.parameter("format").as_str() == Some("jpeg") {
            assert_eq!(jpeg_quality_and_sampling(run.output.as_ref().unwrap()), "90 2x2,1x1,1x1", "{what}");
        }
        let mut upright = decode(input);
        if what.starts_with("turned") {
            upright = upright.rotate90();
        }
        if what.starts_with("flipped") {
            upright = upright.flipv();
        }
        let hsl_reference = {
            let mut expected = upright.to_rgb8();
            for pixel in expected.pixels_mut() {
                pixel.0 = hsl::map(pixel.0, |h, s, l| (h, s * 0.8, l));
            }
            DynamicImage::ImageRgb8(expected)
        };
        let (_, from_hsl) = difference(&out, &hsl_reference);
        let (_, from_luma) = difference(&out, &luma_kept(&upright.to_rgb8(), 0.8));
        assert!(from_hsl < from_luma, "{what}: {from_hsl:.2} levels from HSL on average, {from_luma:.2} from Y kept");
        if what.starts_with("written as PNG") {
            assert!(from_hsl < 1.0, "{what}: {from_hsl:.2} levels from HSL on average");
        }
    }
}

#[test]
fn progressive_jpegs_take_the_fast_paths_and_give_what_their_sequential_twins_give() {
    // libjpeg's progressive coding (through ImageMagick): spectral selection
    // and successive approximation, the same coefficients as the
    // sequential file of the same quality.
    for sampling in ["1x1", "2x2"] {
        let options = ["-quality", "90", "-sampling-factor", sampling];
        let sequential = photo_jpeg(160, 120, &options);
        let progressive = photo_jpeg(160, 120, &[&options[..], &["-interlace", "JPEG"]].concat());
        assert_ne!(sequential, progressive);
        for parameters in [&[("resize", "80x"), ("format", "png")][..], &[("effect", "desaturate")][..]] {
            let (from_sequential, from_progressive) =
                (process_image(&sequential, "jpg", parameters), process_image(&progressive, "jpg", parameters));
            let (most, _) = difference(&from_sequential.image(), &from_progressive.image());
            assert_eq!(most, 0, "{sampling}, {parameters:?}: the same pixels");
            if parameters[0].0 == "effect" {
                // The coefficient path: the input's sampling is kept.
                let expected = format!("90 {sampling},1x1,1x1");
                assert_eq!(jpeg_quality_and_sampling(from_progressive.output.as_ref().unwrap()), expected);
            }
        }
    }
}

#[test]
fn damaged_jpegs_fail_on_both_fast_paths_as_on_the_general_one() {
    let sequential = encoder_jpeg(320, 240, 0);
    let progressive = photo_jpeg(320, 240, &["-quality", "90", "-interlace", "JPEG"]);
    let cases = [(&sequential, &[("effect", "desaturate")][..]), (&sequential, &[("resize", "100x")][..])];
    let cases = cases
        .into_iter()
        .chain([(&progressive, &[("effect", "desaturate")][..]), (&progressive, &[("resize", "100x")][..])]);
    for (input, parameters) in cases {
        let run = process_image(&input[..input.len() / 2], "jpg", parameters);
        assert!(
            run.failure().starts_with("input artifact \"input\" is not a valid JPEG: "),
            "{parameters:?}: {}",
            run.failure()
        );
        // Bytes overwritten inside the scan: an answer or a failure, never a trap.
        for at in [input.len() / 3, input.len() / 2, input.len() - 20] {
            let mut damaged = input.clone();
            damaged[at..at + 8].copy_from_slice(&[0xFF, 0x13, 0x00, 0xFF, 0xFF, 0x7A, 0x01, 0xC4]);
            let run = process_image(&damaged, "jpg", parameters);
            assert!(
                !run.node.message.contains("panicked") && !run.node.message.contains("trap"),
                "{}",
                run.node.message
            );
        }
    }
}

#[test]
fn a_resize_to_half_or_less_is_within_the_stated_tolerance_of_libvips_and_imagemagick() {
    let input = photo_jpeg(640, 480, &["-quality", "90", "-sampling-factor", "2x2"]);
    // (resize, libvips's scale): 1/2, 1/4 and 1/8 exactly, then 1/2 followed by Lanczos3.
    for (parameter, scale) in [("320x", 0.5), ("160x", 0.25), ("x60", 0.125), ("200x", 0.3125)] {
        let run = process_image(&input, "jpg", &[("resize", parameter), ("format", "png")]);
        let ours = run.image();
        let (width, height) = ours.dimensions();
        assert_eq!(f64::from(width), 640.0 * scale, "resize={parameter}");
        let exact = format!("{width}x{height}!");
        let references = [
            ("vips resize", vips_resize(&input, "jpg", scale)),
            ("convert -resize", decode(&magick(&input, "jpg", &["-filter", "Lanczos", "-resize", &exact], "png"))),
        ];
        for (tool, theirs) in references {
            let (most, mean) = difference(&ours, &theirs);
            let beyond = share_beyond(&ours, &theirs, 15);
            assert!(
                mean < 1.0 && beyond < 0.01 && most <= 48,
                "resize={parameter} against {tool}: {mean:.2} levels off on average, {:.2} % of samples by more \
                 than 15, at most {most}",
                100.0 * beyond
            );
        }
    }
}

#[test]
fn every_sampling_gray_odd_sizes_and_restarts_decode_smaller() {
    let photo_png = |width, height| encode(&DynamicImage::ImageRgb8(photo(width, height)), ImageFormat::Png);
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("4:4:4", photo_jpeg(333, 251, &["-quality", "92", "-sampling-factor", "1x1"]), "167x"),
        ("4:2:2", photo_jpeg(333, 251, &["-quality", "92", "-sampling-factor", "2x1"]), "84x"),
        ("4:2:0 with restarts", encoder_jpeg(333, 251, 1), "x126"),
        ("gray", magick(&photo_png(333, 251), "png", &["-colorspace", "gray", "-quality", "92"], "jpg"), "42x"),
        ("4:1:1", photo_jpeg(333, 251, &["-quality", "92", "-sampling-factor", "4x1"]), "84x"),
    ];
    for (what, input, parameter) in cases {
        let run = process_image(&input, "jpg", &[("resize", parameter), ("format", "png")]);
        let ours = run.image();
        let (width, height) = ours.dimensions();
        if what == "gray" {
            assert_eq!(ours.color(), image::ColorType::L8, "a gray JPEG stays gray");
        }
        let exact = format!("{width}x{height}!");
        let theirs = decode(&magick(&input, "jpg", &["-filter", "Lanczos", "-resize", &exact], "png"));
        let (most, mean) = difference(&ours, &theirs);
        assert!(
            mean < 1.5 && most <= 48,
            "{what}, resize={parameter} ({width}×{height}): {mean:.2} off on average, at most {most}"
        );
    }
}

#[test]
fn a_turned_jpeg_is_resized_upright_and_a_crop_comes_first() {
    // Stored 48×32, shown 32×48.
    let turned = jpeg_with_orientation(6);
    let run = process_image(&turned, "jpg", &[("resize", "16x"), ("format", "png")]);
    assert_eq!(run.image().dimensions(), (16, 24));
    let expected =
        decode(&magick(&encode(&decode(&turned).rotate90(), ImageFormat::Png), "png", &["-resize", "16x24!"], "png"));
    let (most, mean) = difference(&run.image(), &expected);
    assert!(mean < 3.0, "{mean:.2} off on average, at most {most}");
    assert_eq!(run.node.message, "32×48 JPEG → 16×24 PNG (resize)");

    let input = encoder_jpeg(320, 240, 0);
    let cropped = process_image(&input, "jpg", &[("crop", "10,10,200,100"), ("resize", "50x")]);
    assert_eq!(cropped.image().dimensions(), (50, 25));
    assert_eq!(cropped.node.message, "320×240 JPEG → 50×25 JPEG (crop, resize)");
}

#[test]
fn both_fast_paths_keep_the_colour_profile() {
    // Longer than one APP2 segment holds: two of them.
    let profile: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut jpeg = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 90);
    encoder.add_icc_profile(&profile).unwrap();
    encoder.encode(photo(64, 48).as_raw(), 64, 48, jpeg_encoder::ColorType::Rgb).unwrap();
    for parameters in [&[("effect", "desaturate")][..], &[("resize", "32x")][..]] {
        let run = process_image(&jpeg, "jpg", parameters);
        let output = run.output.as_ref().expect("an output");
        let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(output)).unwrap();
        let kept = image::ImageDecoder::icc_profile(&mut decoder).unwrap();
        assert!(kept.as_deref() == Some(&profile[..]), "{parameters:?}: the profile, whole");
    }
}
