// Prints the table of one `scripts/bench.sh` run (Markdown) from what it left in DIR
// (default target/bench): the native benchmarks' printed lines and the browser benchmarks'
// JSON files. A missing part is left out, never guessed.
//
//   node scripts/bench-table.mjs [DIR]

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "target/bench";
const text = (file) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : null);
const json = (file) => {
  const t = text(file);
  return t === null ? null : JSON.parse(t);
};
const fixed = (x, digits = 1) => (x === undefined || x === null ? "-" : Number(x).toFixed(digits));
const seconds = (ms) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);
const lines = [];
const table = (head, rows) => {
  lines.push(`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`);
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  lines.push("");
};

// Native 2D training: steps per second by batch.
const batches = [256, 1024, 4096];
const rates = (file, pattern) => {
  const t = text(file);
  if (t === null) return null;
  const found = {};
  for (const m of t.matchAll(pattern)) found[Number(m[1])] = Number(m[2]);
  return { found, machine: t.match(/^machine: (.*)$/m)?.[1] ?? "" };
};
const burn = /^training, batch (\d+): ([\d.]+) steps\/s/gm;
const torch = /^pytorch training, batch (\d+), width 128: ([\d.]+) steps\/s/gm;
const native = [
  ["burn flex (CPU)", rates("native-flex.txt", burn)],
  ["PyTorch (CPU)", rates("torch-cpu.txt", torch)],
  ["burn wgpu (GPU)", rates("native-wgpu.txt", burn)],
  ["PyTorch (CUDA)", rates("torch-cuda.txt", torch)],
].filter(([, r]) => r);
if (native.length) {
  lines.push("**Native 2D training** (width 128, steps per second; `cargo bench --bench core`, `benches/peers/points_torch.py`)", "");
  const flex = native[0][1].found;
  table(
    ["", ...batches.map((b) => `batch ${b.toLocaleString("en")}`), "machine"],
    native.map(([name, r]) => [
      name,
      ...batches.map((b) => (r.found[b] ? `${fixed(r.found[b])}${name.startsWith("burn flex") ? "" : ` (${fixed(r.found[b] / flex[b], 2)}x flex)`}` : "-")),
      r.machine,
    ]),
  );
}

// The page, for each wasm build.
for (const build of ["simd", "scalar"]) {
  const perf = json(`${build}/perf.json`);
  const images = json(`${build}/images-perf.json`);
  const frames = json(`${build}/frames.json`);
  if (!perf && !images) continue;
  const name = build === "simd" ? "WebAssembly SIMD" : "scalar WebAssembly";
  lines.push(`**The page, ${name}** (headless Chromium${perf?.browser ? `, ${perf.browser.adapter}` : ""})`, "");
  if (perf?.load) {
    const { cold, warm } = perf.load;
    table(
      ["from navigation", "cold cache", "warm cache"],
      [
        ["to the playground ready", seconds(cold.readyMs), seconds(warm.readyMs)],
        ["to the first grid of images", seconds(cold.firstGridMs), seconds(warm.firstGridMs)],
      ],
    );
  }
  const devices = ["cpu", "webgpu"].filter((d) => perf?.[d]);
  if (devices.length) {
    const gap = (r) => (r ? `${fixed(r.seconds, 2)} s (${Math.round(r.longestFrameGapMs)} ms)` : "-");
    table(
      ["playground (batch 512, width 128, DDIM)", ...devices.map((d) => perf[d].backend)],
      [
        ["first calls (kernels compiled)", ...devices.map((d) => gap(perf[d].firstCalls))],
        ["training, steps/s", ...devices.map((d) => fixed(perf[d].trainStepsPerSecond))],
        ["2,000 points at 50 steps", ...devices.map((d) => gap(perf[d].sample2000At50))],
        ["10,000 points at 50 steps", ...devices.map((d) => gap(perf[d].sample10000At50))],
        ["distillation, steps/s", ...devices.map((d) => fixed(perf[d].distillStepsPerSecond))],
        ["10,000 points, 1-step student", ...devices.map((d) => gap(perf[d].sample10000Student1))],
        ["10,000 points, teacher at 64 steps", ...devices.map((d) => gap(perf[d].sample10000TeacherAt64))],
      ],
    );
    lines.push("(seconds, and in brackets the longest gap between two frames meanwhile)", "");
  }
  if (images?.rows?.length) {
    const columns = [...new Set(images.rows.map((r) => `${r.device === "cpu" ? "CPU" : "WebGPU"}, ${r.thread ?? "main"}`))];
    const models = [["student", 4], ["student", 2], ["student", 1], ["teacher", 20]];
    const rows = [];
    for (const n of [16, 64]) {
      for (const [model, steps] of models) {
        rows.push([
          `${n} images, ${model}, ${steps} ${steps === 1 ? "step" : "steps"}`,
          ...columns.map((c) => {
            const r = images.rows.find((r) => `${r.device === "cpu" ? "CPU" : "WebGPU"}, ${r.thread ?? "main"}` === c && r.n === n && r.model === model && r.steps === steps);
            return r ? `${fixed(r.ms / 1000, 2)} s (${r.longestGapMs} ms)` : "-";
          }),
        ]);
      }
    }
    table(["images from words (main thread or worker)", ...columns], rows);
  }
  if (frames?.training) {
    table(
      ["main thread while the playground computes on the CPU", "longest frame gap", "99th percentile", "tasks over 50 ms (longest)"],
      ["training", "sampling"].filter((k) => frames[k]).map((k) => [
        k === "training" ? "training 15 s" : "sampling 2,000 points, 50 steps",
        `${frames[k].longestGapMs} ms`,
        `${frames[k].p99GapMs} ms`,
        `${frames[k].longTasks} (${frames[k].longestTaskMs} ms)`,
      ]),
    );
  }
}
// The CPU path in each wasm build, each in a worker as the page runs it.
const cpu = json("cpu-builds.json");
if (cpu) {
  const builds = ["scalar", "simd", "threads1", "threads"].filter((b) => cpu[b]);
  const base = cpu.simd;
  const rate = (b, key) => `${fixed(cpu[b][key])}${b === "simd" || !base ? "" : ` (${fixed(cpu[b][key] / base[key], 2)}x)`}`;
  const time = (b, key) => `${fixed(cpu[b][key], 2)} s${b === "simd" || !base ? "" : ` (${fixed(base[key] / cpu[b][key], 2)}x)`}`;
  lines.push("**The page's CPU path in each build** (headless Chromium, in a worker; ratios: speed against the SIMD build)", "");
  table(
    ["playground (batch 512, width 128) and a grid", ...builds.map((b) => cpu[b].backend.replace(/^CPU: /, ""))],
    [
      ["training, steps/s", ...builds.map((b) => rate(b, "trainStepsPerSecond"))],
      ["2,000 points at 50 DDIM steps", ...builds.map((b) => time(b, "sample2000At50"))],
      ["10,000 points at 50 DDIM steps", ...builds.map((b) => time(b, "sample10000At50"))],
      ["distillation, steps/s", ...builds.map((b) => rate(b, "distillStepsPerSecond"))],
      ["first grid, 16 images (4-step student)", ...builds.map((b) => time(b, "grid16"))],
      ["next grid", ...builds.map((b) => time(b, "grid16Again"))],
    ],
  );
}
console.log(lines.join("\n"));
