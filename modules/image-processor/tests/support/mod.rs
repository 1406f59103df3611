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

/// A photo-like picture: a sky and a field in gradients, a sun, houses with
/// windows (sharp edges), soft texture and sensor noise, the same every time.
pub fn photo(width: u32, height: u32) -> RgbImage {
    let mut noise = 0x9E37_79B9_7F4A_7C15u64;
    let (w, h) = (width as f32, height as f32);
    RgbImage::from_fn(width, height, |x, y| {
        noise ^= noise << 13;
        noise ^= noise >> 7;
        noise ^= noise << 17;
        let grain = (noise % 13) as f32 - 6.0;
        let (fx, fy) = (x as f32, y as f32);
        let horizon = 0.55 * h - 0.05 * h * (fx / w * 7.0).sin();
        let texture = 10.0 * ((fx * 0.13).sin() * (fy * 0.11).cos());
        let mut colour = if fy < horizon {
            let t = fy / horizon;
            [70.0 + 120.0 * t, 120.0 + 95.0 * t, 200.0 + 40.0 * t]
        } else {
            let t = (fy - horizon) / (h - horizon);
            [90.0 - 30.0 * t + texture, 140.0 - 40.0 * t + texture, 60.0 - 25.0 * t]
        };
        let (sun_x, sun_y, radius) = (0.78 * w, 0.18 * h, 0.06 * w);
        if (fx - sun_x).powi(2) + (fy - sun_y).powi(2) < radius * radius {
            colour = [255.0, 245.0, 200.0];
        }
        for house in 0..5 {
            let (left, top) = ((0.08 + 0.18 * house as f32) * w, 0.45 * h);
            let (u, v) = ((fx - left) / (0.1 * w), (fy - top) / (0.15 * h));
            if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                let window = (u * 4.0).fract() > 0.4 && (v * 3.0).fract() > 0.4;
                colour = if window { [40.0, 50.0, 70.0] } else { [170.0 + 15.0 * house as f32, 90.0, 60.0] };
            }
        }
        Rgb(colour.map(|c| (c + grain).round().clamp(0.0, 255.0) as u8))
    })
}

/// The photo as a JPEG by ImageMagick (`convert ARGS`, e.g. quality and
/// sampling), which writes optimized Huffman tables.
pub fn photo_jpeg(width: u32, height: u32, args: &[&str]) -> Vec<u8> {
    magick(&encode(&DynamicImage::ImageRgb8(photo(width, height)), ImageFormat::Png), "png", args, "jpg")
}

/// `identify`'s JPEG quality and sampling factors of `jpeg`: `"90 2x2,1x1,1x1"`.
pub fn jpeg_quality_and_sampling(jpeg: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.jpg");
    std::fs::write(&file, jpeg).unwrap();
    let identify = Command::new("identify")
        .args(["-format", "%Q %[jpeg:sampling-factor]"])
        .arg(&file)
        .output()
        .expect("ImageMagick's identify runs");
    String::from_utf8_lossy(&identify.stdout).into_owned()
}

/// libvips's `vips resize in.<in_extension> out.png SCALE` on `input`, decoded.
pub fn vips_resize(input: &[u8], in_extension: &str, scale: f64) -> DynamicImage {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = (dir.path().join(format!("in.{in_extension}")), dir.path().join("out.png"));
    std::fs::write(&source, input).unwrap();
    let output = Command::new("vips")
        .arg("resize")
        .args([&source, &target])
        .arg(scale.to_string())
        .output()
        .expect("libvips's vips runs (scripts/setup.sh installs Debian's libvips-tools)");
    assert!(output.status.success(), "vips resize: {}", String::from_utf8_lossy(&output.stderr));
    image::load_from_memory(&std::fs::read(&target).unwrap()).unwrap()
}
