//! Every effect, run in wasm on the sample PNG (lossless in and out), each
//! pixel checked against a reference: textbook HSL computed here, the
//! formula the README gives, or ImageMagick where it defines the effect the
//! same way.

mod support;

use image::DynamicImage;
use support::{assert_close, hsl, magick_sample, map_sample, process_image, sample_png};

/// The sample PNG with `effect` (and `amount`, if given) applied, as PNG.
fn effect(name: &str, amount: Option<&str>) -> DynamicImage {
    let mut parameters = vec![("effect", name)];
    if let Some(amount) = amount {
        parameters.push(("amount", amount));
    }
    let run = process_image(&sample_png(), "png", &parameters);
    assert_eq!(run.parameter("format").as_str(), Some("png"));
    run.image()
}

#[test]
fn the_reference_hsl_round_trips() {
    for rgb in [[0, 0, 0], [255, 255, 255], [255, 0, 0], [12, 200, 99], [128, 128, 127], [3, 2, 1]] {
        assert_eq!(hsl::map(rgb, |h, s, l| (h, s, l)), rgb);
    }
}

#[test]
fn desaturate_scales_saturation_like_imagemagick_modulate() {
    let desaturated = effect("desaturate", None);
    let reference = map_sample(|rgb| hsl::map(rgb, |h, s, l| (h, s * 0.8, l)));
    assert_close(&desaturated, &reference, 1, "desaturate by the default 20 % against HSL");
    assert_close(&desaturated, &magick_sample(&["-modulate", "100,80"]), 1, "against convert -modulate 100,80");

    let half = effect("desaturate", Some("50"));
    assert_close(&half, &map_sample(|rgb| hsl::map(rgb, |h, s, l| (h, s * 0.5, l))), 1, "desaturate 50");
    assert_close(&half, &magick_sample(&["-modulate", "100,50"]), 1, "against convert -modulate 100,50");

    // All the way: every pixel is the gray of its HSL lightness, (max + min) / 2.
    let gray = map_sample(|[r, g, b]| {
        let lightness = (u16::from(r.max(g).max(b)) + u16::from(r.min(g).min(b))).div_ceil(2) as u8;
        [lightness; 3]
    });
    assert_close(&effect("desaturate", Some("100")), &gray, 0, "desaturate 100");
}

#[test]
fn saturate_scales_saturation_up_to_full() {
    let reference = |factor: f64| map_sample(move |rgb| hsl::map(rgb, |h, s, l| (h, (s * factor).min(1.0), l)));
    assert_close(&effect("saturate", None), &reference(1.2), 1, "saturate by the default 20 %");
    assert_close(&effect("saturate", Some("300")), &reference(4.0), 1, "saturate 300");
    // Where no saturation was capped it is ImageMagick's -modulate as well.
    assert_close(&effect("saturate", Some("0")), &DynamicImage::ImageRgb8(support::sample()), 0, "saturate 0");
}

#[test]
fn shift_hue_rotates_hue_like_imagemagick_modulate() {
    let shifted = effect("shift_hue", None);
    let reference = map_sample(|rgb| hsl::map(rgb, |h, s, l| (h + 72.0, s, l)));
    assert_close(&shifted, &reference, 1, "shift_hue by the default 72° against HSL");
    // -modulate's hue is a percentage: 100 + 200 × degrees / 360.
    assert_close(&shifted, &magick_sample(&["-modulate", "100,100,140"]), 1, "against convert -modulate 100,100,140");

    let back = effect("shift_hue", Some("-120"));
    assert_close(&back, &map_sample(|rgb| hsl::map(rgb, |h, s, l| (h - 120.0, s, l))), 1, "shift_hue -120");
}

#[test]
fn darken_scales_lightness_like_imagemagick_modulate() {
    let darkened = effect("darken", None);
    assert_close(&darkened, &map_sample(|rgb| hsl::map(rgb, |h, s, l| (h, s, l * 0.8))), 1, "darken 20 % against HSL");
    assert_close(&darkened, &magick_sample(&["-modulate", "80,100"]), 1, "against convert -modulate 80,100");
    let black = effect("darken", Some("100"));
    assert_close(&black, &map_sample(|_| [0, 0, 0]), 0, "darken 100");
}

#[test]
fn lighten_moves_lightness_towards_white() {
    let reference = |part: f64| map_sample(move |rgb| hsl::map(rgb, |h, s, l| (h, s, l + (1.0 - l) * part)));
    assert_close(&effect("lighten", None), &reference(0.2), 1, "lighten by the default 20 %");
    assert_close(&effect("lighten", Some("65")), &reference(0.65), 1, "lighten 65");
    assert_close(&effect("lighten", Some("100")), &map_sample(|_| [255, 255, 255]), 0, "lighten 100");
}

#[test]
fn grayscale_is_rec709_luma() {
    let gray = effect("grayscale", None);
    assert_eq!(gray.color(), image::ColorType::L8, "a gray PNG, one sample per pixel");
    let reference = map_sample(|[r, g, b]| {
        let luma = (2126 * u32::from(r) + 7152 * u32::from(g) + 722 * u32::from(b)) / 10_000;
        [luma as u8; 3]
    });
    assert_close(&gray, &reference, 0, "0.2126 R + 0.7152 G + 0.0722 B, rounded down");
    assert_close(&gray, &magick_sample(&["-grayscale", "Rec709Luma"]), 1, "against convert -grayscale Rec709Luma");
}

#[test]
fn invert_is_the_negative() {
    let inverted = effect("invert", None);
    assert_close(&inverted, &map_sample(|rgb| rgb.map(|c| 255 - c)), 0, "255 - c");
    assert_close(&inverted, &magick_sample(&["-negate"]), 0, "against convert -negate");
}

#[test]
fn blur_is_a_gaussian_like_imagemagick_gaussian_blur() {
    // σ = 2 px: the kernel is 11 pixels wide (radius 5), edges repeated.
    let blurred = effect("blur", None);
    assert_close(&blurred, &magick_sample(&["-gaussian-blur", "5x2"]), 2, "against convert -gaussian-blur 5x2");
    let wide = effect("blur", Some("4"));
    // σ = 4 px: 25 pixels wide (radius 12).
    assert_close(&wide, &magick_sample(&["-gaussian-blur", "12x4"]), 2, "against convert -gaussian-blur 12x4");
}

#[test]
fn sharpen_is_an_unsharp_mask_like_imagemagick_unsharp() {
    // σ = 1 px: a 5-pixel Gaussian (radius 2); c + (c − blurred), no threshold.
    let sharpened = effect("sharpen", None);
    assert_close(&sharpened, &magick_sample(&["-unsharp", "2x1+1+0"]), 3, "against convert -unsharp 2x1+1+0");
    let unchanged_flat = process_image(
        &support::encode(
            &DynamicImage::ImageRgb8(image::RgbImage::from_pixel(9, 9, image::Rgb([90, 140, 20]))),
            image::ImageFormat::Png,
        ),
        "png",
        &[("effect", "sharpen"), ("amount", "2")],
    );
    assert!(unchanged_flat.image().to_rgb8().pixels().all(|p| p.0 == [90, 140, 20]), "a flat image stays flat");
}

#[test]
fn effects_on_a_gray_image_keep_it_gray() {
    let gray = support::encode(
        &DynamicImage::ImageLuma8(image::GrayImage::from_fn(16, 8, |x, y| image::Luma([(x * 16 + y) as u8]))),
        image::ImageFormat::Png,
    );
    for (effect, value) in [("saturate", 7u8), ("shift_hue", 7), ("darken", 6), ("invert", 248)] {
        let run = process_image(&gray, "png", &[("effect", effect)]);
        let out = run.image();
        assert_eq!(out.color(), image::ColorType::L8, "{effect}");
        assert_eq!(out.to_luma8().get_pixel(0, 7).0, [value], "{effect}");
    }
}

#[test]
fn alpha_is_kept_by_colour_effects() {
    let input = support::encode(&DynamicImage::ImageRgba8(support::sample_with_alpha()), image::ImageFormat::Png);
    let run = process_image(&input, "png", &[("effect", "desaturate")]);
    let out = run.image().to_rgba8();
    let reference = support::sample_with_alpha();
    for (got, original) in out.pixels().zip(reference.pixels()) {
        assert_eq!(got.0[3], original.0[3], "alpha is untouched");
        let [r, g, b, _] = original.0;
        let expected = hsl::map([r, g, b], |h, s, l| (h, s * 0.8, l));
        assert!(got.0[..3].iter().zip(expected).all(|(g, e)| g.abs_diff(e) <= 1), "{got:?} vs {expected:?}");
    }
}
