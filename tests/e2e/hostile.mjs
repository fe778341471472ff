// The hostile-input sweep's table and runner, run inside the page (its source is sent to the
// page as is: it uses nothing from this file's scope). Every exported function and method is
// called with each argument replaced in turn by every bad value of that argument's kind, and
// with no arguments at all; each call must succeed or throw (or reject with) an `Error` with a
// message, and never trap the WebAssembly instance (`RuntimeError`). After each function, the
// object is checked to still work. Returns `{counts, outcomes, failures, trapped, seconds}`.

export async function sweep() {
  const lab = await window.diffusionLabReady;
  const { Playground, ImageStudio, PointCanvas } = lab;
  const huge = "x".repeat(1_000_000);
  /** A call that takes longer than this is reported (no bad value should start a long job). */
  const CALL_LIMIT_MS = 30_000;

  // Bad values by the kind of argument they replace.
  const NUMBER = [NaN, Infinity, -Infinity, -1, -0, 0, 0.5, 2.5, 1e9, 1e300, 2 ** 53, -(2 ** 53), "7", "", null, undefined, {}, [], [3], true, 10n, Symbol("s")];
  const STRING = ["", "nope", "\u0000\u0007\u001b[31m", "moons\n", " moons", "MOONS", "\ud800", "ｍｏｏｎｓ", huge, 42, null, undefined, {}, ["moons"], true, Symbol("s")];
  const FLOATS = [
    new Float32Array(0), new Float32Array(1), new Float32Array(3), new Float32Array(783), new Float32Array([NaN, 0]),
    new Float32Array([Infinity, 1]), new Float32Array(4).fill(-1e38), new Float64Array(4), new Uint8Array(4), new Int32Array(2),
    [1, 2], [1, "a"], "1,2", null, undefined, 42, {}, new Float32Array(10_000_002),
  ];
  const BYTES = [
    new Uint8Array(0), new Uint8Array([1, 2, 3]), new TextEncoder().encode("DLAB\u0003\u0000\u0000\u0000garbage"),
    new TextEncoder().encode("DLAB\u0063\u0000\u0000\u0000"), new Uint8Array(1_000_000).fill(255), new Float32Array(4), new ArrayBuffer(8),
    "DLAB", [68, 76, 65, 66], null, undefined, {}, 42,
  ];
  const INTS = [new Uint32Array(0), new Uint32Array([0, 0]), new Uint32Array([99, 1]), new Int32Array([-1, 1]), [1, -1], "1", null, undefined, 42, new Float32Array([1.5, 1])];
  const WORDS = [[], [""], ["a", "a"], ["a\u0000"], [huge], [42], [null], "moons", null, undefined, {}, 42, Array(1000).fill("w").map((w, i) => w + i)];
  const SIGNAL = [42, "stop", {}, { aborted: true }, [], true, AbortSignal.abort(), new EventTarget()];
  const CANVAS = [null, undefined, 42, "canvas", {}, document.createElement("div"), document.createElement("img")];
  const hostileOptions = (valid) => [
    undefined, null, 42, "sneaker", [], {}, true, Symbol("s"),
    ...Object.keys(valid).flatMap((key) => NUMBER.concat(STRING.slice(0, 9), [{}, [], null]).map((v) => ({ ...valid, [key]: v }))),
    { ...valid, extra: 1, signal: "stop", onProgress: 3, device: "tpu", base: "\u0000", model: "giant" },
    Object.defineProperty({ ...valid }, "word", { get() { throw new Error("a getter that throws"); }, enumerable: true }),
    new Proxy({ ...valid }, { get() { throw new Error("a proxy that throws"); } }),
  ];
  const OPTIONS_OF = (valid) => ({ kind: "options", values: hostileOptions(valid) });
  const K = { N: { values: NUMBER }, S: { values: STRING }, F: { values: FLOATS }, B: { values: BYTES }, I: { values: INTS }, W: { values: WORDS }, G: { values: SIGNAL }, C: { values: CANVAS } };

  const pg = Playground.createOnCpu();
  const baseline = async () => {
    pg.setDataset("moons", 400, 0);
    pg.setSchedule("cosine", 1000);
    pg.setTraining(3e-3, 64, 32);
    await pg.train(2);
  };
  await baseline();
  const studio = await ImageStudio.open({ device: "cpu" });
  const image = new Float32Array(784).fill(0.5);
  const latent = new Float32Array(256);
  const model = await pg.exportWeights();
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;

  // Options accepted as valid (missing fields take the defaults: a distillation from 64 steps
  // in rounds of 200) stop after 2 s: the sweep is about what is refused, not long runs.
  const withDeadline = (o) => {
    try {
      if (o && typeof o === "object" && !Array.isArray(o) && !("signal" in o)) return { ...o, signal: AbortSignal.timeout(2000) };
    } catch {
      // A proxy or a getter that throws: passed as it is.
    }
    return o;
  };

  // [name, call(args), valid args, kinds, check that the object still works]
  const playgroundWorks = async () => {
    await baseline();
    const s = await pg.sample(10, "ddim", 2, 0);
    if (s.length !== 20) throw new Error("the playground samples no more");
  };
  const studioWorks = async () => {
    const g = await studio.generate({ word: "sneaker", n: 1, seed: 0 });
    if (g.length !== 784) throw new Error("the studio draws no more");
  };
  const wordsSetup = async () => {
    pg.setDatasets(["moons", "rings"], 400, 0);
    pg.setTraining(3e-3, 64, 32);
    await pg.train(2);
  };
  const distillSetup = async () => {
    await baseline();
    pg.startDistillation(4, 2, 2, 1e-3);
  };
  const fns = [
    ["alphaBarCurve", (a) => lab.alphaBarCurve(...a), ["cosine", 1000, 50], "SNN"],
    ["datasetPoints", (a) => lab.datasetPoints(...a), ["moons", 100, 0], "SNN"],
    ["Playground.setDataset", (a) => pg.setDataset(...a), ["moons", 400, 0], "SNN"],
    ["Playground.setPoints", (a) => pg.setPoints(...a), [new Float32Array([0, 0, 1, 1, 2, 0])], "F"],
    ["Playground.noised", (a) => pg.noised(...a), [0.5, 0], "NN"],
    ["Playground.setSchedule", (a) => pg.setSchedule(...a), ["cosine", 1000], "SN"],
    ["Playground.setTraining", (a) => pg.setTraining(...a), [3e-3, 64, 32], "NNN"],
    ["Playground.train", (a) => pg.train(...a), [1, undefined], "NG"],
    ["Playground.sample", (a) => pg.sample(...a), [10, "ddim", 2, 0, 0, undefined], "NSNNNG"],
    ["Playground.trajectory", (a) => pg.trajectory(...a), [10, "heun", 2, 0, 0, undefined], "NSNNNG"],
    ["Playground.quality", (a) => pg.quality(...a), [new Float32Array(200)], "F"],
    ["Playground.importWeights", (a) => pg.importWeights(...a), [model], "B"],
    ["Playground.exportStudent", (a) => pg.exportStudent(...a), [2], "N", distillSetup],
    ["Playground.startDistillation", (a) => pg.startDistillation(...a), [4, 2, 2, 1e-3], "NNNN"],
    ["Playground.distillSteps", (a) => pg.distillSteps(...a), [1, undefined], "NG", distillSetup],
    ["Playground.distill", (a) => pg.distill(withDeadline(a[0]), ...a.slice(1)), [{ fromSteps: 2, toSteps: 1, stepsPerRound: 2, learningRate: 1e-3 }], [OPTIONS_OF({ fromSteps: 2, toSteps: 1, stepsPerRound: 2, learningRate: 1e-3 })]],
    ["Playground.setDatasets", (a) => pg.setDatasets(...a), [["moons", "rings"], 400, 0], "WNN"],
    ["Playground.setLabeledPoints", (a) => pg.setLabeledPoints(...a), [new Float32Array([0, 0, 1, 1, 2, 0, 3, 3]), new Uint32Array([1, 1, 2, 2]), ["a", "b"]], "FIW"],
    ["Playground.setConditioning", (a) => pg.setConditioning(...a), [16, 0.1], "NN"],
    ["Playground.sampleWord", (a) => pg.sampleWord(...a), ["moons", 10, "ddim", 2, 3, 0, 0, undefined], "SNSNNNNG", wordsSetup],
    ["Playground.trajectoryWord", (a) => pg.trajectoryWord(...a), ["rings", 10, "ddim", 2, 3, 0, 0, undefined], "SNSNNNNG", wordsSetup],
    ["Playground.wordQuality", (a) => pg.wordQuality(...a), ["moons", new Float32Array(200)], "SF", wordsSetup],
    ["ImageStudio.generate", (a) => studio.generate(...a), [{ word: "sneaker", n: 1, seed: 0 }], [OPTIONS_OF({ word: "sneaker", n: 1, seed: 0, steps: 4, guidance: 3 })]],
    ["ImageStudio.denoising", (a) => studio.denoising(...a), [{ word: "dress", n: 1 }], [OPTIONS_OF({ word: "dress", n: 1, seed: 2, steps: 2 })]],
    ["ImageStudio.denoisingWithLatents", (a) => studio.denoisingWithLatents(...a), [{ word: "dress", n: 1 }], [OPTIONS_OF({ word: "dress", n: 1 })]],
    ["ImageStudio.interpolate", (a) => studio.interpolate(...a), [{ word: "bag", n: 2 }], [OPTIONS_OF({ word: "bag", n: 2, seed: 1, seedTo: 2 })]],
    ["ImageStudio.variations", (a) => studio.variations(...a), [{ word: "bag", image, strength: 0.5, n: 1 }], [OPTIONS_OF({ word: "bag", image, strength: 0.5, n: 1 })]],
    ["ImageStudio.judge", (a) => studio.judge(...a), [image], "F"],
    ["ImageStudio.encode", (a) => studio.encode(...a), [image], "F"],
    ["ImageStudio.decode", (a) => studio.decode(...a), [latent], "F"],
    ["ImageStudio.load", (a) => ImageStudio.load(...a), [{}], [OPTIONS_OF({ decoder: new Uint8Array(4), denoiser: new Uint8Array(4), device: "cpu" })]],
    ["ImageStudio.open", (a) => ImageStudio.open(...a), [{ device: "cpu" }], [OPTIONS_OF({ device: "cpu", base: "www/models/" })]],
    ["PointCanvas.create", (a) => PointCanvas.create(...a), [canvas], "C"],
  ];

  const counts = {};
  const outcomes = {};
  const failures = [];
  let trapped = null;
  const show = (v) => {
    try {
      if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + `…(${v.length})` : v);
      if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
      if (typeof v === "bigint" || typeof v === "symbol") return String(v);
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 60) + "…" : s;
    } catch {
      return Object.prototype.toString.call(v);
    }
  };
  const tryCall = async (name, call, args) => {
    counts[name] = (counts[name] ?? 0) + 1;
    let outcome;
    try {
      let timer;
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error("late"), { late: true })), CALL_LIMIT_MS);
      });
      try {
        await Promise.race([call(args), late]);
      } finally {
        clearTimeout(timer);
      }
      outcome = "ok";
    } catch (e) {
      if (e?.late) {
        failures.push(`${name}(${args.map(show).join(", ")}) took over ${CALL_LIMIT_MS / 1000} s`);
        return true;
      }
      if (e instanceof WebAssembly.RuntimeError) {
        trapped = `${name}(${args.map(show).join(", ")}): ${e.message}`;
        return false;
      }
      if (e instanceof Error && typeof e.message === "string" && e.message.trim() !== "") outcome = "refused";
      else failures.push(`${name}(${args.map(show).join(", ")}) threw ${show(e)}, not an Error with a message`);
      if (e?.message?.length > 2000) failures.push(`${name}(${args.map(show).join(", ")}): a message of ${e.message.length} characters`);
    }
    outcomes[name] ??= { ok: 0, refused: 0 };
    if (outcome) outcomes[name][outcome] += 1;
    return true;
  };

  const seconds = {};
  for (const [name, call, valid, kinds, setup] of fns) {
    console.log(`sweeping ${name}`);
    const started = performance.now();
    const kindList = typeof kinds === "string" ? [...kinds].map((k) => K[k]) : kinds;
    await setup?.();
    if (!(await tryCall(name, call, []))) break;
    for (let i = 0; i < kindList.length && !trapped; i++) {
      for (const bad of kindList[i].values) {
        await setup?.();
        const args = valid.slice();
        args[i] = bad;
        if (!(await tryCall(name, call, args))) break;
      }
    }
    if (trapped) break;
    // Still working afterwards?
    try {
      await (name.startsWith("ImageStudio") ? studioWorks() : playgroundWorks());
    } catch (e) {
      failures.push(`after ${name}: ${e.message}`);
    }
    seconds[name] = (performance.now() - started) / 1000;
  }
  return { counts, outcomes, failures, trapped, seconds };
}
