// Share and keep: the link that reproduces the setup, and the trained weights saved as a
// `.dlab` file (the command line's format) and loaded again.

import { $, message } from "./ui.js";

export class SharePanel {
  constructor(page) {
    this.page = page;
    this.bind();
  }

  async exportWeights() {
    const { page } = this;
    try {
      const bytes = await page.pg.exportWeights();
      const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `diffusion-lab-${page.state.data}-${page.pg.stepsDone()}steps.dlab`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      page.say("share-stats", `Saved ${bytes.length.toLocaleString()} bytes (${page.pg.stepsDone()} steps).`);
    } catch (error) {
      page.say("share-stats", message(error), true);
    }
  }

  async importWeights(file) {
    const { page } = this;
    page.stopAll();
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      page.pg.importWeights(bytes);
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
    $("import").addEventListener("change", (e) => {
      const file = e.target.files?.[0];
      if (file) this.importWeights(file);
      e.target.value = "";
    });
  }
}
