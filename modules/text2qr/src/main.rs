//! text2qr: the `text` parameter as a QR code, drawn with Unicode block
//! characters (output parameter `qrcode`) and as a PNG (output artifact
//! `qrcode`, path `/qrcode.png`), at error correction `error_correction`.

mod code;
mod png_image;
mod text_drawing;

use wasm_workflows_sdk::log;
use wasm_workflows_sdk::prelude::*;

use crate::code::{Code, ErrorCorrection};

/// The step's inputs: parameter names as in the workflow.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Inputs {
    text: String,
    #[serde(default)]
    error_correction: ErrorCorrection,
}

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let inputs: Inputs = invocation.parameters_into()?;
    let level = inputs.error_correction;
    anyhow::ensure!(!inputs.text.is_empty(), "parameter \"text\": expected the text to encode, got an empty string");
    let code = Code::encode(&inputs.text, level).map_err(|_| {
        anyhow::anyhow!(
            "parameter \"text\": {} bytes do not fit in a QR code at error correction {level} \
             (at most {} bytes of text, more if it is only digits or upper-case letters; \
             a lower error_correction holds more)",
            inputs.text.len(),
            level.max_bytes()
        )
    })?;
    let png = png_image::encode(&code).map_err(|e| anyhow::anyhow!("cannot encode the PNG: {e}"))?;
    let image = write_output_artifact("qrcode", "/qrcode.png", &png)?;
    let side = code.size();
    log::info!("QR code version {}, {side}×{side} modules, error correction {level}", code.version());
    Ok(PluginResult::succeeded(format!(
        "QR code version {} ({side}×{side} modules, error correction {level}) of {} characters",
        code.version(),
        inputs.text.chars().count()
    ))
    .with_parameter("qrcode", text_drawing::draw(&code))
    .with_artifact(image))
}
