//! The wgpu renderer (WebAssembly only: burn's wgpu backend is built for the browser).

use super::{LINE_STRIDE, POINT_STRIDE, RenderDevice};
use burn::tensor::wgpu::wgpu;

/// The shaders: points as antialiased discs read from a storage buffer, trails as lines.
const SHADER: &str = include_str!("points.wgsl");

/// Draws layers of points and trails on one canvas.
pub struct PointRenderer {
    device: wgpu::Device,
    queue: wgpu::Queue,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    points_pipeline: wgpu::RenderPipeline,
    lines_pipeline: wgpu::RenderPipeline,
    view_buffer: wgpu::Buffer,
    /// The view (binding 0) and the points (binding 1), for both pipelines.
    layout: wgpu::BindGroupLayout,
    bind_group: wgpu::BindGroup,
    points: Vec<u8>,
    lines: Vec<u8>,
    point_buffer: wgpu::Buffer,
    line_buffer: wgpu::Buffer,
    /// Centre (x, y) and half-extent of the shorter side, in data units.
    view: [f32; 3],
    /// CSS pixels per device pixel.
    pixel_ratio: f32,
    background: wgpu::Color,
}

impl PointRenderer {
    /// A renderer for `canvas` on `setup`'s device.
    pub fn new(setup: &RenderDevice, canvas: web_sys::HtmlCanvasElement) -> Result<Self, String> {
        let (width, height) = (canvas.width().max(1), canvas.height().max(1));
        let surface = setup
            .instance
            .create_surface(wgpu::SurfaceTarget::Canvas(canvas))
            .map_err(|e| format!("cannot draw on this canvas with WebGPU: {e}"))?;
        let config = surface
            .get_default_config(&setup.adapter, width, height)
            .ok_or("the WebGPU adapter cannot draw on this canvas")?;
        surface.configure(&setup.device, &config);
        let device = setup.device.clone();
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("points"),
            source: wgpu::ShaderSource::Wgsl(SHADER.into()),
        });
        let view_buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("view"),
            size: 32,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("view and points"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::VERTEX,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::VERTEX,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Storage { read_only: true },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                },
            ],
        });
        let point_buffer =
            Self::layer_buffer(&device, "points", 1 << 16, wgpu::BufferUsages::STORAGE);
        let bind_group = Self::bind(&device, &layout, &view_buffer, &point_buffer);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("points"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let target = [Some(wgpu::ColorTargetState {
            format: config.format,
            blend: Some(wgpu::BlendState::PREMULTIPLIED_ALPHA_BLENDING),
            write_mask: wgpu::ColorWrites::ALL,
        })];
        let pipeline = |name: &str,
                        buffers: &[Option<wgpu::VertexBufferLayout>],
                        topology: wgpu::PrimitiveTopology| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(name),
                layout: Some(&pipeline_layout),
                vertex: wgpu::VertexState {
                    module: &shader,
                    entry_point: Some(&format!("{name}_vs")),
                    compilation_options: Default::default(),
                    buffers,
                },
                primitive: wgpu::PrimitiveState {
                    topology,
                    ..Default::default()
                },
                depth_stencil: None,
                multisample: Default::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &shader,
                    entry_point: Some(&format!("{name}_fs")),
                    compilation_options: Default::default(),
                    targets: &target,
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let points_pipeline = pipeline("point", &[], wgpu::PrimitiveTopology::TriangleList);
        let lines_pipeline = pipeline(
            "line",
            &[Some(wgpu::VertexBufferLayout {
                array_stride: LINE_STRIDE,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &wgpu::vertex_attr_array![0 => Float32x2, 1 => Uint32],
            })],
            wgpu::PrimitiveTopology::LineList,
        );
        Ok(Self {
            line_buffer: Self::layer_buffer(&device, "lines", 1 << 16, wgpu::BufferUsages::VERTEX),
            point_buffer,
            device,
            queue: setup.queue.clone(),
            surface,
            config,
            points_pipeline,
            lines_pipeline,
            view_buffer,
            layout,
            bind_group,
            points: Vec::new(),
            lines: Vec::new(),
            view: [0.0, 0.0, 3.0],
            pixel_ratio: 1.0,
            background: wgpu::Color::WHITE,
        })
    }

    /// Follows a canvas resized to `width` × `height` device pixels, `pixel_ratio` of them per
    /// CSS pixel.
    pub fn resize(&mut self, width: u32, height: u32, pixel_ratio: f32) {
        self.config.width = width.max(1);
        self.config.height = height.max(1);
        self.pixel_ratio = pixel_ratio.max(0.1);
        self.surface.configure(&self.device, &self.config);
    }

    /// Shows data around (`x`, `y`), `half_extent` data units from the centre to the nearer
    /// edges; the background colour is `background` (premultiplied, from [`super::parse_color`]).
    pub fn set_view(&mut self, x: f32, y: f32, half_extent: f32, background: u32) {
        self.view = [x, y, half_extent.max(1e-6)];
        let [r, g, b, a] = background.to_le_bytes().map(|c| c as f64 / 255.0);
        self.background = wgpu::Color { r, g, b, a };
    }

    /// Starts a new frame: no layers.
    pub fn clear(&mut self) {
        self.points.clear();
        self.lines.clear();
    }

    /// Adds points `[x0, y0, ...]` of one colour and diameter (CSS pixels).
    pub fn add_points(&mut self, xy: &[f32], color: u32, size: f32) {
        self.points.reserve(xy.len() / 2 * POINT_STRIDE as usize);
        for p in xy.chunks_exact(2) {
            self.points.extend_from_slice(&p[0].to_le_bytes());
            self.points.extend_from_slice(&p[1].to_le_bytes());
            self.points.extend_from_slice(&color.to_le_bytes());
            self.points.extend_from_slice(&size.to_le_bytes());
        }
    }

    /// Adds line segments `[xa, ya, xb, yb, ...]` (one segment per four numbers), one colour.
    pub fn add_segments(&mut self, segments: &[f32], color: u32) {
        self.lines
            .reserve(segments.len() / 2 * LINE_STRIDE as usize);
        for p in segments.chunks_exact(4).flat_map(|s| s.chunks_exact(2)) {
            self.lines.extend_from_slice(&p[0].to_le_bytes());
            self.lines.extend_from_slice(&p[1].to_le_bytes());
            self.lines.extend_from_slice(&color.to_le_bytes());
        }
    }

    /// A buffer of `size` bytes for a layer's data, used as `usage` and written from the CPU.
    fn layer_buffer(
        device: &wgpu::Device,
        label: &str,
        size: u64,
        usage: wgpu::BufferUsages,
    ) -> wgpu::Buffer {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage: usage | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// The bind group of both pipelines: the view and the points.
    fn bind(
        device: &wgpu::Device,
        layout: &wgpu::BindGroupLayout,
        view: &wgpu::Buffer,
        points: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("view and points"),
            layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: view.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: points.as_entire_binding(),
                },
            ],
        })
    }

    /// Uploads `bytes` into `buffer`, replacing it by a larger one (a power of two) when it is
    /// too small; true when it was replaced.
    fn upload(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        buffer: &mut wgpu::Buffer,
        bytes: &[u8],
    ) -> bool {
        if bytes.is_empty() {
            return false;
        }
        let grown = (bytes.len() as u64) > buffer.size();
        if grown {
            let label = if buffer.usage().contains(wgpu::BufferUsages::STORAGE) {
                "points"
            } else {
                "lines"
            };
            let usage = buffer.usage() - wgpu::BufferUsages::COPY_DST;
            *buffer = Self::layer_buffer(
                device,
                label,
                (bytes.len() as u64).next_power_of_two(),
                usage,
            );
        }
        queue.write_buffer(buffer, 0, bytes);
        grown
    }

    /// Draws the frame's layers on the canvas.
    pub fn present(&mut self) -> Result<(), String> {
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t)
            | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
            other => {
                // Lost or outdated (e.g. resized): configure again and skip this frame.
                self.surface.configure(&self.device, &self.config);
                return Err(format!("the canvas was not ready ({other:?}); try again"));
            }
        };
        let (w, h) = (self.config.width as f32, self.config.height as f32);
        let shorter = w.min(h);
        let [cx, cy, half] = self.view;
        let view = [
            cx,
            cy,
            half * w / shorter,
            half * h / shorter,
            2.0 * self.pixel_ratio / w,
            2.0 * self.pixel_ratio / h,
            0.0,
            0.0,
        ];
        let view: Vec<u8> = view.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.queue.write_buffer(&self.view_buffer, 0, &view);
        if Self::upload(
            &self.device,
            &self.queue,
            &mut self.point_buffer,
            &self.points,
        ) {
            self.bind_group = Self::bind(
                &self.device,
                &self.layout,
                &self.view_buffer,
                &self.point_buffer,
            );
        }
        Self::upload(
            &self.device,
            &self.queue,
            &mut self.line_buffer,
            &self.lines,
        );
        let target = frame
            .texture
            .create_view(&wgpu::TextureViewDescriptor::default());
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("frame"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(self.background),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                ..Default::default()
            });
            pass.set_bind_group(0, &self.bind_group, &[]);
            let lines = (self.lines.len() as u64 / LINE_STRIDE) as u32;
            if lines > 0 {
                pass.set_pipeline(&self.lines_pipeline);
                pass.set_vertex_buffer(0, self.line_buffer.slice(..));
                pass.draw(0..lines, 0..1);
            }
            let points = (self.points.len() as u64 / POINT_STRIDE) as u32;
            if points > 0 {
                pass.set_pipeline(&self.points_pipeline);
                pass.draw(0..6 * points, 0..1);
            }
        }
        self.queue.submit([encoder.finish()]);
        self.queue.present(frame);
        Ok(())
    }
}
