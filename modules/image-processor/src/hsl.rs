//! Effects defined in HSL space (hue, saturation, lightness, on the sRGB
//! values as stored), done in place without an HSL round trip.
//!
//! With L = (max + min) / 2 and C = max − min, HSL keeps hue when every
//! channel moves along the line through L: `c' = L' + r·(c − L)`. Changing
//! saturation by a factor k keeps L and uses r = k; changing lightness to L'
//! keeps S, so C scales with the largest chroma the lightness allows,
//! r = (1 − |2L' − 1|) / (1 − |2L − 1|). A hue rotation keeps max, min and C
//! and moves the channels around the hue hexagon. Alpha is left alone.

use crate::picture::Layout;
use crate::rgb_kernels::{self, Desaturation};

/// A pixel's colour samples (the first three of an RGB or RGBA pixel).
fn color_pixels(pixels: &mut [u8], layout: Layout) -> impl Iterator<Item = &mut [u8]> {
    pixels.chunks_exact_mut(layout.channels()).map(|pixel| &mut pixel[..3])
}

fn to_u8(value: f32) -> u8 {
    // `as` saturates at 0 and 255.
    (value + 0.5) as u8
}

/// Multiplies saturation by `factor` (≥ 0), at most up to full saturation;
/// hue and lightness stay. Gray pixels stay gray.
pub fn scale_saturation(pixels: &mut [u8], layout: Layout, factor: f32) {
    if !layout.has_color() {
        return;
    }
    if factor <= 1.0 {
        reduce_saturation(pixels, layout, factor);
        return;
    }
    for pixel in color_pixels(pixels, layout) {
        let (max, min) = max_min(pixel);
        let chroma = f32::from(max - min);
        if chroma == 0.0 {
            continue;
        }
        let sum = u16::from(max) + u16::from(min);
        let lightness = f32::from(sum) / 2.0;
        // The chroma of full saturation at this lightness, in 0..=255 units.
        let full = 255.0 - (f32::from(sum) - 255.0).abs();
        let ratio = factor.min(full / chroma);
        for c in pixel {
            *c = to_u8(lightness + ratio * (f32::from(*c) - lightness));
        }
    }
}

/// `c' = L + k·(c − L)` for k ≤ 1: SIMD for RGB (see [`rgb_kernels`]).
fn reduce_saturation(pixels: &mut [u8], layout: Layout, factor: f32) {
    let desaturation = Desaturation::new(factor);
    if layout == Layout::Rgb {
        rgb_kernels::desaturate(pixels, desaturation);
        return;
    }
    for pixel in color_pixels(pixels, layout) {
        pixel.copy_from_slice(&desaturation.pixel([pixel[0], pixel[1], pixel[2]]));
    }
}

/// Sets each pixel's HSL lightness (0 to 1) to `lightness(L)`, keeping hue
/// and saturation. Works on gray pixels too (their lightness is their value).
pub fn map_lightness(pixels: &mut [u8], layout: Layout, lightness: impl Fn(f32) -> f32) {
    let relight = |pixel: &mut [u8]| {
        let (max, min) = max_min(pixel);
        let old = (f32::from(max) + f32::from(min)) / 510.0;
        let new = lightness(old).clamp(0.0, 1.0);
        let old_room = 1.0 - (2.0 * old - 1.0).abs();
        let ratio = if old_room > 0.0 { (1.0 - (2.0 * new - 1.0).abs()) / old_room } else { 0.0 };
        for c in pixel {
            *c = to_u8(255.0 * new + ratio * (f32::from(*c) - 255.0 * old));
        }
    };
    let color = if layout.has_color() { 3 } else { 1 };
    for pixel in pixels.chunks_exact_mut(layout.channels()) {
        relight(&mut pixel[..color]);
    }
}

/// Rotates each pixel's hue by `degrees` (positive: red → yellow → green),
/// keeping saturation and lightness.
pub fn rotate_hue(pixels: &mut [u8], layout: Layout, degrees: f32) {
    if !layout.has_color() {
        return;
    }
    let turn = (degrees / 60.0).rem_euclid(6.0);
    for pixel in color_pixels(pixels, layout) {
        let (max, min) = max_min(pixel);
        if max == min {
            continue;
        }
        let chroma = f32::from(max - min);
        let [r, g, b] = [pixel[0], pixel[1], pixel[2]].map(f32::from);
        // The hue in sixths of a turn, 0..6.
        let hue = if max == pixel[0] {
            ((g - b) / chroma).rem_euclid(6.0)
        } else if max == pixel[1] {
            (b - r) / chroma + 2.0
        } else {
            (r - g) / chroma + 4.0
        };
        let hue = (hue + turn) % 6.0;
        let middle = chroma * (1.0 - ((hue % 2.0) - 1.0).abs());
        let (r, g, b) = match hue as u32 {
            0 => (chroma, middle, 0.0),
            1 => (middle, chroma, 0.0),
            2 => (0.0, chroma, middle),
            3 => (0.0, middle, chroma),
            4 => (middle, 0.0, chroma),
            _ => (chroma, 0.0, middle),
        };
        let base = f32::from(min);
        pixel[0] = to_u8(base + r);
        pixel[1] = to_u8(base + g);
        pixel[2] = to_u8(base + b);
    }
}

fn max_min(pixel: &[u8]) -> (u8, u8) {
    pixel.iter().fold((0, u8::MAX), |(max, min), &c| (max.max(c), min.min(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(rgb: [u8; 3], apply: impl Fn(&mut [u8])) -> [u8; 3] {
        let mut pixel = rgb;
        apply(&mut pixel);
        pixel
    }

    #[test]
    fn desaturating_keeps_lightness_and_fully_is_gray() {
        assert_eq!(one([200, 100, 50], |p| scale_saturation(p, Layout::Rgb, 0.0)), [125, 125, 125]);
        assert_eq!(one([200, 100, 50], |p| scale_saturation(p, Layout::Rgb, 1.0)), [200, 100, 50]);
        // L = 125, c' = 125 + 0.5 (c - 125)
        assert_eq!(one([200, 100, 50], |p| scale_saturation(p, Layout::Rgb, 0.5)), [163, 113, 88]);
    }

    #[test]
    fn saturating_stops_at_full_saturation() {
        // L = 100, C = 40, full chroma at L = 100 is 200: a factor of 10 gives 5.
        assert_eq!(one([120, 100, 80], |p| scale_saturation(p, Layout::Rgb, 10.0)), [200, 100, 0]);
        assert_eq!(one([120, 100, 80], |p| scale_saturation(p, Layout::Rgb, 2.0)), [140, 100, 60]);
        assert_eq!(one([90, 90, 90], |p| scale_saturation(p, Layout::Rgb, 2.0)), [90, 90, 90]);
    }

    #[test]
    fn lightness_moves_towards_black_or_white_keeping_hue() {
        assert_eq!(one([200, 100, 0], |p| map_lightness(p, Layout::Rgb, |l| l * 0.5)), [100, 50, 0]);
        assert_eq!(one([200, 100, 0], |p| map_lightness(p, Layout::Rgb, |_| 1.0)), [255, 255, 255]);
        let mut gray = [100u8, 7];
        map_lightness(&mut gray, Layout::GrayAlpha, |l| l * 0.5);
        assert_eq!(gray, [50, 7]);
    }

    #[test]
    fn hue_turns_around_the_colour_wheel() {
        assert_eq!(one([255, 0, 0], |p| rotate_hue(p, Layout::Rgb, 120.0)), [0, 255, 0]);
        assert_eq!(one([255, 0, 0], |p| rotate_hue(p, Layout::Rgb, -120.0)), [0, 0, 255]);
        assert_eq!(one([255, 0, 0], |p| rotate_hue(p, Layout::Rgb, 60.0)), [255, 255, 0]);
        assert_eq!(one([200, 100, 50], |p| rotate_hue(p, Layout::Rgb, 360.0)), [200, 100, 50]);
        let mut rgba = [255u8, 0, 0, 9];
        rotate_hue(&mut rgba, Layout::Rgba, 240.0);
        assert_eq!(rgba, [0, 0, 255, 9]);
    }
}
