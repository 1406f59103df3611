//! Shared by text2qr's tests: running the module, reading its PNG, and
//! decoding QR codes with zbarimg (zbar-tools) and rqrr.

#![allow(dead_code)] // each test file uses part of this

use std::path::{Path, PathBuf};
use std::process::Command;

use wasm_workflows_cli::runner::RunOptions;
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// A successful run: the node, the drawing and the PNG file.
pub struct QrRun {
    pub node: PluginResult,
    pub drawing: String,
    pub png: PathBuf,
    _dir: tempfile::TempDir,
}

/// Runs text2qr with these options, keeping its output artifact.
pub fn text2qr_with(mut run_options: RunOptions) -> (PluginResult, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    run_options.output_dir = Some(dir.path().to_owned());
    (run(&module("text2qr", WasmTarget::Wasip1), &run_options).node, dir)
}

/// Runs text2qr with these parameters (strings, as Argo gives them).
pub fn text2qr(parameters: &[(&str, &str)]) -> PluginResult {
    text2qr_with(options(invocation(parameters))).0
}

/// Runs text2qr and expects it to succeed.
pub fn qr_code(parameters: &[(&str, &str)]) -> QrRun {
    let (node, dir) = text2qr_with(options(invocation(parameters)));
    assert_eq!(node.phase, Phase::Succeeded, "{}", node.message);
    let drawing = node.output_parameter("qrcode").and_then(Value::as_str).expect("a qrcode parameter").to_owned();
    let artifact = node.outputs.artifacts.iter().find(|a| a.name == "qrcode").expect("a qrcode artifact");
    assert_eq!(artifact.path, "/qrcode.png");
    let png = dir.path().join("qrcode.png");
    QrRun { node, drawing, png, _dir: dir }
}

/// What zbarimg (Debian's zbar-tools) reads from the image file, as bytes.
pub fn zbarimg(image: &Path) -> Vec<u8> {
    let output =
        Command::new("zbarimg").args(["--quiet", "--raw", "-Sbinary"]).arg(image).output().unwrap_or_else(|e| {
            panic!("cannot run zbarimg, the reference QR decoder ({e}): install it with `apt-get install zbar-tools`")
        });
    assert!(output.status.success(), "zbarimg found no QR code in {} ({})", image.display(), output.status);
    output.stdout
}

/// A grayscale image: width, height and one byte a pixel.
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Gray {
    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }
}

/// Decodes a PNG file with the png crate, expanded to 8-bit grayscale.
pub fn read_png(file: &Path) -> (Gray, png::ColorType, png::BitDepth) {
    let mut decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(file).unwrap()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let (color, depth) = (reader.info().color_type, reader.info().bit_depth);
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(frame.color_type, png::ColorType::Grayscale, "expanded to 8-bit gray");
    buffer.truncate(frame.buffer_size());
    (Gray { width: frame.width as usize, height: frame.height as usize, pixels: buffer }, color, depth)
}

/// Writes a grayscale image as a PNG file.
pub fn write_png(file: &Path, image: &Gray) {
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(std::fs::File::create(file).unwrap()),
        image.width as u32,
        image.height as u32,
    );
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().unwrap().write_image_data(&image.pixels).unwrap();
}

/// The QR version and error-correction level (`L`, `M`, `Q`, `H`) that
/// rqrr reads from the image, and the text.
pub fn rqrr_decode(image: &Gray) -> (usize, char, String) {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(image.width, image.height, |x, y| image.at(x, y));
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "rqrr finds {} QR codes", grids.len());
    let (meta, text) = grids[0].decode().expect("rqrr decodes the code");
    // The format information's two bits: M = 0, L = 1, H = 2, Q = 3.
    let level = ['M', 'L', 'H', 'Q'][meta.ecc_level as usize];
    (meta.version.0, level, text)
}
