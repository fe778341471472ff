// The point canvas's shaders (`points.rs`): points as antialiased discs, trails as lines.

struct View {
    centre: vec2<f32>,
    // Half the visible extent in data units, per axis.
    half: vec2<f32>,
    // The size of one CSS pixel in clip units, per axis.
    pixel: vec2<f32>,
    pad: vec2<f32>,
};
@group(0) @binding(0) var<uniform> view: View;

// One point of a layer (POINT_STRIDE bytes).
struct Point {
    at: vec2<f32>,
    // RGBA, premultiplied, red in the lowest byte.
    color: u32,
    // Diameter in CSS pixels.
    size: f32,
};
@group(0) @binding(1) var<storage, read> points: array<Point>;

struct PointOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
    // Offset from the disc's centre, in CSS pixels.
    @location(1) local: vec2<f32>,
    @location(2) radius: f32,
};

// Six vertices (two triangles) per point, its data read from the storage buffer: one plain
// draw rather than one instance per point, which software renderers (SwiftShader) run as a
// draw call each, tens of milliseconds per thousand points on a busy CPU.
@vertex
fn point_vs(@builtin(vertex_index) index: u32) -> PointOut {
    var corners = array<vec2<f32>, 6>(
        vec2(-1.0, -1.0), vec2(1.0, -1.0), vec2(-1.0, 1.0),
        vec2(-1.0, 1.0), vec2(1.0, -1.0), vec2(1.0, 1.0));
    let p = points[index / 6u];
    // Half a pixel of margin for the antialiased edge.
    let reach = 0.5 * p.size + 0.5;
    let c = corners[index % 6u] * reach;
    var out: PointOut;
    out.position = vec4((p.at - view.centre) / view.half + c * view.pixel, 0.0, 1.0);
    out.color = unpack4x8unorm(p.color);
    out.local = c;
    out.radius = 0.5 * p.size;
    return out;
}

@fragment
fn point_fs(in: PointOut) -> @location(0) vec4<f32> {
    // The share of this pixel inside the disc, approximately; colours are premultiplied.
    let coverage = clamp(in.radius + 0.5 - length(in.local), 0.0, 1.0);
    return in.color * coverage;
}

struct LineOut {
    @builtin(position) position: vec4<f32>,
    @location(0) color: vec4<f32>,
};

@vertex
fn line_vs(@location(0) at: vec2<f32>, @location(1) color: u32) -> LineOut {
    var out: LineOut;
    out.position = vec4((at - view.centre) / view.half, 0.0, 1.0);
    out.color = unpack4x8unorm(color);
    return out;
}

@fragment
fn line_fs(in: LineOut) -> @location(0) vec4<f32> {
    return in.color;
}
