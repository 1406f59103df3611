//! The PNG and the text drawing decode back to the input with real QR
//! decoders — zbarimg (zbar-tools) for the text, rqrr for the version and
//! error-correction level — for ASCII, UTF-8 and a 1,000-character text at
//! every error-correction level.

mod support;

use support::{Gray, qr_code, read_png, rqrr_decode, write_png, zbarimg};

const QUIET_ZONE: usize = 4;
const PIXELS_PER_MODULE: usize = 8;

fn ascii() -> String {
    "Hello, World! 0123456789 https://example.com/?q=a&b=c".to_owned()
}

fn utf8() -> String {
    "Grüße aus Köln — 日本語のテキスト 🦀 Ωμέγα ≈ √2".to_owned()
}

/// 1,000 characters, some of them outside ASCII, that fit even at level H.
fn thousand_characters() -> String {
    let text: String = "Workflow step №{n}: ÄÖÜ checked; ".chars().cycle().take(1000).collect();
    assert_eq!(text.chars().count(), 1000);
    assert!(text.len() <= 1273, "{} bytes do not fit at level H", text.len());
    text
}

/// The drawing as an image, its ink light: `█` is light on top and bottom, `▀` light on
/// top, `▄` light at the bottom, a space dark; each module 8 pixels square.
/// Rows past the last one (half a line) are dropped.
fn drawing_to_image(drawing: &str) -> Gray {
    let lines: Vec<Vec<char>> = drawing.lines().map(|line| line.chars().collect()).collect();
    let side = lines[0].len();
    assert!(lines.iter().all(|line| line.len() == side), "every line is {side} characters");
    assert_eq!(lines.len(), side.div_ceil(2), "two module rows a line");
    let width = side * PIXELS_PER_MODULE;
    let mut pixels = Vec::with_capacity(width * width);
    for y in 0..side {
        let mut row = Vec::with_capacity(width);
        for &c in &lines[y / 2] {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected character {other:?} in the drawing"),
            };
            let light = if y % 2 == 0 { top } else { bottom };
            row.extend(std::iter::repeat_n(if light { 255 } else { 0 }, PIXELS_PER_MODULE));
        }
        for _ in 0..PIXELS_PER_MODULE {
            pixels.extend_from_slice(&row);
        }
    }
    Gray { width, height: width, pixels }
}

/// Module (x, y) of an image made of 8-pixel modules: dark or not, read at its centre.
fn module_dark(image: &Gray, x: usize, y: usize) -> bool {
    let centre = PIXELS_PER_MODULE / 2;
    image.at(x * PIXELS_PER_MODULE + centre, y * PIXELS_PER_MODULE + centre) < 128
}

fn check(text: &str, level: char) {
    let case = format!("{} characters at level {level}", text.chars().count());
    let run = qr_code(&[("text", text), ("error_correction", &level.to_string())]);

    // The PNG: 1-bit grayscale, 8 pixels a module, decodes to the text.
    let (png, color, depth) = read_png(&run.png);
    assert_eq!((color, depth), (png::ColorType::Grayscale, png::BitDepth::One), "{case}");
    assert_eq!(zbarimg(&run.png), text.as_bytes(), "{case}: zbarimg reads the PNG");
    let (version, read_level, decoded) = rqrr_decode(&png);
    assert_eq!((read_level, decoded.as_str()), (level, text), "{case}: rqrr reads the PNG");
    let side = 17 + 4 * version + 2 * QUIET_ZONE;
    assert_eq!((png.width, png.height), (side * PIXELS_PER_MODULE, side * PIXELS_PER_MODULE), "{case}");
    assert!(run.node.message.contains(&format!("version {version} ")), "{case}: {}", run.node.message);
    assert!(run.node.message.contains(&format!("error correction {level}")), "{case}: {}", run.node.message);

    // A quiet zone of 4 light modules on every side, then the finder patterns' dark edge.
    for i in 0..side {
        for j in 0..QUIET_ZONE {
            for (x, y) in [(i, j), (j, i), (i, side - 1 - j), (side - 1 - j, i)] {
                assert!(!module_dark(&png, x, y), "{case}: module {x},{y} of the quiet zone is dark");
            }
        }
    }
    assert!(module_dark(&png, QUIET_ZONE, QUIET_ZONE) && module_dark(&png, side - 1 - QUIET_ZONE, QUIET_ZONE));

    // The drawing is the same code (its ink marks light modules, for dark
    // backgrounds) and decodes too when its ink is drawn light.
    let drawn = drawing_to_image(&run.drawing);
    assert_eq!(drawn.width / PIXELS_PER_MODULE, side, "{case}: the drawing has the PNG's modules");
    for y in 0..side {
        for x in 0..side {
            assert_eq!(module_dark(&drawn, x, y), module_dark(&png, x, y), "{case}: module {x},{y} of the drawing");
        }
    }
    let file = run.png.with_file_name("drawing.png");
    write_png(&file, &drawn);
    assert_eq!(zbarimg(&file), text.as_bytes(), "{case}: zbarimg reads the drawing");
}

#[test]
fn ascii_text_decodes_at_every_level() {
    for level in ['L', 'M', 'Q', 'H'] {
        check(&ascii(), level);
    }
}

#[test]
fn utf8_text_decodes_at_every_level() {
    for level in ['L', 'M', 'Q', 'H'] {
        check(&utf8(), level);
    }
}

#[test]
fn a_thousand_characters_decode_at_every_level() {
    for level in ['L', 'M', 'Q', 'H'] {
        check(&thousand_characters(), level);
    }
}

#[test]
fn the_level_defaults_to_m_and_any_case_is_read() {
    let run = qr_code(&[("text", "default level")]);
    assert_eq!(rqrr_decode(&read_png(&run.png).0).1, 'M');
    let lower = qr_code(&[("text", "lower case"), ("error_correction", "h")]);
    assert_eq!(rqrr_decode(&read_png(&lower.png).0).1, 'H');
}

#[test]
fn higher_levels_need_larger_codes() {
    let text = thousand_characters();
    let versions: Vec<usize> = ['L', 'M', 'Q', 'H']
        .iter()
        .map(|l| rqrr_decode(&read_png(&qr_code(&[("text", &text), ("error_correction", &l.to_string())]).png).0).0)
        .collect();
    assert!(versions.windows(2).all(|pair| pair[0] < pair[1]), "versions by level L, M, Q, H: {versions:?}");
}
