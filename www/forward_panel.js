// Panel 2, the forward process: the data noised to time t (a slider and a 4-second play), and
// the three noise schedules side by side as ᾱ(t) or log SNR(t).

import { $, COLORS, nextFrame } from "./ui.js";
import { LineChart } from "./charts.js";

const SCHEDULES = ["cosine", "linear", "sigmoid"];
/** Seconds to play from t = 0 to t = 1. */
const PLAY_SECONDS = 4;

export class ForwardPanel {
  constructor(page) {
    this.page = page;
    this.playing = false;
    this.chart = new LineChart($("schedule-chart"), { xLabel: "t" });
    this.bind();
  }

  applyState() {
    const s = this.page.state;
    $("schedule").value = s.schedule;
    $("timesteps").value = String(s.T);
    this.page.guard(() => this.page.pg.setSchedule(s.schedule, s.T));
    this.drawSchedules();
  }

  stop() {
    this.playing = false;
  }

  /** The data at time `t`, each point with the same noise at every t (see `noised`). */
  show(t) {
    const { page } = this;
    const x = page.guard(() => page.pg.noised(t, 0), "data-hint");
    if (!x) return;
    $("t").value = String(t);
    $("t-out").textContent = `t = ${t.toFixed(3)}`;
    page.caption(`Forward process: t = ${t.toFixed(2)}, ᾱ = ${this.alphaBar(t).toFixed(3)}`);
    page.stage.show([{ points: x, color: COLORS.noise, size: 3 }]);
    page.legend([]);
    this.drawSchedules(t);
  }

  alphaBar(t) {
    const curve = this.page.lab.alphaBarCurve(this.page.state.schedule, this.page.state.T, 1001);
    return curve[Math.round(t * 1000)];
  }

  async play() {
    if (this.playing) {
      this.playing = false;
      return;
    }
    this.page.stopAll();
    this.playing = true;
    $("play-forward").textContent = "❚❚ Pause";
    const start = performance.now();
    const from = Number($("t").value) >= 0.999 ? 0 : Number($("t").value);
    while (this.playing) {
      const t = Math.min(1, from + (performance.now() - start) / 1000 / PLAY_SECONDS);
      this.show(t);
      if (t >= 1) break;
      await nextFrame();
    }
    this.playing = false;
    $("play-forward").textContent = "▶ Play";
  }

  drawSchedules(t = Number($("t").value)) {
    const view = $("curve").value;
    const state = this.page.state;
    const xs = Array.from({ length: 201 }, (_, i) => i / 200);
    const series = SCHEDULES.map((name) => {
      const curve = this.page.lab.alphaBarCurve(name, state.T, 201);
      const ys = Array.from(curve, (a) => (view === "snr" ? Math.log(Math.max(a, 1e-12) / Math.max(1 - a, 1e-12)) : a));
      return { xs, ys, color: COLORS[name], width: name === state.schedule ? 3 : 1, label: name };
    });
    this.chart.set(series, { vline: t });
  }

  bind() {
    const { page } = this;
    $("play-forward").addEventListener("click", () => this.play());
    $("t").addEventListener("input", () => {
      page.stopAll();
      this.show(Number($("t").value));
    });
    const scheduleChanged = () => {
      const T = Number($("timesteps").value);
      const ok = page.guard(() => (page.pg.setSchedule($("schedule").value, T), true), "train-stats");
      if (!ok) return;
      Object.assign(page.state, { schedule: $("schedule").value, T });
      page.save();
      page.modelChanged();
      this.show(Number($("t").value));
    };
    $("schedule").addEventListener("change", scheduleChanged);
    $("timesteps").addEventListener("change", scheduleChanged);
    $("curve").addEventListener("change", () => this.drawSchedules());
  }

  /**
   * Frames per second of the forward animation with `n` points over `seconds` (benchmark),
   * with the milliseconds per frame spent computing `noised` and issuing the drawing (the
   * rest of a frame is the browser's: compositing, and the GPU's own work).
   */
  async fps(n, seconds = 2) {
    const { page } = this;
    page.stopAll();
    page.pg.setDataset("moons", n, 0);
    let frames = 0;
    let [noisedMs, drawMs] = [0, 0];
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      const t = ((performance.now() - start) / (seconds * 1000)) % 1;
      const t0 = performance.now();
      const points = page.pg.noised(t, 0);
      const t1 = performance.now();
      page.stage.show([{ points, color: COLORS.noise, size: 2 }]);
      const t2 = performance.now();
      [noisedMs, drawMs] = [noisedMs + t1 - t0, drawMs + t2 - t1];
      frames++;
      await nextFrame();
    }
    const fps = frames / ((performance.now() - start) / 1000);
    page.data.load();
    return { fps, noisedMsPerFrame: noisedMs / frames, drawCallsMsPerFrame: drawMs / frames };
  }
}
