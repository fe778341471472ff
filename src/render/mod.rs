//! Draws 2D point clouds and trajectory trails on a `<canvas>` with wgpu on WebGPU (its own
//! device, one per page; see `points.rs` for why not burn's).
//!
//! A frame is a list of layers built on the CPU and drawn in one render pass: line segments
//! (trails) first, then points as screen-aligned discs (six vertices each, read from a storage buffer). Data coordinates map to the
//! canvas through a view (a centre and a half-extent along the shorter side), so a unit of data
//! is as long across as it is high. The page's Canvas2D renderer (`www/render2d.js`) draws the
//! same layers when WebGPU is missing.

#[cfg(webgpu)]
mod device;
#[cfg(webgpu)]
mod points;
#[cfg(webgpu)]
pub use device::RenderDevice;
#[cfg(webgpu)]
pub use points::PointRenderer;

/// A point: position, packed RGBA colour, diameter in pixels (16 bytes).
pub const POINT_STRIDE: u64 = 16;
/// A line vertex: position and packed RGBA colour (12 bytes).
pub const LINE_STRIDE: u64 = 12;

/// A colour from `#rgb`, `#rrggbb` or `#rrggbbaa`, packed for `unpack4x8unorm` (red in the
/// lowest byte) with the colour premultiplied by its alpha.
pub fn parse_color(css: &str) -> Result<u32, String> {
    let bad = || format!("colour {css:?} is not #rgb, #rrggbb or #rrggbbaa");
    let hex = css.strip_prefix('#').ok_or_else(bad)?;
    if !hex.is_ascii() {
        return Err(bad());
    }
    let byte = |s: &str| u8::from_str_radix(s, 16).map_err(|_| bad());
    let [r, g, b, a] = match hex.len() {
        3 => {
            let d = |i: usize| byte(&hex[i..i + 1]).map(|v| v * 17);
            [d(0)?, d(1)?, d(2)?, 255]
        }
        6 | 8 => {
            let a = if hex.len() == 8 {
                byte(&hex[6..8])?
            } else {
                255
            };
            [byte(&hex[0..2])?, byte(&hex[2..4])?, byte(&hex[4..6])?, a]
        }
        _ => return Err(bad()),
    };
    let pre = |c: u8| ((c as u32 * a as u32 + 127) / 255) as u8;
    Ok(u32::from_le_bytes([pre(r), pre(g), pre(b), a]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_parsed_and_premultiplied() {
        assert_eq!(
            parse_color("#ff0000").unwrap().to_le_bytes(),
            [255, 0, 0, 255]
        );
        assert_eq!(parse_color("#0f0").unwrap().to_le_bytes(), [0, 255, 0, 255]);
        assert_eq!(
            parse_color("#2060a080").unwrap().to_le_bytes(),
            [16, 48, 80, 128]
        );
        assert!(parse_color("red").is_err());
        assert!(parse_color("#12345").is_err());
    }
}
