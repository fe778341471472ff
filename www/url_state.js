// The page's whole setup in the address bar's hash, so a link reproduces it. Values that do not
// parse fall back to the defaults (a hand-edited link never breaks the page).

export const DEFAULTS = {
  device: "auto", // "webgpu", "cpu", or "auto": WebGPU unless its adapter is a software one
  data: "moons", // a dataset name, "word", "drawing" or "words" (the named set below)
  n: 2000,
  dseed: 0,
  word: "",
  strokes: "",
  schedule: "cosine",
  T: 1000,
  lr: 0.003,
  batch: 512,
  width: 128,
  sampler: "ddim",
  steps: 50,
  eta: 0,
  seed: 1,
  bsampler: "euler",
  bsteps: 10,
  set: "d:moons,d:rings,d:8gaussians", // shapes named by words (see words_panel.js)
  wdim: 4, // numbers in each word's vector
  drop: 0.15, // word dropout in training
  gword: "", // the word to draw
  w: 3, // guidance scale
  dfrom: 64, // the teacher's steps in a distillation
  dto: 1, // the last student's steps
  dround: 200, // optimiser steps per round
  dlr: 0.001, // the distillation's learning rate
  iword: "sneaker", // images: the word
  imodel: "student", // "student" or "teacher"
  isteps: 4, // the student's steps (1, 2, 4) or the teacher's
  isampler: "dpmpp2m", // the teacher's sampler
  iw: 3, // guidance scale
  iseed: 0, // seed of the noise
  in: 16, // images in the grid
};

/** The state in `hash` (e.g. location.hash), over the defaults. */
export function readState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = { ...DEFAULTS };
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    const raw = params.get(key);
    if (raw === null) continue;
    if (typeof fallback === "number") {
      const v = Number(raw);
      if (Number.isFinite(v)) state[key] = v;
    } else {
      state[key] = raw;
    }
  }
  return state;
}

/** The hash for `state`, leaving out what equals the defaults. */
export function writeState(state) {
  const params = new URLSearchParams();
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    if (state[key] !== fallback && state[key] !== undefined) params.set(key, String(state[key]));
  }
  const text = params.toString();
  return text ? `#${text}` : "";
}

/** Puts `state` in the address bar (without adding history entries). */
export function saveState(state) {
  history.replaceState(null, "", writeState(state) || location.pathname);
}
