//! The image-processor benchmark behind docs/benchmarks.md: a 4000×3000
//! photo-like JPEG (made here, the same bytes every run) desaturated and
//! halved by the module in wasm (through the runner, compilation excluded
//! and reported apart), by a native build of the same module, by
//! ImageMagick and by libvips, all in one run so the ratios hold. Prints
//! markdown tables, with each contender's output file as ImageMagick's
//! `identify` reads it (bytes, JPEG quality, chroma sampling): every row of
//! a table writes the same quality, so the times compare like with like.
//!
//! Every contender runs as a child process under GNU time, which reports
//! its wall time, CPU time and peak memory (maximum resident set size); the
//! wasm rows run `wasm-workflows run` with a warm module cache, so they
//! include the host process but no compilation. A row of run time inside
//! the runner library (instantiation to end) is printed as well.
//!
//! Run it with `scripts/benchmark.sh`; it needs `imagemagick`,
//! `libvips-tools` and `time` (Debian packages; scripts/setup.sh). With
//! `IMAGE_PROCESSOR_BENCHMARK_PHOTO=FILE` it only writes its input JPEG to
//! FILE (to profile a contender on it) and stops.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wasm_workflows_cli::runner::{InputFile, ModuleCache, Runner};
use wasm_workflows_sdk::protocol::Phase;
use wasm_workflows_test_support::cargo_build::{WasmTarget, build_module, target_dir};
use wasm_workflows_test_support::harness::{invocation, options, workspace_root};

/// Runs per row; the table shows the median.
const RUNS: usize = 7;
const WIDTH: usize = 4000;
const HEIGHT: usize = 3000;

/// The goals of issue 18: CPU time against ImageMagick (desaturate) and
/// libvips (resize), and peak memory.
const GOAL_DESATURATE: f64 = 0.5;
const GOAL_RESIZE: f64 = 1.0;
/// The JPEG quality libvips writes unless told otherwise; the resize rows
/// all write it.
const VIPS_QUALITY: &str = "75";
const GOAL_MEMORY_MB: f64 = 150.0;
/// What the original module measured (its desaturate against ImageMagick's).
const SEED_DESATURATE: f64 = 2.08;
const SEED_MEMORY_MB: f64 = 261.0;

/// One measured run: wall and CPU (user + system) seconds, peak RSS in MB.
#[derive(Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: f64,
    peak_mb: f64,
}

/// A JPEG file as `identify` describes it: `bytes, quality Q, sampling`.
fn describe_jpeg(file: &Path) -> String {
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let identify = Command::new("identify")
        .args(["-format", "%Q %[jpeg:sampling-factor]"])
        .arg(file)
        .output()
        .expect("ImageMagick's identify runs");
    let text = String::from_utf8_lossy(&identify.stdout).into_owned();
    let (quality, sampling) = text.split_once(' ').unwrap_or(("?", "?"));
    let sampling = match sampling {
        "2x2,1x1,1x1" => "4:2:0",
        "2x1,1x1,1x1" => "4:2:2",
        "1x1,1x1,1x1" => "4:4:4",
        other => other,
    };
    format!("{bytes} B, Q{quality}, {sampling}")
}

/// Runs `command` under GNU time `RUNS` times (after one warm-up) and
/// returns the medians.
fn measure(mut command: impl FnMut() -> Command) -> Sample {
    let once = |command: &mut Command| -> Sample {
        let report = tempfile::NamedTempFile::new().unwrap();
        let program = command.get_program().to_owned();
        let args: Vec<_> = command.get_args().map(ToOwned::to_owned).collect();
        let envs: Vec<_> = command.get_envs().map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned))).collect();
        let mut timed = Command::new("/usr/bin/time");
        timed.args(["-f", "%e %U %S %M", "-o"]).arg(report.path()).arg(&program).args(&args);
        for (key, value) in envs {
            if let Some(value) = value {
                timed.env(key, value);
            }
        }
        let output = timed.output().expect("GNU time runs (Debian package `time`)");
        assert!(
            output.status.success(),
            "{program:?} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let text = std::fs::read_to_string(report.path()).unwrap();
        let numbers: Vec<f64> = text.split_whitespace().map(|n| n.parse().unwrap()).collect();
        Sample { wall: numbers[0], cpu: numbers[1] + numbers[2], peak_mb: numbers[3] / 1024.0 }
    };
    once(&mut command());
    let samples: Vec<Sample> = (0..RUNS).map(|_| once(&mut command())).collect();
    let median = |f: fn(&Sample) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(f).collect();
        values.sort_by(f64::total_cmp);
        values[RUNS / 2]
    };
    Sample { wall: median(|s| s.wall), cpu: median(|s| s.cpu), peak_mb: median(|s| s.peak_mb) }
}

/// A deterministic photo-like picture: sky and field in gradients, a sun,
/// hills, houses with windows, trees, soft texture and sensor noise, so its
/// JPEG compresses like a photo's (about 1.7 bits per pixel at quality 90).
fn photo(width: usize, height: usize) -> Vec<u8> {
    struct Noise(u64);
    impl Noise {
        fn next(&mut self) -> u64 {
            // xorshift64*: the same numbers on every machine.
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn around(&mut self, amplitude: i32) -> i32 {
            (self.next() >> 33) as i32 % (2 * amplitude + 1) - amplitude
        }
        fn unit(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 24) as f32
        }
    }
    let mix = |a: [f32; 3], b: [f32; 3], t: f32| [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t.clamp(0.0, 1.0));
    let (w, h) = (width as f32, height as f32);
    let horizon = 0.55 * h;
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    let hill = |x: f32| horizon - 0.06 * h * (1.0 + (x / w * 7.0).sin()) - 0.03 * h * (x / w * 17.0 + 1.3).sin();
    let sun = (0.78 * w, 0.18 * h, 0.06 * w);
    let houses: Vec<(f32, f32, f32, f32, [f32; 3])> = (0..9)
        .map(|i| {
            let x = (0.05 + 0.1 * i as f32 + 0.03 * noise.unit()) * w;
            let (house_w, house_h) = ((0.05 + 0.03 * noise.unit()) * w, (0.08 + 0.06 * noise.unit()) * h);
            let wall = [150.0 + 90.0 * noise.unit(), 90.0 + 80.0 * noise.unit(), 60.0 + 70.0 * noise.unit()];
            (x, horizon + 0.05 * h - house_h, house_w, house_h, wall)
        })
        .collect();
    let trees: Vec<(f32, f32, f32)> = (0..40)
        .map(|_| (noise.unit() * w, horizon + (0.08 + 0.35 * noise.unit()) * h, (0.01 + 0.025 * noise.unit()) * w))
        .collect();
    let mut pixels = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let fy = y as f32;
        for x in 0..width {
            let fx = x as f32;
            let texture = 10.0 * ((fx * 0.013).sin() * (fy * 0.011).cos() + 0.5 * (fx * 0.051 + fy * 0.037).sin());
            let mut colour = if fy < hill(fx) {
                let sky = mix([70.0, 120.0, 200.0], [190.0, 215.0, 240.0], fy / horizon);
                let (sun_x, sun_y, radius) = sun;
                let d = ((fx - sun_x).powi(2) + (fy - sun_y).powi(2)).sqrt();
                let glow = (1.0 - (d - radius) / (3.0 * radius)).clamp(0.0, 1.0).powi(2);
                if d < radius { [255.0, 245.0, 200.0] } else { mix(sky, [255.0, 230.0, 170.0], glow) }
            } else {
                let depth = (fy - horizon) / (h - horizon);
                let furrow = 12.0 * ((fx - w / 2.0) / (fy - horizon + 40.0) * 60.0).sin();
                mix([90.0, 140.0, 60.0], [60.0, 100.0, 35.0], depth).map(|c| c + furrow + texture)
            };
            for &(house_x, house_y, house_w, house_h, wall) in &houses {
                let (u, v) = ((fx - house_x) / house_w, (fy - house_y) / house_h);
                if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                    let (across, down) = ((u * 5.0).fract(), (v * 4.0).fract());
                    let window = across > 0.35 && across < 0.75 && down > 0.3 && down < 0.7;
                    colour = if window { [40.0, 50.0, 70.0] } else { wall.map(|c| c * (0.8 + 0.2 * u)) };
                } else if (-0.1..1.1).contains(&u) && v < 0.0 && v >= -0.5 * (1.0 - ((u - 0.5) / 0.6).abs()) {
                    colour = [120.0, 40.0, 30.0];
                }
            }
            for &(tree_x, tree_y, radius) in &trees {
                let d = ((fx - tree_x).powi(2) + ((fy - tree_y) * 0.8).powi(2)).sqrt();
                if d < radius {
                    let shade = 1.0 - 0.5 * d / radius;
                    colour = [30.0 * shade, 90.0 * shade + texture, 25.0 * shade];
                } else if (fx - tree_x).abs() < 0.12 * radius && fy > tree_y && fy < tree_y + 1.6 * radius {
                    colour = [80.0, 55.0, 30.0];
                }
            }
            let grain = noise.around(6) as f32;
            pixels.extend(colour.map(|c| (c + grain).round().clamp(0.0, 255.0) as u8));
        }
    }
    pixels
}

/// `pixels` (packed RGB) as an uncompressed 24-bit BMP.
fn bmp(pixels: &[u8], width: usize, height: usize) -> Vec<u8> {
    let row = (width * 3).div_ceil(4) * 4;
    let size = 54 + row * height;
    let mut file = Vec::with_capacity(size);
    file.extend_from_slice(b"BM");
    for value in [size as u32, 0, 54, 40, width as u32, height as u32] {
        file.extend_from_slice(&value.to_le_bytes());
    }
    file.extend_from_slice(&[1, 0, 24, 0]);
    file.extend_from_slice(&[0; 24]);
    for y in (0..height).rev() {
        for pixel in pixels[y * width * 3..(y + 1) * width * 3].chunks_exact(3) {
            file.extend_from_slice(&[pixel[2], pixel[1], pixel[0]]);
        }
        file.resize(file.len() + row - width * 3, 0);
    }
    file
}

/// The native build of image-processor (`cargo build --release`).
fn build_native() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["build", "--quiet", "--release", "-p", "image-processor"])
        .status()
        .unwrap();
    assert!(status.success(), "the native build of image-processor fails");
    target_dir(&workspace_root()).join("release/image-processor")
}

/// Where the native build's work directory for `parameters` is.
fn native_root(dir: &Path, parameters: &[(&str, &str)]) -> PathBuf {
    dir.join(parameters.iter().map(|(k, v)| format!("{k}-{v}")).collect::<Vec<_>>().join("_"))
}

/// A work directory for the native build: input.json and artifacts-in/.
fn native_work_dir(dir: &Path, input: &Path, parameters: &[(&str, &str)]) -> PathBuf {
    let root = native_root(dir, parameters);
    std::fs::create_dir_all(root.join("artifacts-in")).unwrap();
    std::fs::create_dir_all(root.join("artifacts-out")).unwrap();
    std::fs::copy(input, root.join("artifacts-in/input.jpg")).unwrap();
    let invocation = invocation(parameters).with_artifact("input", "/input.jpg");
    std::fs::write(root.join("input.json"), invocation.to_json().to_string()).unwrap();
    root
}

fn seconds(value: f64) -> String {
    format!("{:.0} ms", value * 1000.0)
}

fn main() {
    let root = workspace_root();
    let module = build_module(&root, "image-processor", WasmTarget::Wasip1, "release").unwrap();
    let native = build_native();
    let cli = std::env::var_os("WASM_WORKFLOWS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir(&root).join("host/wasm-workflows"));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");

    // The photo: generated, then made a JPEG (quality 90, 4:2:0) by the module.
    let pixels = photo(WIDTH, HEIGHT);
    let bmp_file = dir.path().join("photo.bmp");
    std::fs::write(&bmp_file, bmp(&pixels, WIDTH, HEIGHT)).unwrap();
    let runner = Runner::new(Some(ModuleCache::new(&cache))).unwrap();
    let mut make = options(invocation(&[("format", "jpeg"), ("quality", "90")]));
    make.input_files.push(InputFile { name: "input".into(), path: "/photo.bmp".into(), source: bmp_file });
    make.output_dir = Some(dir.path().join("made"));
    let made = runner.run(&module, &make).unwrap();
    assert_eq!(made.node.phase, Phase::Succeeded, "{}", made.node.message);
    let photo_jpg = dir.path().join("photo.jpg");
    std::fs::copy(&made.output_files[0].1, &photo_jpg).unwrap();
    let photo_bytes = std::fs::metadata(&photo_jpg).unwrap().len();
    if let Some(keep) = std::env::var_os("IMAGE_PROCESSOR_BENCHMARK_PHOTO") {
        std::fs::copy(&photo_jpg, keep).unwrap();
        return;
    }

    println!("## image-processor: speed and memory ({WIDTH}×{HEIGHT} JPEG)\n");
    println!(
        "The input: a generated photo-like picture (gradients, shapes, texture, noise), JPEG quality 90, 4:2:0, \
         {photo_bytes} bytes. Median of {RUNS} runs after a warm-up; every row is a child process under GNU time \
         (wall time, CPU time = user + system, peak resident memory).\n"
    );

    // Compilation, apart: a fresh cache.
    let cold = Runner::new(Some(ModuleCache::new(dir.path().join("cold-cache")))).unwrap();
    let mut desaturate = options(invocation(&[("effect", "desaturate")]));
    desaturate.input_files.push(InputFile {
        name: "input".into(),
        path: "/input.jpg".into(),
        source: photo_jpg.clone(),
    });
    let compiled = cold.run(&module, &desaturate).unwrap();
    let module_bytes = std::fs::metadata(&module).unwrap().len();

    let wasm_out = dir.path().join("wasm-out");
    let wasm = |parameters: &'static [(&'static str, &'static str)]| {
        let (cli, module, cache, photo) = (cli.clone(), module.clone(), cache.clone(), photo_jpg.clone());
        let out = wasm_out.clone();
        move || {
            let mut command = Command::new(&cli);
            command.arg("run").arg(&module).arg("--artifact").arg(format!("input={}:/input.jpg", photo.display()));
            for (name, value) in parameters {
                command.args(["--param", &format!("{name}={value}")]);
            }
            command.arg("--output-dir").arg(&out).env("WASM_WORKFLOWS_CACHE_DIR", &cache);
            command
        }
    };
    let native_run = |parameters: &[(&str, &str)]| {
        let work = native_work_dir(dir.path(), &photo_jpg, parameters);
        let native = native.clone();
        move || {
            let mut command = Command::new(&native);
            command.env("WASM_WORKFLOWS_WORK_DIR", &work);
            command
        }
    };
    let tool = |program: &'static str, args: Vec<String>| {
        move || {
            let mut command = Command::new(program);
            command.args(&args);
            command
        }
    };
    let input = photo_jpg.display().to_string();
    let out = |name: &str| dir.path().join(name).display().to_string();

    let in_runner = |parameters: &[(&str, &str)]| {
        let mut run_options = options(invocation(parameters));
        run_options.input_files.push(InputFile {
            name: "input".into(),
            path: "/input.jpg".into(),
            source: photo_jpg.clone(),
        });
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let outcome = runner.run(&module, &run_options).unwrap();
                assert_eq!(outcome.node.phase, Phase::Succeeded, "{}", outcome.node.message);
                outcome.run_time
            })
            .collect();
        times.sort();
        times[RUNS / 2].as_secs_f64()
    };

    let native_out = |parameters: &[(&str, &str)]| native_root(dir.path(), parameters).join("artifacts-out/output.jpg");
    const DESATURATE: &[(&str, &str)] = &[("effect", "desaturate")];
    const RESIZE: &[(&str, &str)] = &[("resize", "2000x"), ("quality", VIPS_QUALITY)];
    // Each row's output is described right after it is measured (the wasm
    // rows share their output folder): tuples and vec! evaluate in order.
    let desaturate_rows = vec![
        (
            "image-processor in wasm (`wasm-workflows run`, compiled module cached)".to_owned(),
            measure(wasm(DESATURATE)),
            describe_jpeg(&wasm_out.join("output.jpg")),
        ),
        (
            "image-processor, native build of the same code".to_owned(),
            measure(native_run(DESATURATE)),
            describe_jpeg(&native_out(DESATURATE)),
        ),
        (
            "ImageMagick `convert in.jpg -modulate 100,80 out.jpg`".to_owned(),
            measure(tool(
                "convert",
                vec![input.clone(), "-modulate".into(), "100,80".into(), out("im-desaturated.jpg")],
            )),
            describe_jpeg(Path::new(&out("im-desaturated.jpg"))),
        ),
    ];
    let resize_rows = vec![
        (
            format!("image-processor in wasm (`wasm-workflows run`, compiled module cached), `quality={VIPS_QUALITY}`"),
            measure(wasm(RESIZE)),
            describe_jpeg(&wasm_out.join("output.jpg")),
        ),
        (
            format!("image-processor, native build of the same code, `quality={VIPS_QUALITY}`"),
            measure(native_run(RESIZE)),
            describe_jpeg(&native_out(RESIZE)),
        ),
        (
            format!("ImageMagick `convert in.jpg -resize 50% -quality {VIPS_QUALITY} out.jpg`"),
            measure(tool(
                "convert",
                vec![
                    input.clone(),
                    "-resize".into(),
                    "50%".into(),
                    "-quality".into(),
                    VIPS_QUALITY.into(),
                    out("im-half.jpg"),
                ],
            )),
            describe_jpeg(Path::new(&out("im-half.jpg"))),
        ),
        (
            "libvips `vips resize in.jpg out.jpg 0.5` (its default quality)".to_owned(),
            measure(tool("vips", vec!["resize".into(), input.clone(), out("vips-half.jpg"), "0.5".into()])),
            describe_jpeg(Path::new(&out("vips-half.jpg"))),
        ),
    ];
    let desaturate_in_runner = in_runner(DESATURATE);
    let resize_in_runner = in_runner(RESIZE);

    let table = |title: &str, rows: &[(String, Sample, String)], reference: usize| {
        println!("### {title}\n");
        println!(
            "| what | wall | CPU | peak memory | wall ÷ {0} | CPU ÷ {0} | output (`identify`) |",
            if reference == 2 { "ImageMagick" } else { "libvips" }
        );
        println!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        let base = rows[reference].1;
        for (what, sample, output) in rows {
            println!(
                "| {what} | {} | {} | {:.0} MB | {:.2} | {:.2} | {output} |",
                seconds(sample.wall),
                seconds(sample.cpu),
                sample.peak_mb,
                sample.wall / base.wall,
                sample.cpu / base.cpu
            );
        }
        println!();
    };
    table("effect=desaturate", &desaturate_rows, 2);
    table(&format!("resize=2000x (to 2000×1500), quality {VIPS_QUALITY}"), &resize_rows, 3);

    println!(
        "The quality each writes: ImageMagick the quality it estimates for its input (here the input's 90) and \
         the input's chroma sampling; libvips {VIPS_QUALITY} and 4:2:0 unless told otherwise; image-processor its \
         `quality` parameter (default 90), 4:2:0 from pixels, and the input's sampling when it desaturates a JPEG \
         on its DCT coefficients.\n"
    );
    println!("### Inside the runner, and compilation\n");
    println!("| what | time |");
    println!("| --- | ---: |");
    println!(
        "| desaturate: instantiation to end, in the runner library (no process) | {} |",
        seconds(desaturate_in_runner)
    );
    println!("| resize: instantiation to end, in the runner library (no process) | {} |", seconds(resize_in_runner));
    println!(
        "| compiling the {module_bytes}-byte module with Cranelift, once (then cached) | {} |\n",
        seconds(compiled.load_time.as_secs_f64())
    );

    let (wasm_desaturate, magick_desaturate) = (desaturate_rows[0].1, desaturate_rows[2].1);
    let (wasm_resize, vips_resize) = (resize_rows[0].1, resize_rows[3].1);
    let peak = desaturate_rows[0].1.peak_mb.max(resize_rows[0].1.peak_mb);
    let met = |ok: bool| if ok { "met" } else { "not met" };
    println!("### Goals\n");
    println!("| goal | CPU | wall |");
    println!("| --- | ---: | ---: |");
    let ratio = |a: Sample, b: Sample, goal: f64, f: fn(&Sample) -> f64| {
        let r = f(&a) / f(&b);
        format!("{r:.2} ({})", met(r <= goal))
    };
    println!(
        "| desaturate ≤ {GOAL_DESATURATE}× ImageMagick's CPU time (the original module: {SEED_DESATURATE}×) | {} | {} |",
        ratio(wasm_desaturate, magick_desaturate, GOAL_DESATURATE, |s| s.cpu),
        ratio(wasm_desaturate, magick_desaturate, GOAL_DESATURATE, |s| s.wall)
    );
    println!(
        "| resize ≤ {GOAL_RESIZE}× libvips' CPU time, at its quality | {} | {} |",
        ratio(wasm_resize, vips_resize, GOAL_RESIZE, |s| s.cpu),
        ratio(wasm_resize, vips_resize, GOAL_RESIZE, |s| s.wall)
    );
    println!(
        "| peak memory ≤ {GOAL_MEMORY_MB} MB (the original module: {SEED_MEMORY_MB} MB), the wasm runs' host process | {peak:.0} MB ({}) | |",
        met(peak <= GOAL_MEMORY_MB)
    );
}
