//! The code drawn with Unicode half blocks, two module rows per line, as
//! the original project's text2qr drew it: light modules are ink (`█`),
//! dark modules are blank, so the code reads on a dark terminal or log
//! viewer, with the 4-module quiet zone around it.

use crate::code::Code;

/// The drawing: each line stands for two rows of modules, each character
/// for one column of them (`█` both light, `▀` top light, `▄` bottom light,
/// space both dark). Lines end with `\n` except the last.
pub fn draw(code: &Code) -> String {
    let side = code.size_with_quiet_zone();
    let mut drawing = String::with_capacity(side.div_ceil(2) * (side * 3 + 1));
    for top in (0..side).step_by(2) {
        if top > 0 {
            drawing.push('\n');
        }
        for x in 0..side {
            let upper_light = !code.is_dark(x, top);
            // Past the last row (an odd count) is the terminal's background: dark.
            let lower_light = top + 1 < side && !code.is_dark(x, top + 1);
            drawing.push(match (upper_light, lower_light) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
    }
    drawing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{ErrorCorrection, QUIET_ZONE};

    #[test]
    fn two_rows_a_line_with_the_quiet_zone_as_ink() {
        let code = Code::encode("HELLO", ErrorCorrection::M).unwrap();
        let drawing = draw(&code);
        let lines: Vec<&str> = drawing.lines().collect();
        let side = code.size_with_quiet_zone();
        assert_eq!(lines.len(), side.div_ceil(2));
        assert!(lines.iter().all(|line| line.chars().count() == side));
        // 29 rows: the first two lines are quiet zone, the last line only its top row.
        assert_eq!(lines[0], "█".repeat(side));
        assert_eq!(lines[1], "█".repeat(side));
        assert_eq!(lines[lines.len() - 1], "▀".repeat(side));
        // Row 4 is the top of the finder pattern (dark), row 5 its inside (light).
        assert_eq!(lines[2].chars().take(QUIET_ZONE + 2).collect::<String>(), "████ ▄");
    }
}
