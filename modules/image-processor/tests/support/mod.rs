//! What the image-processor tests share: running the module built for
//! wasm32-wasip1 in wasmtime on image files, test pictures, ImageMagick as
//! a reference, and pixel comparisons.

#![allow(dead_code)] // each test file uses part of this

pub mod hsl;

use std::path::Path;
use std::process::Command;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, RgbaImage};
use wasm_workflows_cli::runner::InputFile;
use wasm_workflows_sdk::json::Value;
use wasm_workflows_sdk::protocol::{Phase, PluginResult};
use wasm_workflows_test_support::cargo_build::WasmTarget;
use wasm_workflows_test_support::harness::{invocation, module, options, run};

/// One run of the module: its node and the output artifact's bytes.
pub struct Run {
    pub node: PluginResult,
    pub output: Option<Vec<u8>>,
}

impl Run {
    /// The output image, decoded; fails the test if the step failed.
    pub fn image(&self) -> DynamicImage {
        assert_eq!(self.node.phase, Phase::Succeeded, "{}", self.node.message);
        let bytes = self.output.as_ref().expect("an output artifact");
        image::load_from_memory(bytes).expect("the output decodes")
    }

    /// The failure message; fails the test if the step succeeded.
    pub fn failure(&self) -> &str {
        assert_eq!(self.node.phase, Phase::Failed, "expected a failure, got: {}", self.node.message);
        &self.node.message
    }

    /// Output parameter `name`.
    pub fn parameter(&self, name: &str) -> &Value {
        self.node.output_parameter(name).unwrap_or_else(|| panic!("no output parameter {name}: {:?}", self.node))
    }
}

/// Runs image-processor with input artifacts (name, file name, contents)
/// and parameters given as strings, as Argo gives them.
pub fn process(artifacts: &[(&str, &str, &[u8])], parameters: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut run_options = options(invocation(parameters));
    for (name, file_name, contents) in artifacts {
        let source = dir.path().join(format!("{name}-{file_name}"));
        std::fs::write(&source, contents).unwrap();
        run_options.input_files.push(InputFile { name: (*name).into(), path: format!("/{file_name}"), source });
    }
    run_options.output_dir = Some(dir.path().join("out"));
    let outcome = run(&module("image-processor", WasmTarget::Wasip1), &run_options);
    let output =
        outcome.output_files.iter().find(|(name, _)| name == "output").map(|(_, file)| std::fs::read(file).unwrap());
    Run { node: outcome.node, output }
}

/// Runs image-processor on `input` (a file called `input.<extension>`).
pub fn process_image(input: &[u8], extension: &str, parameters: &[(&str, &str)]) -> Run {
    process(&[("input", &format!("input.{extension}"), input)], parameters)
}

/// A 48×32 picture with every kind of pixel the effects treat differently:
/// saturated and dull colours, dark and light ones, grays, black and white.
pub fn sample() -> RgbImage {
    RgbImage::from_fn(48, 32, |x, y| match (x, y) {
        (0, _) => Rgb([0, 0, 0]),
        (1, _) => Rgb([255, 255, 255]),
        (2, y) => Rgb([(y * 8) as u8; 3]),
        (x, y) if x % 7 == 3 => Rgb([255, (y * 8) as u8, 0]),
        (x, y) => Rgb([(x * 5 + y * 3) as u8, (255 - y * 7) as u8, ((x * y * 11) % 256) as u8]),
    })
}

/// The sample with an alpha channel: transparent at the left, opaque at the right.
pub fn sample_with_alpha() -> RgbaImage {
    let rgb = sample();
    RgbaImage::from_fn(rgb.width(), rgb.height(), |x, y| {
        let [r, g, b] = rgb.get_pixel(x, y).0;
        image::Rgba([r, g, b, (x * 255 / (rgb.width() - 1)) as u8])
    })
}

/// `image` encoded as `format` by the `image` crate.
pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

/// The sample as a PNG.
pub fn sample_png() -> Vec<u8> {
    encode(&DynamicImage::ImageRgb8(sample()), ImageFormat::Png)
}

/// ImageMagick's `convert in.<in_extension> ARGS out.<out_extension>` on `input`.
pub fn magick(input: &[u8], in_extension: &str, args: &[&str], out_extension: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) =
        (dir.path().join(format!("in.{in_extension}")), dir.path().join(format!("out.{out_extension}")));
    std::fs::write(&source, input).unwrap();
    let mut all = vec![source.as_os_str()];
    all.extend(args.iter().map(|a| Path::new(a).as_os_str()));
    all.push(target.as_os_str());
    convert(&all);
    std::fs::read(&target).unwrap()
}

/// ImageMagick's `convert` with these arguments.
pub fn convert(args: &[&std::ffi::OsStr]) {
    let output = Command::new("convert")
        .args(args)
        .output()
        .expect("ImageMagick's convert runs (scripts/setup.sh installs Debian's imagemagick)");
    assert!(output.status.success(), "convert {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// ImageMagick's result for the sample PNG, decoded.
pub fn magick_sample(args: &[&str]) -> DynamicImage {
    image::load_from_memory(&magick(&sample_png(), "png", args, "png")).unwrap()
}

/// Asserts that `actual` and `expected` have the same size and that no
/// sample (RGBA) differs by more than `tolerance`.
pub fn assert_close(actual: &DynamicImage, expected: &DynamicImage, tolerance: u8, what: &str) {
    let (actual, expected) = (actual.to_rgba8(), expected.to_rgba8());
    assert_eq!(actual.dimensions(), expected.dimensions(), "{what}: size");
    let mut worst = (0u8, 0, 0, [0u8; 4], [0u8; 4]);
    let mut differing = 0;
    for ((x, y, a), e) in actual.enumerate_pixels().zip(expected.pixels()) {
        let difference = a.0.iter().zip(e.0).map(|(a, e)| a.abs_diff(e)).max().unwrap();
        if difference > tolerance {
            differing += 1;
        }
        if difference > worst.0 {
            worst = (difference, x, y, a.0, e.0);
        }
    }
    let (difference, x, y, a, e) = worst;
    assert!(
        differing == 0,
        "{what}: {differing} pixels differ by more than {tolerance}; the most ({difference}) at ({x}, {y}): \
         got {a:?}, expected {e:?}"
    );
}

/// The largest difference of any sample, and the mean difference.
pub fn difference(actual: &DynamicImage, expected: &DynamicImage) -> (u8, f64) {
    let (actual, expected) = (actual.to_rgba8(), expected.to_rgba8());
    assert_eq!(actual.dimensions(), expected.dimensions());
    let differences: Vec<u8> = actual.as_raw().iter().zip(expected.as_raw()).map(|(a, e)| a.abs_diff(*e)).collect();
    let mean = differences.iter().map(|&d| f64::from(d)).sum::<f64>() / differences.len() as f64;
    (differences.iter().copied().max().unwrap_or(0), mean)
}

/// The sample with `f` applied to each pixel.
pub fn map_sample(f: impl Fn([u8; 3]) -> [u8; 3]) -> DynamicImage {
    let mut image = sample();
    for pixel in image.pixels_mut() {
        pixel.0 = f(pixel.0);
    }
    DynamicImage::ImageRgb8(image)
}
