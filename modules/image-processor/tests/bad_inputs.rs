//! Broken images and wrong parameters: each a `Failed` node whose message
//! names the input and says what was expected, never a trap and never an
//! out-of-memory kill. Run in wasm.

mod support;

use support::{process, process_image, sample_png};

fn fails(input: &[u8], extension: &str, parameters: &[(&str, &str)]) -> String {
    process_image(input, extension, parameters).failure().to_owned()
}

/// A PNG header (signature and IHDR, with a valid CRC) for an RGB image of
/// `width × height` pixels, followed by a little compressed data.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut header = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'];
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    header.extend_from_slice(&13u32.to_be_bytes());
    header.extend_from_slice(&ihdr);
    header.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    header.extend_from_slice(&[0, 0, 0, 0, b'I', b'D', b'A', b'T', 0x35, 0xAF, 0x06, 0x1E]);
    header
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn a_decompression_bomb_is_refused_before_decoding() {
    // 30,000 × 30,000 RGB would need 2.7 GB.
    assert_eq!(
        fails(&png_header(30_000, 30_000), "png", &[]),
        "input artifact \"input\" is a PNG of 30000×30000 pixels (900 megapixels); \
         this module processes images of at most 100 megapixels"
    );
    // The same for a JPEG whose frame header (SOF0) says 60,000 × 60,000.
    let mut jpeg = support::magick(&sample_png(), "png", &["-quality", "90"], "jpg");
    let frame = jpeg.windows(2).position(|marker| marker == [0xFF, 0xC0]).expect("a baseline JPEG");
    jpeg[frame + 5..frame + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    assert_eq!(
        fails(&jpeg, "jpg", &[]),
        "input artifact \"input\" is a JPEG of 60000×60000 pixels (3600 megapixels); \
         this module processes images of at most 100 megapixels"
    );
}

#[test]
fn broken_files_fail_with_a_clear_message() {
    assert_eq!(
        fails(b"", "png", &[]),
        "input artifact \"input\" is empty (0 bytes); expected an image (JPEG, PNG, WebP, GIF, BMP or TIFF)"
    );
    assert_eq!(
        fails(b"this is a text file, not a picture\n", "png", &[]),
        "input artifact \"input\" is not an image in a format this module reads (JPEG, PNG, WebP, GIF, BMP or \
         TIFF): its 35 bytes start with \"this is a text f\""
    );

    // A PNG whose data is damaged after its header.
    let mut corrupt = sample_png();
    let middle = corrupt.len() / 2;
    corrupt[middle..middle + 16].fill(0xAB);
    let message = fails(&corrupt, "png", &[]);
    assert!(message.starts_with("input artifact \"input\" is not a valid PNG: "), "{message}");

    // A JPEG cut off halfway.
    let jpeg = support::magick(&sample_png(), "png", &["-quality", "90"], "jpg");
    let message = fails(&jpeg[..jpeg.len() / 2], "jpg", &[]);
    assert!(message.starts_with("input artifact \"input\" is not a valid JPEG: "), "{message}");

    // A header with nothing after it.
    let message = fails(&png_header(64, 64)[..33], "png", &[]);
    assert!(message.starts_with("input artifact \"input\" is not a valid PNG: "), "{message}");

    // Each other format, truncated.
    for (extension, options) in
        [("gif", &[][..]), ("bmp", &[][..]), ("tiff", &[][..]), ("webp", &["-quality", "80"][..])]
    {
        let file = support::magick(&sample_png(), "png", options, extension);
        let message = fails(&file[..file.len() / 3], extension, &[]);
        assert!(message.starts_with("input artifact \"input\" is not a valid "), "{extension}: {message}");
    }
}

#[test]
fn a_broken_watermark_is_named() {
    let run = process(&[("input", "in.png", &sample_png()), ("watermark", "logo.png", b"GIF89a-nope")], &[]);
    assert!(run.failure().starts_with("input artifact \"watermark\" is not a valid GIF: "), "{}", run.failure());
}

#[test]
fn missing_input_and_wrong_parameters_are_named() {
    let none = process(&[], &[("effect", "invert")]);
    assert_eq!(
        none.failure(),
        "missing input artifact \"input\" (add it to the template's inputs.artifacts; the invocation has none)"
    );
    let png = sample_png();
    let bad = |parameters: &[(&str, &str)]| fails(&png, "png", parameters);
    assert_eq!(
        bad(&[("effect", "sepia")]),
        "parameter \"effect\": expected one of saturate, desaturate, shift_hue, darken, lighten, grayscale, invert, \
         blur, sharpen, got \"sepia\""
    );
    assert_eq!(
        bad(&[("format", "heic")]),
        "parameter \"format\": expected one of jpeg, png, webp, gif, bmp, tiff, got \"heic\""
    );
    assert_eq!(
        bad(&[("colour", "red")]),
        "unknown parameter \"colour\" (this module accepts: crop, resize, rotate, flip, effect, amount, format, quality)"
    );
    assert_eq!(
        bad(&[("crop", "10,10,20")]),
        "parameter \"crop\": expected \"x,y,width,height\": four whole numbers, e.g. \"10,20,300,200\", got \"10,10,20\""
    );
    assert_eq!(
        bad(&[("resize", "half")]),
        "parameter \"resize\": expected \"WIDTHxHEIGHT\", \"WIDTHx\" or \"xHEIGHT\" in pixels, e.g. \"800x600\" or \
         \"800x\", got \"half\""
    );
    assert_eq!(
        bad(&[("rotate", "45")]),
        "parameter \"rotate\": expected 90, 180 or 270 (degrees clockwise), got \"45\""
    );
    assert_eq!(bad(&[("flip", "both")]), "parameter \"flip\": expected horizontal or vertical, got \"both\"");
    assert_eq!(bad(&[("quality", "150")]), "parameter \"quality\": expected a whole number from 1 to 100, got \"150\"");
    assert_eq!(
        bad(&[("quality", "80")]),
        "parameter \"quality\" applies to JPEG output only, and the output is PNG (WebP is written lossless)"
    );
    assert_eq!(
        bad(&[("effect", "blur"), ("amount", "0")]),
        "parameter \"amount\": for \"blur\", expected 0.1 to 50 pixels (the Gaussian's standard deviation), got 0"
    );
    assert_eq!(
        bad(&[("crop", "40,0,10,10")]),
        "parameter \"crop\": the area 40,0,10,10 (x, y, width, height) is not inside the 48×32 image; it must end \
         by column 48 and row 32"
    );
    assert_eq!(
        bad(&[("resize", "20000x20000")]),
        "parameter \"resize\": 20000×20000 is 400 megapixels; this module makes images of at most 100 megapixels"
    );
    assert_eq!(
        bad(&[("resize", "20000x2000"), ("format", "webp")]),
        "a WebP holds images of at most 16383×16383 pixels, and this one is 20000×2000; choose another \"format\" \
         or a smaller \"resize\""
    );
}

#[test]
fn a_watermark_larger_than_the_image_is_refused() {
    let run =
        process(&[("input", "in.png", &sample_png()), ("watermark", "logo.png", &sample_png())], &[("resize", "24x")]);
    assert_eq!(
        run.failure(),
        "input artifact \"watermark\" is 48×32 pixels, larger than the 24×16 image it is to be placed on; use a \
         smaller watermark (or a larger \"resize\")"
    );
}

#[test]
fn numbers_may_arrive_as_json_numbers() {
    use wasm_workflows_cli::runner::InputFile;
    use wasm_workflows_test_support::cargo_build::WasmTarget;
    use wasm_workflows_test_support::harness::{invocation, module, options, run};
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.png");
    std::fs::write(&source, sample_png()).unwrap();
    let mut run_options =
        options(invocation(&[("format", "jpeg")]).with_parameter("rotate", 90).with_parameter("quality", 75));
    run_options.input_files.push(InputFile { name: "input".into(), path: "/in.png".into(), source });
    let node = run(&module("image-processor", WasmTarget::Wasip1), &run_options).node;
    assert_eq!(node.message, "48×32 PNG → 32×48 JPEG (rotate)");
    assert_eq!(node.output_parameter("width").and_then(|v| v.as_u64()), Some(32));
}
