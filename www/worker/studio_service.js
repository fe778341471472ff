// The image studios of the compute worker: `ImageStudio`s of the crate's module opened and
// called here for the page (see `client.js`'s `RemoteStudio`, their handle there). Each answer
// carries what the page reads of the studio synchronously: words, backend, student steps, the
// teacher.
//
// Methods: `studio.open({options})` → `{handle, info}`; `studio.call({handle, method,
// options})` → `{result, info}` (`judge` takes `options.images`); `studio.free({handle})`.

import { Handles } from "./handles.js";

/** The methods of an ImageStudio that take an options object and may be cancelled. */
const OPTION_METHODS = new Set(["generate", "denoising", "denoisingWithLatents", "interpolate", "variations"]);

const info = (studio) => ({
  words: studio.words(),
  backend: studio.backend(),
  backendDescription: studio.backendDescription(),
  studentSteps: Array.from(studio.studentSteps()),
  hasTeacher: studio.hasTeacher(),
});

/** The handlers of `serve` for image studios, with `lab` the promise of the module's exports. */
export function studioHandlers(lab) {
  const studios = new Handles("image studio");
  /** Where each studio's download progress goes: the request that runs it now. */
  const reporters = new Map();
  return {
    async "studio.open"({ options }, { progress }) {
      const { ImageStudio } = await lab;
      const handle = studios.reserve();
      reporters.set(handle, progress);
      const onProgress = (value) => reporters.get(handle)?.(value);
      try {
        const opened = await ImageStudio.open({ ...options, onProgress });
        studios.set(handle, opened);
        return { handle, info: info(opened) };
      } catch (error) {
        reporters.delete(handle);
        throw error;
      }
    },

    async "studio.call"({ handle, method, options }, { signal, progress }) {
      const s = studios.get(handle);
      reporters.set(handle, progress);
      let result;
      if (OPTION_METHODS.has(method)) result = await s[method]({ ...options, signal });
      else if (method === "judge") result = await s.judge(options.images);
      else throw new Error(`an image studio has no method ${JSON.stringify(method)} to call here`);
      return { result, info: info(s) };
    },

    /** Resolves with the reason once the studio's WebGPU device is lost. */
    "studio.lost"({ handle }) {
      return studios.get(handle).lost();
    },

    "studio.free"({ handle }) {
      studios.free(handle);
      reporters.delete(handle);
    },
  };
}
