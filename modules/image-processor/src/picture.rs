//! The image being processed: 8-bit samples, row after row, in one of four
//! layouts, with views for the `image` crate's operations that borrow the
//! pixels instead of copying them.

use image::{ImageBuffer, Luma, LumaA, Rgb, Rgba};

/// How a pixel's samples are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One gray sample.
    Gray,
    /// Gray, then alpha.
    GrayAlpha,
    /// Red, green, blue.
    Rgb,
    /// Red, green, blue, alpha.
    Rgba,
}

impl Layout {
    /// Samples per pixel.
    pub fn channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::GrayAlpha => 2,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }

    /// Whether the last sample is alpha.
    pub fn has_alpha(self) -> bool {
        matches!(self, Layout::GrayAlpha | Layout::Rgba)
    }

    /// Whether pixels have colour (red, green and blue samples).
    pub fn has_color(self) -> bool {
        matches!(self, Layout::Rgb | Layout::Rgba)
    }

    /// The `image` crate's name for it.
    pub fn color_type(self) -> image::ExtendedColorType {
        match self {
            Layout::Gray => image::ExtendedColorType::L8,
            Layout::GrayAlpha => image::ExtendedColorType::La8,
            Layout::Rgb => image::ExtendedColorType::Rgb8,
            Layout::Rgba => image::ExtendedColorType::Rgba8,
        }
    }
}

/// An image in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// How each pixel's samples are laid out.
    pub layout: Layout,
    /// `width × height × channels` samples, top row first.
    pub pixels: Vec<u8>,
}

/// The same operation on a picture's pixels as an `image::ImageBuffer` of
/// the right pixel type: `with_buffer!(picture, buffer => expression)`,
/// where `buffer` borrows `picture.pixels` mutably.
macro_rules! with_buffer {
    ($picture:expr, $buffer:ident => $body:expr) => {{
        let picture: &mut $crate::picture::Picture = $picture;
        let (width, height) = (picture.width, picture.height);
        let pixels = picture.pixels.as_mut_slice();
        match picture.layout {
            $crate::picture::Layout::Gray => {
                #[allow(unused_mut)]
                let mut $buffer = $crate::picture::view::<image::Luma<u8>>(width, height, pixels);
                $body
            }
            $crate::picture::Layout::GrayAlpha => {
                #[allow(unused_mut)]
                let mut $buffer = $crate::picture::view::<image::LumaA<u8>>(width, height, pixels);
                $body
            }
            $crate::picture::Layout::Rgb => {
                #[allow(unused_mut)]
                let mut $buffer = $crate::picture::view::<image::Rgb<u8>>(width, height, pixels);
                $body
            }
            $crate::picture::Layout::Rgba => {
                #[allow(unused_mut)]
                let mut $buffer = $crate::picture::view::<image::Rgba<u8>>(width, height, pixels);
                $body
            }
        }
    }};
}
pub(crate) use with_buffer;

/// `pixels` as an `ImageBuffer` of pixel type `P`, without copying.
pub fn view<P: image::Pixel<Subpixel = u8>>(width: u32, height: u32, pixels: &mut [u8]) -> ImageBuffer<P, &mut [u8]> {
    ImageBuffer::from_raw(width, height, pixels).expect("a picture holds width × height pixels")
}

/// Something the `image` crate returned as a new buffer, as a picture.
pub trait IntoPicture {
    /// The picture, taking over the buffer's pixels.
    fn into_picture(self) -> Picture;
}

macro_rules! into_picture {
    ($pixel:ty, $layout:expr) => {
        impl IntoPicture for ImageBuffer<$pixel, Vec<u8>> {
            fn into_picture(self) -> Picture {
                let (width, height) = self.dimensions();
                Picture { width, height, layout: $layout, pixels: self.into_raw() }
            }
        }
    };
}
into_picture!(Luma<u8>, Layout::Gray);
into_picture!(LumaA<u8>, Layout::GrayAlpha);
into_picture!(Rgb<u8>, Layout::Rgb);
into_picture!(Rgba<u8>, Layout::Rgba);

impl Picture {
    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.width as usize * self.layout.channels()
    }

    /// The same picture with colour samples: gray becomes red = green = blue.
    pub fn into_color(self) -> Picture {
        let layout = match self.layout {
            Layout::Gray => Layout::Rgb,
            Layout::GrayAlpha => Layout::Rgba,
            Layout::Rgb | Layout::Rgba => return self,
        };
        let pixels = match self.layout {
            Layout::Gray => self.pixels.iter().flat_map(|&v| [v, v, v]).collect(),
            _ => self.pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        };
        Picture { layout, pixels, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gray_gains_colour() {
        let gray = Picture { width: 2, height: 1, layout: Layout::Gray, pixels: vec![10, 200] };
        assert_eq!(gray.into_color().pixels, [10, 10, 10, 200, 200, 200]);
        let gray_alpha = Picture { width: 1, height: 1, layout: Layout::GrayAlpha, pixels: vec![7, 9] };
        assert_eq!(
            gray_alpha.into_color(),
            Picture { width: 1, height: 1, layout: Layout::Rgba, pixels: vec![7, 7, 7, 9] }
        );
    }

    #[test]
    fn buffers_borrow_the_pixels() {
        let mut picture = Picture { width: 2, height: 1, layout: Layout::Rgb, pixels: vec![1, 2, 3, 4, 5, 6] };
        with_buffer!(&mut picture, buffer => image::imageops::flip_horizontal_in_place(&mut buffer));
        assert_eq!(picture.pixels, [4, 5, 6, 1, 2, 3]);
    }
}
