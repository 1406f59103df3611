//! The step's parameters, read and checked before any image is decoded, so
//! a mistake in the workflow fails at once with a message naming the
//! parameter.

use wasm_workflows_sdk::prelude::*;

use crate::effects::Effect;
use crate::format::{self, Format};

/// Every parameter the module accepts.
pub const PARAMETERS: [&str; 8] = ["crop", "resize", "rotate", "flip", "effect", "amount", "format", "quality"];

/// An area of the image: its top-left corner and its size, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crop {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Columns kept.
    pub width: u32,
    /// Rows kept.
    pub height: u32,
}

/// A new size; a side left out keeps the aspect ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resize {
    /// Columns, if given.
    pub width: Option<u32>,
    /// Rows, if given.
    pub height: Option<u32>,
}

/// A clockwise rotation by a multiple of 90°.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// 90° clockwise.
    Quarter,
    /// 180°.
    Half,
    /// 270° clockwise (90° counter-clockwise).
    ThreeQuarters,
}

/// A mirror image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flip {
    /// Left and right swap.
    Horizontal,
    /// Top and bottom swap.
    Vertical,
}

/// What to do, in the order it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// `crop`.
    pub crop: Option<Crop>,
    /// `resize`.
    pub resize: Option<Resize>,
    /// `rotate`.
    pub rotate: Option<Rotation>,
    /// `flip`.
    pub flip: Option<Flip>,
    /// `effect` (with `amount`).
    pub effect: Option<Effect>,
    /// `format`; `None` keeps the input's.
    pub format: Option<Format>,
    /// `quality` (JPEG).
    pub quality: Option<u8>,
}

/// The largest side `resize` accepts: the largest a JPEG, GIF or WebP can be.
pub const MAX_SIDE: u32 = 65_535;

/// `parameter "name": expected …, got "value"`.
fn invalid(name: &str, expected: &str, value: &str) -> anyhow::Error {
    anyhow::anyhow!("parameter \"{name}\": expected {expected}, got \"{value}\"")
}

impl Plan {
    /// Reads and checks every parameter of `invocation`.
    pub fn from_invocation(invocation: &PluginInvocation) -> anyhow::Result<Plan> {
        invocation.check_parameters(&PARAMETERS)?;
        let text = |name: &str| invocation.parameter_opt::<String>(name);
        let effect = text("effect")?;
        let amount = text("amount")?;
        Ok(Plan {
            crop: text("crop")?.map(|value| parse_crop(&value)).transpose()?,
            resize: text("resize")?.map(|value| parse_resize(&value)).transpose()?,
            rotate: text("rotate")?.map(|value| parse_rotation(&value)).transpose()?,
            flip: text("flip")?.map(|value| parse_flip(&value)).transpose()?,
            effect: parse_effect(effect.as_deref(), amount.as_deref())?,
            format: text("format")?.map(|value| parse_format(&value)).transpose()?,
            quality: text("quality")?.map(|value| parse_quality(&value)).transpose()?,
        })
    }
}

fn parse_crop(value: &str) -> anyhow::Result<Crop> {
    let expected = "\"x,y,width,height\": four whole numbers, e.g. \"10,20,300,200\"";
    let numbers: Vec<u32> = value
        .split(',')
        .map(|part| part.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| invalid("crop", expected, value))?;
    let [x, y, width, height] = numbers[..] else { return Err(invalid("crop", expected, value)) };
    anyhow::ensure!(
        width > 0 && height > 0,
        "parameter \"crop\": the width and height must be at least 1, got \"{value}\""
    );
    Ok(Crop { x, y, width, height })
}

fn parse_resize(value: &str) -> anyhow::Result<Resize> {
    let expected = "\"WIDTHxHEIGHT\", \"WIDTHx\" or \"xHEIGHT\" in pixels, e.g. \"800x600\" or \"800x\"";
    let (width, height) = value.trim().split_once(['x', 'X']).ok_or_else(|| invalid("resize", expected, value))?;
    let side = |text: &str| -> anyhow::Result<Option<u32>> {
        match text.trim() {
            "" => Ok(None),
            text => match text.parse::<u32>() {
                Ok(side) if (1..=MAX_SIDE).contains(&side) => Ok(Some(side)),
                Ok(_) => Err(anyhow::anyhow!(
                    "parameter \"resize\": each side must be from 1 to {MAX_SIDE} pixels, got \"{value}\""
                )),
                Err(_) => Err(invalid("resize", expected, value)),
            },
        }
    };
    let resize = Resize { width: side(width)?, height: side(height)? };
    if resize.width.is_none() && resize.height.is_none() {
        return Err(invalid("resize", expected, value));
    }
    Ok(resize)
}

fn parse_rotation(value: &str) -> anyhow::Result<Rotation> {
    match value.trim() {
        "90" => Ok(Rotation::Quarter),
        "180" => Ok(Rotation::Half),
        "270" => Ok(Rotation::ThreeQuarters),
        _ => Err(invalid("rotate", "90, 180 or 270 (degrees clockwise)", value)),
    }
}

fn parse_flip(value: &str) -> anyhow::Result<Flip> {
    match value.trim().to_ascii_lowercase().as_str() {
        "horizontal" => Ok(Flip::Horizontal),
        "vertical" => Ok(Flip::Vertical),
        _ => Err(invalid("flip", "horizontal or vertical", value)),
    }
}

fn parse_effect(effect: Option<&str>, amount: Option<&str>) -> anyhow::Result<Option<Effect>> {
    let Some(name) = effect else {
        anyhow::ensure!(amount.is_none(), "parameter \"amount\" is given, but no \"effect\" to apply it to");
        return Ok(None);
    };
    let amount = amount
        .map(|text| {
            text.trim().parse::<f32>().ok().filter(|a| a.is_finite()).ok_or_else(|| invalid("amount", "a number", text))
        })
        .transpose()?;
    Effect::new(name, amount).map(Some)
}

fn parse_format(value: &str) -> anyhow::Result<Format> {
    Format::from_name(value).ok_or_else(|| invalid("format", &format!("one of {}", format::names()), value))
}

fn parse_quality(value: &str) -> anyhow::Result<u8> {
    value
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|quality| (1..=100).contains(quality))
        .ok_or_else(|| invalid("quality", "a whole number from 1 to 100", value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(parameters: &[(&str, &str)]) -> anyhow::Result<Plan> {
        let invocation = parameters
            .iter()
            .fold(PluginInvocation::new("test"), |inv, (name, value)| inv.with_parameter(*name, *value));
        Plan::from_invocation(&invocation)
    }

    fn error(parameters: &[(&str, &str)]) -> String {
        plan(parameters).unwrap_err().to_string()
    }

    #[test]
    fn nothing_given_is_nothing_to_do() {
        let nothing = plan(&[]).unwrap();
        assert_eq!(
            nothing,
            Plan { crop: None, resize: None, rotate: None, flip: None, effect: None, format: None, quality: None }
        );
    }

    #[test]
    fn every_parameter_is_read() {
        let all = plan(&[
            ("crop", "1, 2,30,40"),
            ("resize", "100x"),
            ("rotate", "270"),
            ("flip", "Vertical"),
            ("effect", "blur"),
            ("amount", "3.5"),
            ("format", "JPG"),
            ("quality", "75"),
        ])
        .unwrap();
        assert_eq!(all.crop, Some(Crop { x: 1, y: 2, width: 30, height: 40 }));
        assert_eq!(all.resize, Some(Resize { width: Some(100), height: None }));
        assert_eq!(all.rotate, Some(Rotation::ThreeQuarters));
        assert_eq!(all.flip, Some(Flip::Vertical));
        assert_eq!(all.effect, Some(Effect::Blur(3.5)));
        assert_eq!(all.format, Some(Format::Jpeg));
        assert_eq!(all.quality, Some(75));
        assert_eq!(plan(&[("resize", "x50")]).unwrap().resize, Some(Resize { width: None, height: Some(50) }));
        assert_eq!(plan(&[("resize", "64X48")]).unwrap().resize, Some(Resize { width: Some(64), height: Some(48) }));
    }

    #[test]
    fn malformed_values_are_named() {
        assert_eq!(
            error(&[("crop", "1,2,3")]),
            "parameter \"crop\": expected \"x,y,width,height\": four whole numbers, e.g. \"10,20,300,200\", got \"1,2,3\""
        );
        assert_eq!(
            error(&[("crop", "0,0,0,5")]),
            "parameter \"crop\": the width and height must be at least 1, got \"0,0,0,5\""
        );
        assert_eq!(
            error(&[("resize", "big")]),
            "parameter \"resize\": expected \"WIDTHxHEIGHT\", \"WIDTHx\" or \"xHEIGHT\" in pixels, e.g. \"800x600\" or \"800x\", got \"big\""
        );
        assert!(error(&[("resize", "x")]).starts_with("parameter \"resize\": expected"));
        assert_eq!(
            error(&[("resize", "0x10")]),
            "parameter \"resize\": each side must be from 1 to 65535 pixels, got \"0x10\""
        );
        assert_eq!(
            error(&[("rotate", "45")]),
            "parameter \"rotate\": expected 90, 180 or 270 (degrees clockwise), got \"45\""
        );
        assert_eq!(
            error(&[("flip", "diagonal")]),
            "parameter \"flip\": expected horizontal or vertical, got \"diagonal\""
        );
        assert_eq!(
            error(&[("format", "heic")]),
            "parameter \"format\": expected one of jpeg, png, webp, gif, bmp, tiff, got \"heic\""
        );
        assert_eq!(
            error(&[("quality", "0")]),
            "parameter \"quality\": expected a whole number from 1 to 100, got \"0\""
        );
        assert_eq!(error(&[("amount", "5")]), "parameter \"amount\" is given, but no \"effect\" to apply it to");
        assert_eq!(
            error(&[("effect", "blur"), ("amount", "lots")]),
            "parameter \"amount\": expected a number, got \"lots\""
        );
        assert_eq!(
            error(&[("size", "10")]),
            "unknown parameter \"size\" (this module accepts: crop, resize, rotate, flip, effect, amount, format, quality)"
        );
    }
}
