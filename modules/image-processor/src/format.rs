//! The six image formats the module reads and writes: their names, file
//! extensions and signatures.

/// An image file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG (JFIF).
    Jpeg,
    /// PNG.
    Png,
    /// WebP (read: lossy and lossless; written: lossless).
    Webp,
    /// GIF (the first frame).
    Gif,
    /// Windows bitmap.
    Bmp,
    /// TIFF.
    Tiff,
}

/// Every format, in the order messages list them.
pub const ALL: [Format; 6] = [Format::Jpeg, Format::Png, Format::Webp, Format::Gif, Format::Bmp, Format::Tiff];

impl Format {
    /// Its name as the `format` parameter and output take it: `jpeg`, `png`, …
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::Tiff => "tiff",
        }
    }

    /// Its name in messages: `JPEG`, `PNG`, …
    pub fn title(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
            Format::Bmp => "BMP",
            Format::Tiff => "TIFF",
        }
    }

    /// The extension of the output file.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            other => other.name(),
        }
    }

    /// The format called `name` (any case; `jpg` and `tif` too).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "jpg" => Some(Format::Jpeg),
            "tif" => Some(Format::Tiff),
            name => ALL.into_iter().find(|format| format.name() == name),
        }
    }

    /// The format whose signature `bytes` starts with.
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
            [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n', ..] => Some(Format::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Format::Webp),
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some(Format::Gif),
            [b'B', b'M', ..] => Some(Format::Bmp),
            [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => Some(Format::Tiff),
            _ => None,
        }
    }

    /// The `image` crate's name for it.
    pub fn image_format(self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
            Format::Webp => image::ImageFormat::WebP,
            Format::Gif => image::ImageFormat::Gif,
            Format::Bmp => image::ImageFormat::Bmp,
            Format::Tiff => image::ImageFormat::Tiff,
        }
    }
}

/// The formats' names, for messages: `jpeg, png, webp, gif, bmp, tiff`.
pub fn names() -> String {
    ALL.map(Format::name).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases_are_accepted() {
        for format in ALL {
            assert_eq!(Format::from_name(format.name()), Some(format));
        }
        assert_eq!(Format::from_name("JPG"), Some(Format::Jpeg));
        assert_eq!(Format::from_name(" Tif "), Some(Format::Tiff));
        assert_eq!(Format::from_name("heic"), None);
        assert_eq!(names(), "jpeg, png, webp, gif, bmp, tiff");
    }

    #[test]
    fn signatures_are_recognised() {
        assert_eq!(Format::detect(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Some(Format::Jpeg));
        assert_eq!(Format::detect(b"\x89PNG\r\n\x1A\n\0\0"), Some(Format::Png));
        assert_eq!(Format::detect(b"RIFF\x10\0\0\0WEBPVP8L"), Some(Format::Webp));
        assert_eq!(Format::detect(b"GIF89a"), Some(Format::Gif));
        assert_eq!(Format::detect(b"BM\0\0"), Some(Format::Bmp));
        assert_eq!(Format::detect(b"II*\0"), Some(Format::Tiff));
        assert_eq!(Format::detect(b"MM\0*"), Some(Format::Tiff));
        assert_eq!(Format::detect(b"hello"), None);
        assert_eq!(Format::detect(b""), None);
    }
}
