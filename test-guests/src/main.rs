//! A module that does what its `mode` parameter says, so the tests can see
//! each part of the SDK's host contract from the host's side.

use std::io::{Read, Write};

use wasm_workflows_sdk::prelude::*;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Typed {
    mode: String,
    count: u32,
    ratio: f64,
    enabled: bool,
    tags: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

#[workflow_step]
fn run(invocation: PluginInvocation) -> anyhow::Result<PluginResult> {
    let mode: String = invocation.parameter("mode")?;
    match mode.as_str() {
        // Parameters back as outputs, typed.
        "echo" => {
            let count: u64 = invocation.parameter("count")?;
            let enabled: bool = invocation.parameter_or("enabled", false)?;
            let label: String = invocation.parameter_or("label", "none")?;
            let option: Option<i64> = invocation.plugin_option_opt("level")?;
            Ok(PluginResult::succeeded(format!("workflow {}", invocation.workflow_name))
                .with_parameter("count", count + 1)
                .with_parameter("enabled", enabled)
                .with_parameter("label", label)
                .with_parameter("level", option))
        }
        // All parameters into a struct.
        "typed" => {
            let typed: Typed = invocation.parameters_into()?;
            Ok(PluginResult::succeeded("typed").with_parameter(
                "summary",
                format!("{} {} {} {}", typed.count, typed.ratio, typed.enabled, typed.tags.join("+")),
            ))
        }
        // Streams input artifact `input` to output artifact `output` (at the
        // path given by parameter `out_path`), upper-cased.
        "copy" => {
            let out_path: String = invocation.parameter_or("out_path", "/out/copy.txt")?;
            let mut reader = invocation.artifact("input")?.open()?;
            let mut output = OutputArtifact::create("output", out_path)?;
            let mut buffer = [0u8; 8192];
            let mut total = 0usize;
            loop {
                let read = reader.read(&mut buffer)?;
                if read == 0 {
                    break;
                }
                buffer[..read].make_ascii_uppercase();
                output.write_all(&buffer[..read])?;
                total += read;
            }
            Ok(PluginResult::succeeded(format!("copied {total} bytes")).with_artifact(output.finish()?))
        }
        // Lists an output artifact it never writes.
        "phantom-output" => Ok(PluginResult::succeeded("lied").with_artifact(ArtifactRef::new("ghost", "/ghost.txt"))),
        "error" => {
            let inner = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "disk says no");
            Err(anyhow::Error::new(inner).context("saving the report").context("step could not finish"))
        }
        "failed" => Ok(PluginResult::failed("deliberately failed")),
        "panic" => {
            let items: Vec<u32> = Vec::new();
            let index: usize = invocation.parameter_or("index", 3)?;
            Ok(PluginResult::succeeded(format!("{}", items[index])))
        }
        "oom" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(std::hint::black_box(vec![1; 1 << 20]));
            }
        }
        "spin" => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        // Fetches `url` with at most `max_bytes` of response body.
        "fetch" => {
            let url: String = invocation.parameter("url")?;
            let max_bytes: usize = invocation.parameter("max_bytes")?;
            let response = wasm_workflows_sdk::http::Request::get(&url).max_response_size(max_bytes).send()?;
            Ok(PluginResult::succeeded(format!("{} bytes", response.body().len())))
        }
        // Streams input artifact `input` to `url` (PUT); the message is the answer's body.
        "upload" => {
            let url: String = invocation.parameter("url")?;
            let response =
                wasm_workflows_sdk::http::Request::put(&url).body_artifact(&invocation.artifact("input")?).send()?;
            Ok(PluginResult::succeeded(response.text()?.to_owned()))
        }
        // Sleeps `ms` milliseconds, then (if given) fetches `url`, then
        // succeeds: a step that takes a while, and leaves a trace.
        "sleep" => {
            let ms: u64 = invocation.parameter("ms")?;
            std::thread::sleep(std::time::Duration::from_millis(ms));
            if let Some(url) = invocation.parameter_opt::<String>("url")? {
                wasm_workflows_sdk::http::Request::get(&url).send()?;
            }
            Ok(PluginResult::succeeded(format!("slept {ms} ms")))
        }
        "log" => {
            wasm_workflows_sdk::log::info("to stderr");
            println!("to stdout");
            Ok(PluginResult::succeeded("logged"))
        }
        other => anyhow::bail!("unknown mode \"{other}\""),
    }
}
