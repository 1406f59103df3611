//! The step that only desaturates a JPEG into a JPEG, done on its DCT
//! coefficients ([`crate::jpeg::desaturate`]) when the file allows it: no
//! crop, resize, rotation, flip or watermark, and an input that needs no
//! turning upright. Otherwise, or if the fast path finds anything amiss,
//! the general path runs as before.

use wasm_workflows_sdk::prelude::*;

use crate::effects::Effect;
use crate::encode::DEFAULT_QUALITY;
use crate::format::Format;
use crate::jpeg::desaturate::desaturate;
use crate::options::Plan;

/// The result of the step, if the fast path took it.
pub fn try_desaturate(bytes: &[u8], plan: &Plan, has_watermark: bool) -> anyhow::Result<Option<PluginResult>> {
    let geometry = plan.crop.is_some() || plan.resize.is_some() || plan.rotate.is_some() || plan.flip.is_some();
    let Some(Effect::Desaturate(percent)) = plan.effect else { return Ok(None) };
    let to_jpeg = plan.format.is_none_or(|format| format == Format::Jpeg);
    if geometry || has_watermark || !to_jpeg || Format::detect(bytes) != Some(Format::Jpeg) {
        return Ok(None);
    }
    let Ok(done) = desaturate(bytes, 1.0 - percent / 100.0, plan.quality.unwrap_or(DEFAULT_QUALITY)) else {
        return Ok(None);
    };
    let output = write_output_artifact("output", format!("/output.{}", Format::Jpeg.extension()), &done.bytes)?;
    let size = format!("{}×{} JPEG", done.width, done.height);
    Ok(Some(
        PluginResult::succeeded(format!("{size} → {size} (desaturate)"))
            .with_artifact(output)
            .with_parameter("width", done.width)
            .with_parameter("height", done.height)
            .with_parameter("format", Format::Jpeg.name()),
    ))
}
