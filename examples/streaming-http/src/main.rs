//! Streaming HTTP bodies: the step downloads `url` straight into the
//! output artifact `download`, and, when it is given the input artifact
//! `upload`, first sends that file to `upload_url` as a PUT body. Neither
//! body is held in the module's memory, so either may be larger than it:
//! the pieces move between the host and the artifact files.
//!
//! ```console
//! $ wasm-workflows run example-streaming-http.wasm --allow-host https://example.org \
//!     --param url=https://example.org/big.iso --output-dir out
//! ```

use wasm_workflows_sdk::http::Request;
use wasm_workflows_sdk::log;
use wasm_workflows_sdk::prelude::*;

#[derive(FromInvocation)]
struct Inputs {
    /// What to download.
    url: String,
    /// Where to send the `upload` artifact first, if it is given.
    upload_url: Option<String>,
    upload: Option<InputArtifact>,
}

#[derive(IntoResult)]
struct Outputs {
    #[step(message)]
    message: String,
    /// The status of the upload, when there was one.
    upload_status: Option<u16>,
    /// The bytes downloaded.
    downloaded: u64,
    download: ArtifactRef,
}

#[workflow_step]
fn run(inputs: Inputs) -> anyhow::Result<Outputs> {
    let upload_status = match (&inputs.upload, &inputs.upload_url) {
        (Some(file), Some(url)) => {
            let response = Request::put(url).body_artifact(file).send()?;
            log::info!("sent {} bytes to {url}: {}", file.size()?, response.status());
            anyhow::ensure!(response.status().is_success(), "the upload to {url} answered {}", response.status());
            Some(response.status().as_u16())
        }
        (None, None) => None,
        _ => anyhow::bail!("give both the input artifact \"upload\" and the parameter \"upload_url\", or neither"),
    };
    let mut response = Request::get(&inputs.url).send_streaming()?;
    anyhow::ensure!(response.status().is_success(), "GET {} answered {}", inputs.url, response.status());
    let mut download = OutputArtifact::create("download", "/download.bin")?;
    let downloaded = std::io::copy(&mut response, &mut download)?;
    Ok(Outputs {
        message: format!("downloaded {downloaded} bytes from {}", inputs.url),
        upload_status,
        downloaded,
        download: download.finish()?,
    })
}
