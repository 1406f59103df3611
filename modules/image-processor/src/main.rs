//! image-processor: reads the image in input artifact `input`, crops,
//! resizes, rotates, flips it and applies an effect (each optional, in that
//! order), lays the `watermark` artifact over its bottom-right corner if one
//! is given, and writes output artifact `output` in the chosen format.

mod decode;
mod effects;
mod encode;
mod format;
mod geometry;
mod hsl;
mod jpeg;
mod jpeg_to_jpeg;
mod options;
mod picture;
mod resize;
mod rgb_kernels;
#[cfg(any(target_arch = "wasm32", test))]
mod simd128;
mod watermark;
mod ycbcr_kernels;

use wasm_workflows_sdk::prelude::*;

use crate::format::Format;
use crate::options::Plan;
use crate::picture::{Layout, Picture};
use crate::rgb_kernels::Desaturation;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let plan = Plan::from_invocation(&invocation)?;
    let input = invocation.artifact("input")?;
    let watermark = invocation.artifact_opt("watermark")?;

    let bytes = input.read()?;
    if let Some(result) = jpeg_to_jpeg::try_desaturate(&bytes, &plan, watermark.is_some())? {
        return Ok(result);
    }
    let resize_to = resize::target_before_decoding(&bytes, &plan)?;
    let decoded = match resize_to {
        Some(target) => decode::decode_at_least(&bytes, "input", target)?,
        None => decode::decode(&bytes, "input")?,
    };
    let format = plan.format.unwrap_or(decoded.format);
    anyhow::ensure!(
        plan.quality.is_none() || format == Format::Jpeg,
        "parameter \"quality\" applies to JPEG output only, and the output is {} (WebP is written lossless)",
        format.title()
    );
    let mark = match &watermark {
        Some(artifact) => Some(decode::decode(&artifact.read()?, "watermark")?.picture),
        None => None,
    };
    let before = format!("{}×{} {}", decoded.full_size.0, decoded.full_size.1, decoded.format.title());
    // The JPEG encoder can desaturate while it converts the rows, unless a
    // watermark is still to come.
    let defer_desaturation = format == Format::Jpeg && mark.is_none();
    let extent = decoded.extent();
    let (picture, steps, desaturation) =
        process(decoded.picture, &plan, resize_to.map(|size| (size, extent)), mark.as_ref(), defer_desaturation)?;
    let after = describe(&picture, format);
    let (width, height) = (picture.width, picture.height);
    let settings = encode::Settings {
        format,
        quality: plan.quality.unwrap_or(encode::DEFAULT_QUALITY),
        icc_profile: decoded.icc_profile.as_deref(),
        desaturation,
    };
    let output = encode::write(picture, settings, "output")?;
    let steps = if steps.is_empty() { "no changes".to_owned() } else { steps.join(", ") };
    Ok(PluginResult::succeeded(format!("{before} → {after} ({steps})"))
        .with_artifact(output)
        .with_parameter("width", width)
        .with_parameter("height", height)
        .with_parameter("format", format.name()))
}

/// `4000×3000 JPEG`.
fn describe(picture: &Picture, format: Format) -> String {
    format!("{}×{} {}", picture.width, picture.height, format.title())
}

/// What [`process`] returns: the picture, the names of the steps taken, and
/// a desaturation left for the encoder.
type Processed = (Picture, Vec<String>, Option<Desaturation>);

/// Applies `plan` (and the watermark) to `picture`; `resize_to` is the
/// resize's size if it was known before decoding, with the part of the
/// picture to resize from (the picture may be the image decoded at a
/// reduced scale). With `defer_desaturation`, a desaturation of an RGB
/// picture is returned instead of done.
fn process(
    mut picture: Picture,
    plan: &Plan,
    resize_to: Option<((u32, u32), (f64, f64))>,
    mark: Option<&Picture>,
    defer_desaturation: bool,
) -> anyhow::Result<Processed> {
    let mut steps = Vec::new();
    if let Some(crop) = plan.crop {
        picture = geometry::crop(picture, crop)?;
        steps.push("crop".to_owned());
    }
    if let Some(resize) = plan.resize {
        let whole = (f64::from(picture.width), f64::from(picture.height));
        let ((width, height), extent) = match resize_to {
            Some(known) => known,
            None => (resize::target_size(picture.width, picture.height, resize)?, whole),
        };
        if (width, height) != (picture.width, picture.height) || extent != whole {
            picture = resize::resize(&picture, width, height, extent)?;
        }
        steps.push("resize".to_owned());
    }
    if let Some(rotation) = plan.rotate {
        picture = geometry::rotate(picture, rotation);
        steps.push("rotate".to_owned());
    }
    if let Some(flip) = plan.flip {
        picture = geometry::flip(picture, flip);
        steps.push("flip".to_owned());
    }
    let mut deferred = None;
    if let Some(effect) = plan.effect {
        match effect.as_desaturation() {
            Some(desaturation) if defer_desaturation && picture.layout == Layout::Rgb => deferred = Some(desaturation),
            _ => picture = effect.apply(picture)?,
        }
        steps.push(effect.name().to_owned());
    }
    if let Some(mark) = mark {
        picture = watermark::apply(picture, mark)?;
        steps.push("watermark".to_owned());
    }
    Ok((picture, steps, deferred))
}
