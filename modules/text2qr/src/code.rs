//! The QR code as a square of dark and light modules, made by `fast_qr`.

use fast_qr::{ECL, QRBuilder};

/// Light modules around the code on every side, as ISO/IEC 18004 asks.
pub const QUIET_ZONE: usize = 4;

/// How much of the code may be damaged and still be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum ErrorCorrection {
    /// About 7 %.
    L,
    /// About 15 %.
    #[default]
    M,
    /// About 25 %.
    Q,
    /// About 30 %.
    H,
}

impl ErrorCorrection {
    /// The most bytes of arbitrary text (byte mode) a version-40 code holds.
    pub fn max_bytes(self) -> usize {
        match self {
            ErrorCorrection::L => 2953,
            ErrorCorrection::M => 2331,
            ErrorCorrection::Q => 1663,
            ErrorCorrection::H => 1273,
        }
    }

    fn ecl(self) -> ECL {
        match self {
            ErrorCorrection::L => ECL::L,
            ErrorCorrection::M => ECL::M,
            ErrorCorrection::Q => ECL::Q,
            ErrorCorrection::H => ECL::H,
        }
    }
}

impl TryFrom<String> for ErrorCorrection {
    type Error = String;

    fn try_from(level: String) -> Result<Self, String> {
        match level.trim().to_ascii_uppercase().as_str() {
            "L" => Ok(ErrorCorrection::L),
            "M" => Ok(ErrorCorrection::M),
            "Q" => Ok(ErrorCorrection::Q),
            "H" => Ok(ErrorCorrection::H),
            _ => Err(format!("expected L, M, Q or H, got \"{level}\"")),
        }
    }
}

impl std::fmt::Display for ErrorCorrection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorCorrection::L => "L",
            ErrorCorrection::M => "M",
            ErrorCorrection::Q => "Q",
            ErrorCorrection::H => "H",
        })
    }
}

/// A QR code's modules, row by row, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    size: usize,
    dark: Vec<bool>,
}

/// The text does not fit in the largest QR code.
#[derive(Debug)]
pub struct TooLong;

impl Code {
    /// The smallest code that holds `text` at `level`, in the mode (numeric,
    /// alphanumeric or bytes) that suits it.
    pub fn encode(text: &str, level: ErrorCorrection) -> Result<Code, TooLong> {
        let qr = QRBuilder::new(text.as_bytes()).ecl(level.ecl()).build().map_err(|_| TooLong)?;
        let size = qr.size;
        let dark = qr.data[..size * size].iter().map(|module| module.value()).collect();
        Ok(Code { size, dark })
    }

    /// Modules on a side, without the quiet zone.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The QR version, 1 to 40 (21 to 177 modules on a side).
    pub fn version(&self) -> usize {
        (self.size - 17) / 4
    }

    /// Modules on a side with the quiet zone.
    pub fn size_with_quiet_zone(&self) -> usize {
        self.size + 2 * QUIET_ZONE
    }

    /// Whether the module at column `x`, row `y` is dark, counting the quiet
    /// zone (so `0..size_with_quiet_zone()`); outside the code everything is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        let (Some(x), Some(y)) = (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) else { return false };
        x < self.size && y < self.size && self.dark[y * self.size + x]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_follows_the_length_and_level() {
        let short = Code::encode("HELLO", ErrorCorrection::M).unwrap();
        assert_eq!((short.size(), short.version(), short.size_with_quiet_zone()), (21, 1, 29));
        let long = Code::encode(&"x".repeat(1000), ErrorCorrection::H).unwrap();
        assert!(long.version() > short.version());
    }

    #[test]
    fn the_quiet_zone_is_light_and_finders_are_dark() {
        let code = Code::encode("quiet", ErrorCorrection::L).unwrap();
        let side = code.size_with_quiet_zone();
        for i in 0..side {
            for j in 0..QUIET_ZONE {
                assert!(!code.is_dark(i, j) && !code.is_dark(j, i) && !code.is_dark(i, side - 1 - j));
            }
        }
        // The top-left finder pattern's outer ring starts right after the quiet zone.
        assert!(code.is_dark(QUIET_ZONE, QUIET_ZONE) && code.is_dark(QUIET_ZONE + 6, QUIET_ZONE));
        assert!(!code.is_dark(QUIET_ZONE + 1, QUIET_ZONE + 1));
    }

    #[test]
    fn the_largest_texts_fit_and_one_more_byte_does_not() {
        for level in [ErrorCorrection::L, ErrorCorrection::M, ErrorCorrection::Q, ErrorCorrection::H] {
            let most = "a".repeat(level.max_bytes());
            assert_eq!(Code::encode(&most, level).unwrap().version(), 40, "{level}");
            assert!(Code::encode(&(most + "a"), level).is_err(), "{level}");
        }
    }

    #[test]
    fn levels_are_read_in_either_case() {
        assert_eq!(ErrorCorrection::try_from("q".to_owned()), Ok(ErrorCorrection::Q));
        assert_eq!(ErrorCorrection::try_from("X".to_owned()).unwrap_err(), "expected L, M, Q or H, got \"X\"");
    }
}
