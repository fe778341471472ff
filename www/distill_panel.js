// Panel 6, distillation: the trained model teaches students that sample in fewer steps, round
// after round (progressive distillation, Salimans & Ho 2022), with a progress bar, pause and
// resume. A chart shows the quality against the number of sampling steps: the teacher with
// DDIM and with DPM-Solver++, measured when the distillation starts, and each round's student
// as the round ends. The paths of the teacher and of the newest student from the same noise
// are drawn side by side.

import { $, COLORS, PREVIEW_SAMPLES, afterFrame, message, qualityText } from "./ui.js";
import { LineChart } from "./charts.js";
import { Stage } from "./stage.js";
import { trajectoryFrame } from "./trails.js";

/** Milliseconds of distillation work to aim for in one call (as training). */
const BUDGET_MS = 30;
/** Seed of the noise every measurement and every drawing of paths starts from. */
const SEED = 12345;
/** Points whose paths are drawn. */
const PATH_POINTS = 300;

export class DistillPanel {
  constructor(page) {
    this.page = page;
    this.running = false;
    this.chart = new LineChart($("distill-chart"), {
      logX: true,
      logY: true,
      xLabel: "steps",
      empty: "SWD against the sampling steps appears when distillation starts",
    });
    this.teacherStage = null;
    this.studentStage = null;
    this.forget();
    this.bind();
  }

  applyState() {
    const s = this.page.state;
    $("distill-from").value = String(s.dfrom);
    $("distill-to").value = String(s.dto);
    $("distill-round").value = String(s.dround);
    $("distill-lr").value = String(s.dlr);
  }

  stop() {
    this.running = false;
  }

  /** The model was forgotten (or replaced): its students and their measures go with it. */
  forget() {
    this.running = false;
    /** Counts forgettings: a loop started before one stops at its next turn. */
    this.generation = (this.generation ?? 0) + 1;
    /** The settings the distillation in progress started with, as a string, or null. */
    this.started = null;
    this.log = { teacher: { ddim: [], dpmpp2m: [] }, students: [], floor: NaN };
    this.drawChart();
    $("distill-progress").value = 0;
    $("distill").textContent = "▶ Distil";
    this.page.say("distill-stats", "Distil a trained model (3): its students sample in fewer steps.");
  }

  /** The settings chosen in the panel. */
  settings() {
    const s = this.page.state;
    return { fromSteps: s.dfrom, toSteps: s.dto, stepsPerRound: s.dround, learningRate: s.dlr };
  }

  async toggle() {
    if (this.running) {
      this.running = false;
      return;
    }
    const { page } = this;
    const settings = this.settings();
    const progress = page.pg.distillProgress();
    const resume = progress && !progress.done && this.started === JSON.stringify(settings);
    page.stopAll();
    this.running = true;
    $("distill").textContent = "❚❚ Pause";
    const generation = this.generation;
    try {
      if (!resume) await this.begin(settings, generation);
      await this.run(generation);
    } catch (error) {
      if (generation === this.generation) page.say("distill-stats", `Distillation stopped: ${message(error)}`, true);
    }
    if (generation !== this.generation) return;
    this.running = false;
    const now = page.pg.distillProgress();
    $("distill").textContent = now && !now.done ? "▶ Resume" : "▶ Distil";
  }

  /**
   * Starts a distillation and measures the teacher at every power of two up to its steps
   * (unless the model is forgotten meanwhile: `generation` is the panel's at the start).
   */
  async begin(settings, generation) {
    const { page } = this;
    const { fromSteps, toSteps, stepsPerRound, learningRate } = settings;
    await page.pg.startDistillation(fromSteps, toSteps, stepsPerRound, learningRate);
    this.started = JSON.stringify(settings);
    this.log = { teacher: { ddim: [], dpmpp2m: [] }, students: [], floor: NaN };
    this.drawChart();
    for (let steps = 1; steps <= fromSteps; steps *= 2) {
      for (const sampler of ["ddim", "dpmpp2m"]) {
        page.say("distill-stats", `Measuring the teacher: ${sampler === "ddim" ? "DDIM" : "DPM-Solver++"}, ${steps} steps…`);
        const q = await this.measure(sampler, steps);
        if (generation !== this.generation) return;
        this.log.teacher[sampler].push({ steps, swd: q.swd });
        this.log.floor = q.floorSwd;
        this.drawChart();
      }
    }
    if (generation === this.generation) await this.drawPaths(null);
  }

  /** SWD of 2,000 samples of `sampler` in `steps` steps, against the floor. */
  async measure(sampler, steps) {
    const samples = await this.page.pg.sample(PREVIEW_SAMPLES, sampler, steps, SEED);
    const q = await this.page.pg.quality(samples);
    await afterFrame();
    return { ...q, samples };
  }

  /** Takes distillation steps until every round is done, the person pauses, or the model goes. */
  async run(generation) {
    const { page } = this;
    const device = page.pg.backend() === "webgpu" ? "WebGPU" : "the CPU";
    let perCall = 2;
    const rate = { steps: 0, ms: 0 };
    while (this.running) {
      const t0 = performance.now();
      const loss = await page.pg.distillSteps(perCall);
      if (generation !== this.generation) return;
      const ms = performance.now() - t0;
      rate.steps = 0.9 * rate.steps + perCall;
      rate.ms = 0.9 * rate.ms + ms;
      perCall = Math.max(1, Math.min(64, 2 * perCall, Math.floor(BUDGET_MS / (ms / perCall))));
      const p = page.pg.distillProgress();
      const total = p.rounds * p.stepsPerRound;
      $("distill-progress").value = ((p.round - 1) * p.stepsPerRound + p.steps) / total;
      const from = p.fromSteps >> (p.round - 1);
      const lossText = loss === undefined ? "" : ` · loss ${loss.toFixed(4)}`;
      page.say("distill-stats", `Round ${p.round} of ${p.rounds}: ${from} → ${from / 2} steps · step ${p.steps} of ${p.stepsPerRound}${lossText} · ${((1000 * rate.steps) / rate.ms).toFixed(1)} steps/s on ${device}`);
      const ready = page.pg.studentSteps();
      if (ready.length > this.log.students.length) await this.studentDone(ready.at(-1), ready.length, p.rounds, generation);
      if (p.done) break;
      await afterFrame();
    }
  }

  /** Measures the student of `round` (`steps` steps), puts it on the chart, the stage and the paths. */
  async studentDone(steps, round, rounds, generation) {
    const { page } = this;
    const q = await this.measure("student", steps);
    if (generation !== this.generation) return;
    this.log.students.push({ steps, swd: q.swd });
    this.drawChart();
    page.showSamples(q.samples, `The student of round ${round} of ${rounds}: ${steps} step${steps > 1 ? "s" : ""}, seed ${SEED}`, q);
    await this.drawPaths(steps);
    const teacher = this.log.teacher.ddim.find((m) => m.steps === steps);
    const versus = teacher ? ` (the teacher with DDIM in ${steps}: SWD ${teacher.swd.toFixed(4)})` : "";
    page.say("distill-stats", `Round ${round} of ${rounds} done: the ${steps}-step student, ${qualityText(q)}${versus}.`);
    page.share.studentsChanged();
  }

  /** The paths of the teacher (DDIM, all its steps) and of the `steps`-step student, from the same noise. */
  async drawPaths(steps) {
    const { page } = this;
    this.teacherStage ??= await Stage.create($("paths-teacher"), page.lab);
    this.studentStage ??= await Stage.create($("paths-student"), page.lab);
    const from = page.pg.distillProgress()?.fromSteps ?? this.page.state.dfrom;
    const draw = async (stage, cap, sampler, n) => {
      const frames = await page.pg.trajectory(PATH_POINTS, sampler, n, SEED);
      const { now, segments } = trajectoryFrame(frames, PATH_POINTS, n, true);
      stage.show([
        { points: page.pg.points(), color: COLORS.dataFaint, size: 2 },
        { segments, color: COLORS.path },
        { points: frames.subarray(0, 2 * PATH_POINTS), color: COLORS.noise, size: 2 },
        { points: now, color: COLORS.samples, size: 3 },
      ]);
      $(cap).textContent = sampler === "student" ? `Student: ${n} step${n > 1 ? "s" : ""}` : `Teacher: DDIM, ${n} steps`;
    };
    await draw(this.teacherStage, "paths-teacher-cap", "ddim", from);
    if (steps !== null) await draw(this.studentStage, "paths-student-cap", "student", steps);
  }

  drawChart() {
    const { teacher, students, floor } = this.log;
    const line = (ms, color, label, extra = {}) => ({ xs: ms.map((m) => m.steps), ys: ms.map((m) => m.swd), color, width: 2, label, ...extra });
    const hlines = Number.isFinite(floor) ? [{ y: floor, color: "#2b8a3e", label: "floor" }] : [];
    this.chart.set(
      [
        line(teacher.ddim, "#3b5bdb", "teacher DDIM"),
        line(teacher.dpmpp2m, "#ae3ec9", "teacher DPM++", { dash: [5, 3] }),
        line(students, COLORS.samples, "student", { dots: true }),
      ],
      { hlines },
    );
  }

  bind() {
    const { page } = this;
    const changed = () => {
      const [dfrom, dto, dround, dlr] = ["distill-from", "distill-to", "distill-round", "distill-lr"].map((id) => Number($(id).value));
      Object.assign(page.state, { dfrom, dto, dround, dlr });
      page.save();
      const p = page.pg.distillProgress();
      if (p && !p.done && !this.running) $("distill").textContent = "▶ Distil";
    };
    for (const id of ["distill-from", "distill-to", "distill-round", "distill-lr"]) $(id).addEventListener("change", changed);
    $("distill").addEventListener("click", () => this.toggle());
  }
}
