//! The exported `PointCanvas` class: draws point clouds and trails on a `<canvas>` with wgpu
//! ([`crate::render::PointRenderer`]). The page builds a frame from layers (`clear`,
//! `addPoints`, `addSegments`) and shows it with `present`.

use super::OrJs;
use crate::backend::LostWatch;
use crate::render::{PointRenderer, RenderDevice, parse_color};
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The page's one drawing device, made by the first canvas.
    static DEVICE: RefCell<Option<Rc<RenderDevice>>> = const { RefCell::new(None) };
}

/// A canvas drawn with wgpu on WebGPU.
#[wasm_bindgen]
pub struct PointCanvas {
    renderer: PointRenderer,
    lost: Arc<LostWatch>,
}

#[wasm_bindgen]
impl PointCanvas {
    /// A renderer for `canvas` (a `<canvas>` element); rejects when the browser has no WebGPU
    /// (use Canvas2D then).
    pub async fn create(
        #[wasm_bindgen(unchecked_param_type = "HTMLCanvasElement")] canvas: JsValue,
    ) -> Result<PointCanvas, JsError> {
        // Checked here: a bad value passed on to wgpu would throw inside this future, and its
        // promise would never settle.
        let canvas: web_sys::HtmlCanvasElement = canvas
            .dyn_into()
            .map_err(|_| JsError::new("the canvas must be a <canvas> element"))?;
        crate::backend::run_constructors_once();
        let device = match DEVICE.with(|d| d.borrow().clone()) {
            Some(device) => device,
            None => {
                let device = Rc::new(RenderDevice::new().await.js()?);
                DEVICE.with(|d| *d.borrow_mut() = Some(device.clone()));
                device
            }
        };
        Ok(PointCanvas {
            renderer: PointRenderer::new(&device, canvas).js()?,
            lost: device.lost.clone(),
        })
    }

    /// Resolves with the reason when the browser takes the drawing device away (a lost
    /// device draws nothing more: draw with Canvas2D then). A new device is not asked for:
    /// where presenting a canvas loses the device, it would be lost again at once.
    pub fn lost(&self) -> Promise {
        super::lost_promise(self.lost.clone())
    }

    /// Follows the canvas's new size in device pixels; `pixelRatio` is device pixels per CSS
    /// pixel.
    pub fn resize(&mut self, width: f64, height: f64, pixel_ratio: f64) -> Result<(), JsError> {
        let w = crate::check::whole("the width", width, 1, 16_384).js()?;
        let h = crate::check::whole("the height", height, 1, 16_384).js()?;
        let r = super::number("the pixel ratio", pixel_ratio).js()?;
        self.renderer.resize(w as u32, h as u32, r as f32);
        Ok(())
    }

    /// Shows data around (`x`, `y`) with `halfExtent` data units to the nearer edges, on a
    /// `background` colour (`#rrggbb`).
    #[wasm_bindgen(js_name = setView)]
    pub fn set_view(
        &mut self,
        x: f64,
        y: f64,
        half_extent: f64,
        #[wasm_bindgen(unchecked_param_type = "string")] background: JsValue,
    ) -> Result<(), JsError> {
        let background = super::options::text("the background colour", &background).js()?;
        let x = super::number("x", x).js()?;
        let y = super::number("y", y).js()?;
        let h = super::number("the half extent", half_extent).js()?;
        if h <= 0.0 {
            return Err(JsError::new("the half extent must be positive"));
        }
        self.renderer
            .set_view(x as f32, y as f32, h as f32, parse_color(&background).js()?);
        Ok(())
    }

    /// Starts a new frame.
    pub fn clear(&mut self) {
        self.renderer.clear();
    }

    /// Adds points `[x0, y0, ...]` in one colour (`#rgb`, `#rrggbb`, `#rrggbbaa`) and
    /// diameter in CSS pixels.
    #[wasm_bindgen(js_name = addPoints)]
    pub fn add_points(
        &mut self,
        xy: &[f32],
        #[wasm_bindgen(unchecked_param_type = "string")] color: JsValue,
        size: f64,
    ) -> Result<(), JsError> {
        let color = super::options::text("the colour", &color).js()?;
        let size = super::number("the point size", size).js()?;
        self.renderer
            .add_points(xy, parse_color(&color).js()?, size.clamp(0.0, 64.0) as f32);
        Ok(())
    }

    /// Adds line segments `[xa, ya, xb, yb, ...]` in one colour.
    #[wasm_bindgen(js_name = addSegments)]
    pub fn add_segments(
        &mut self,
        segments: &[f32],
        #[wasm_bindgen(unchecked_param_type = "string")] color: JsValue,
    ) -> Result<(), JsError> {
        let color = super::options::text("the colour", &color).js()?;
        self.renderer
            .add_segments(segments, parse_color(&color).js()?);
        Ok(())
    }

    /// Draws the frame.
    pub fn present(&mut self) -> Result<(), JsError> {
        self.renderer.present().js()
    }
}
