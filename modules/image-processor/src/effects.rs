//! The `effect` parameter: what each effect does, what its `amount` means,
//! and applying it. Saturation, hue and lightness are this module's own
//! pixel loops ([`crate::hsl`]); grayscale, invert, blur and sharpen are the
//! `image` crate's.

use image::imageops;
use wasm_workflows_sdk::anyhow;

use crate::hsl;
use crate::picture::{IntoPicture, Picture, with_buffer};
use crate::rgb_kernels::Desaturation;

/// An effect with its amount.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// Saturation × (1 + percent / 100), at most full saturation.
    Saturate(f32),
    /// Saturation × (1 − percent / 100).
    Desaturate(f32),
    /// Hue + degrees.
    ShiftHue(f32),
    /// Lightness × (1 − percent / 100).
    Darken(f32),
    /// Lightness + (1 − lightness) × percent / 100.
    Lighten(f32),
    /// Luma: 0.2126 R + 0.7152 G + 0.0722 B.
    Grayscale,
    /// 255 − each colour sample.
    Invert,
    /// Gaussian blur with this standard deviation in pixels.
    Blur(f32),
    /// Unsharp mask: the image plus its difference from a Gaussian blur with
    /// this standard deviation in pixels.
    Sharpen(f32),
}

/// What `amount` means for an effect that takes one.
struct Amount {
    default: f32,
    min: f32,
    max: f32,
    unit: &'static str,
}

/// Every effect's name and amount.
const EFFECTS: [(&str, Option<Amount>); 9] = [
    ("saturate", Some(Amount { default: 20.0, min: 0.0, max: 1000.0, unit: "percent" })),
    ("desaturate", Some(Amount { default: 20.0, min: 0.0, max: 100.0, unit: "percent" })),
    ("shift_hue", Some(Amount { default: 72.0, min: -360.0, max: 360.0, unit: "degrees" })),
    ("darken", Some(Amount { default: 20.0, min: 0.0, max: 100.0, unit: "percent" })),
    ("lighten", Some(Amount { default: 20.0, min: 0.0, max: 100.0, unit: "percent" })),
    ("grayscale", None),
    ("invert", None),
    ("blur", Some(Amount { default: 2.0, min: 0.1, max: 50.0, unit: "pixels (the Gaussian's standard deviation)" })),
    ("sharpen", Some(Amount { default: 1.0, min: 0.1, max: 50.0, unit: "pixels (the Gaussian's standard deviation)" })),
];

/// Bytes the `image` crate's blur needs per sample: two `f32` copies of the
/// image, the result, and the image itself.
const BLUR_BYTES_PER_SAMPLE: u64 = 10;

/// The most memory an effect may ask for: wasm32 has 4 GiB in all.
pub const EFFECT_MEMORY_LIMIT: u64 = 2 << 30;

impl Effect {
    /// The effect called `name`, with `amount` or its default.
    pub fn new(name: &str, amount: Option<f32>) -> anyhow::Result<Effect> {
        let key = name.trim().to_ascii_lowercase();
        let Some((name, spec)) = EFFECTS.iter().find(|(effect, _)| *effect == key) else {
            let names: Vec<&str> = EFFECTS.iter().map(|(name, _)| *name).collect();
            anyhow::bail!("parameter \"effect\": expected one of {}, got \"{name}\"", names.join(", "));
        };
        let amount = match (spec, amount) {
            (None, None) => 0.0,
            (None, Some(_)) => anyhow::bail!("parameter \"amount\": the effect \"{name}\" takes no amount"),
            (Some(spec), None) => spec.default,
            (Some(spec), Some(amount)) => {
                anyhow::ensure!(
                    (spec.min..=spec.max).contains(&amount),
                    "parameter \"amount\": for \"{name}\", expected {} to {} {}, got {amount}",
                    spec.min,
                    spec.max,
                    spec.unit
                );
                amount
            }
        };
        Ok(match *name {
            "saturate" => Effect::Saturate(amount),
            "desaturate" => Effect::Desaturate(amount),
            "shift_hue" => Effect::ShiftHue(amount),
            "darken" => Effect::Darken(amount),
            "lighten" => Effect::Lighten(amount),
            "grayscale" => Effect::Grayscale,
            "invert" => Effect::Invert,
            "blur" => Effect::Blur(amount),
            _ => Effect::Sharpen(amount),
        })
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Effect::Saturate(_) => "saturate",
            Effect::Desaturate(_) => "desaturate",
            Effect::ShiftHue(_) => "shift_hue",
            Effect::Darken(_) => "darken",
            Effect::Lighten(_) => "lighten",
            Effect::Grayscale => "grayscale",
            Effect::Invert => "invert",
            Effect::Blur(_) => "blur",
            Effect::Sharpen(_) => "sharpen",
        }
    }

    /// The effect as a desaturation, if it is one (which the JPEG encoder
    /// can apply while it reads the rows).
    pub fn as_desaturation(self) -> Option<Desaturation> {
        match self {
            Effect::Desaturate(percent) => Some(Desaturation::new(1.0 - percent / 100.0)),
            _ => None,
        }
    }

    /// Applies the effect to `picture`.
    pub fn apply(self, mut picture: Picture) -> anyhow::Result<Picture> {
        let layout = picture.layout;
        match self {
            Effect::Saturate(percent) => hsl::scale_saturation(&mut picture.pixels, layout, 1.0 + percent / 100.0),
            Effect::Desaturate(percent) => hsl::scale_saturation(&mut picture.pixels, layout, 1.0 - percent / 100.0),
            Effect::ShiftHue(degrees) => hsl::rotate_hue(&mut picture.pixels, layout, degrees),
            Effect::Darken(percent) => {
                let keep = 1.0 - percent / 100.0;
                hsl::map_lightness(&mut picture.pixels, layout, |l| l * keep);
            }
            Effect::Lighten(percent) => {
                let move_by = percent / 100.0;
                hsl::map_lightness(&mut picture.pixels, layout, |l| l + (1.0 - l) * move_by);
            }
            Effect::Grayscale => {
                if layout.has_color() {
                    picture = if layout.has_alpha() {
                        with_buffer!(&mut picture, buffer => imageops::grayscale_alpha(&buffer).into_picture())
                    } else {
                        with_buffer!(&mut picture, buffer => imageops::grayscale(&buffer).into_picture())
                    };
                }
            }
            Effect::Invert => with_buffer!(&mut picture, buffer => imageops::invert(&mut buffer)),
            Effect::Blur(sigma) => {
                self.check_memory(&picture)?;
                picture = with_buffer!(&mut picture, buffer => imageops::blur(&buffer, sigma).into_picture());
            }
            Effect::Sharpen(sigma) => {
                self.check_memory(&picture)?;
                picture = with_buffer!(&mut picture, buffer => imageops::unsharpen(&buffer, sigma, 0).into_picture());
            }
        }
        Ok(picture)
    }

    /// Fails, rather than running out of memory, when a blur of `picture`
    /// would need more than [`EFFECT_MEMORY_LIMIT`].
    fn check_memory(self, picture: &Picture) -> anyhow::Result<()> {
        let samples = u64::from(picture.width) * u64::from(picture.height) * picture.layout.channels() as u64;
        let needed = samples * BLUR_BYTES_PER_SAMPLE;
        anyhow::ensure!(
            needed <= EFFECT_MEMORY_LIMIT,
            "effect \"{}\" on a {}×{} image needs about {} MB, more than the {} MB this module allows itself; \
             make the image smaller first (parameters \"crop\" or \"resize\")",
            self.name(),
            picture.width,
            picture.height,
            needed >> 20,
            EFFECT_MEMORY_LIMIT >> 20
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::Layout;

    #[test]
    fn amounts_default_and_are_checked() {
        assert_eq!(Effect::new("desaturate", None).unwrap(), Effect::Desaturate(20.0));
        assert_eq!(Effect::new("Shift_Hue", Some(-30.0)).unwrap(), Effect::ShiftHue(-30.0));
        assert_eq!(Effect::new("blur", None).unwrap(), Effect::Blur(2.0));
        assert_eq!(
            Effect::new("darken", Some(150.0)).unwrap_err().to_string(),
            "parameter \"amount\": for \"darken\", expected 0 to 100 percent, got 150"
        );
        assert_eq!(
            Effect::new("invert", Some(1.0)).unwrap_err().to_string(),
            "parameter \"amount\": the effect \"invert\" takes no amount"
        );
        assert_eq!(
            Effect::new("sepia", None).unwrap_err().to_string(),
            "parameter \"effect\": expected one of saturate, desaturate, shift_hue, darken, lighten, grayscale, \
             invert, blur, sharpen, got \"sepia\""
        );
    }

    #[test]
    fn grayscale_drops_colour_but_keeps_alpha() {
        let rgba = Picture { width: 1, height: 1, layout: Layout::Rgba, pixels: vec![255, 0, 0, 7] };
        let gray = Effect::Grayscale.apply(rgba).unwrap();
        assert_eq!((gray.layout, gray.pixels), (Layout::GrayAlpha, vec![54, 7]));
    }

    #[test]
    fn a_blur_too_big_for_memory_fails_before_it_starts() {
        let picture = Picture { width: 1, height: 1, layout: Layout::Rgb, pixels: vec![0; 3] };
        assert!(Effect::Blur(1.0).check_memory(&picture).is_ok());
        // Only the dimensions count: no pixels need to be there.
        let huge = Picture { width: 20_000, height: 20_000, layout: Layout::Rgb, pixels: Vec::new() };
        assert_eq!(
            Effect::Sharpen(1.0).check_memory(&huge).unwrap_err().to_string(),
            "effect \"sharpen\" on a 20000×20000 image needs about 11444 MB, more than the 2048 MB this module \
             allows itself; make the image smaller first (parameters \"crop\" or \"resize\")"
        );
    }
}
