//! HSL as textbooks define it, in `f64`: the reference the HSL effects are
//! checked against (the module itself never converts to HSL).

/// Hue in degrees (0 to 360), saturation and lightness (0 to 1).
pub fn to_hsl(rgb: [u8; 3]) -> (f64, f64, f64) {
    let [r, g, b] = rgb.map(|c| f64::from(c) / 255.0);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let lightness = (max + min) / 2.0;
    let chroma = max - min;
    if chroma == 0.0 {
        return (0.0, 0.0, lightness);
    }
    let saturation = chroma / (1.0 - (2.0 * lightness - 1.0).abs());
    let hue = if max == r {
        60.0 * ((g - b) / chroma).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / chroma + 2.0)
    } else {
        60.0 * ((r - g) / chroma + 4.0)
    };
    (hue, saturation, lightness)
}

/// The colour with this hue (degrees, any), saturation and lightness (0 to 1).
pub fn from_hsl(hue: f64, saturation: f64, lightness: f64) -> [u8; 3] {
    let chroma = (1.0 - (2.0 * lightness - 1.0).abs()) * saturation;
    let sixth = hue.rem_euclid(360.0) / 60.0;
    let x = chroma * (1.0 - (sixth % 2.0 - 1.0).abs());
    let (r, g, b) = match sixth as u32 {
        0 => (chroma, x, 0.0),
        1 => (x, chroma, 0.0),
        2 => (0.0, chroma, x),
        3 => (0.0, x, chroma),
        4 => (x, 0.0, chroma),
        _ => (chroma, 0.0, x),
    };
    let m = lightness - chroma / 2.0;
    [r, g, b].map(|c| ((c + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// `rgb` with its HSL values changed by `change`.
pub fn map(rgb: [u8; 3], change: impl Fn(f64, f64, f64) -> (f64, f64, f64)) -> [u8; 3] {
    let (h, s, l) = to_hsl(rgb);
    let (h, s, l) = change(h, s, l);
    from_hsl(h, s, l)
}
