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
mod options;
mod picture;
mod resize;
mod watermark;

use wasm_workflows_sdk::prelude::*;

use crate::format::Format;
use crate::options::Plan;
use crate::picture::Picture;

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let plan = Plan::from_invocation(&invocation)?;
    let input = invocation.artifact("input")?;
    let watermark = invocation.artifact_opt("watermark")?;

    let decoded = decode::decode(&input.read()?, "input")?;
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
    let before = describe(&decoded.picture, decoded.format);
    let (picture, steps) = process(decoded.picture, &plan, mark.as_ref())?;
    let after = describe(&picture, format);
    let (width, height) = (picture.width, picture.height);
    let settings = encode::Settings {
        format,
        quality: plan.quality.unwrap_or(encode::DEFAULT_QUALITY),
        icc_profile: decoded.icc_profile.as_deref(),
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

/// Applies `plan` (and the watermark) to `picture`; also returns the names
/// of the steps taken.
fn process(mut picture: Picture, plan: &Plan, mark: Option<&Picture>) -> anyhow::Result<(Picture, Vec<String>)> {
    let mut steps = Vec::new();
    if let Some(resize) = plan.resize {
        let (width, height) = match plan.crop {
            Some(crop) => {
                geometry::check_crop(picture.width, picture.height, crop)?;
                steps.push("crop".to_owned());
                (crop.width, crop.height)
            }
            None => (picture.width, picture.height),
        };
        let (target_width, target_height) = resize::target_size(width, height, resize)?;
        if plan.crop.is_some() || (target_width, target_height) != (width, height) {
            picture = resize::resize(&picture, plan.crop, target_width, target_height)?;
        }
        steps.push("resize".to_owned());
    } else if let Some(crop) = plan.crop {
        picture = geometry::crop(picture, crop)?;
        steps.push("crop".to_owned());
    }
    if let Some(rotation) = plan.rotate {
        picture = geometry::rotate(picture, rotation);
        steps.push("rotate".to_owned());
    }
    if let Some(flip) = plan.flip {
        picture = geometry::flip(picture, flip);
        steps.push("flip".to_owned());
    }
    if let Some(effect) = plan.effect {
        picture = effect.apply(picture)?;
        steps.push(effect.name().to_owned());
    }
    if let Some(mark) = mark {
        picture = watermark::apply(picture, mark)?;
        steps.push("watermark".to_owned());
    }
    Ok((picture, steps))
}
