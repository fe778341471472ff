// Share and keep: the link that reproduces the setup, and the trained weights saved as a
// `.dlab` file (the command line's format) and loaded again; so is a distilled student (the
// one of the fewest steps), which loads next to the model.

import { $, message } from "./ui.js";

export class SharePanel {
  constructor(page) {
    this.page = page;
    this.bind();
  }

  /** Offers `bytes` as a download named `name`. */
  static download(bytes, name) {
    const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async exportWeights() {
    const { page } = this;
    try {
      const bytes = await page.pg.exportWeights();
      SharePanel.download(bytes, `diffusion-lab-${page.state.data}-${page.pg.stepsDone()}steps.dlab`);
      page.say("share-stats", `Saved ${bytes.length.toLocaleString()} bytes (${page.pg.stepsDone()} steps).`);
    } catch (error) {
      page.say("share-stats", message(error), true);
    }
  }

  /** The students changed: the button saves the one of the fewest steps, if any. */
  studentsChanged() {
    const steps = this.page.pg.studentSteps().at(-1);
    const button = $("export-student");
    button.disabled = steps === undefined;
    button.textContent = steps === undefined ? "Save the student" : `Save the ${steps}-step student`;
  }

  async exportStudent() {
    const { page } = this;
    const steps = page.pg.studentSteps().at(-1);
    try {
      const bytes = await page.pg.exportStudent(steps);
      SharePanel.download(bytes, `diffusion-lab-${page.state.data}-student-${steps}step.dlab`);
      page.say("share-stats", `Saved the ${steps}-step student: ${bytes.length.toLocaleString()} bytes.`);
    } catch (error) {
      page.say("share-stats", message(error), true);
    }
  }

  /** A student's file was loaded: sample it. */
  async studentLoaded(name) {
    const { page } = this;
    const steps = page.pg.studentSteps().at(-1);
    page.distill.forget();
    this.studentsChanged();
    page.say("share-stats", `Loaded ${name}: a student that samples in ${steps} step${steps > 1 ? "s" : ""}.`);
    page.say("distill-stats", `A ${steps}-step student loaded from ${name}: sample it with the sampler “student” (4).`);
    Object.assign(page.state, { sampler: "student", steps });
    page.sampling.applyState();
    page.save();
    await page.sampling.sample();
  }

  async importWeights(file) {
    const { page } = this;
    page.stopAll();
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (page.pg.importWeights(bytes) === "student") {
        await this.studentLoaded(file.name);
        return;
      }
      const st = page.pg.settings();
      Object.assign(page.state, {
        schedule: st.schedule,
        T: st.timesteps,
        lr: st.learningRate,
        batch: st.batchSize,
        width: st.width,
      });
      for (const [id, v] of [["schedule", st.schedule], ["timesteps", st.timesteps], ["lr", st.learningRate], ["batch", st.batchSize], ["width", st.width]]) $(id).value = String(v);
      page.save();
      page.forward.drawSchedules();
      page.modelChanged();
      page.say("share-stats", `Loaded ${file.name}: ${page.pg.stepsDone()} steps of training.`);
      page.say("train-stats", `A loaded model, trained for ${page.pg.stepsDone()} steps: press Train to go on.`);
      await page.sampling.sample();
      await page.words.drawVectors();
    } catch (error) {
      page.say("share-stats", `Could not load ${file.name}: ${message(error)}`, true);
    }
  }

  bind() {
    const { page } = this;
    $("copy-link").addEventListener("click", async () => {
      page.save();
      try {
        await navigator.clipboard.writeText(location.href);
        page.say("share-stats", "Link copied.");
      } catch {
        page.say("share-stats", `Copy this link: ${location.href}`);
      }
    });
    $("export").addEventListener("click", () => this.exportWeights());
    $("export-student").addEventListener("click", () => this.exportStudent());
    $("import").addEventListener("change", (e) => {
      const file = e.target.files?.[0];
      if (file) this.importWeights(file);
      e.target.value = "";
    });
  }
}
