// Shared pieces of the end-to-end tests: a static server for trunk's dist/ folder, and
// Debian's Chromium launched with WebGPU on SwiftShader (the flags of shared/notes/toolchain.md).

import { createServer } from "node:http";
import { readFile, readdir, mkdir, mkdtemp, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const root = resolve(here, "..", "..");
/** Where screenshots go (under target/, which git ignores). */
export const shots = join(root, "target", "e2e");

/** The headers that make a page cross-origin isolated (`crossOriginIsolated`). */
export const isolation = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/**
 * Serves `dir` (by default `$DIST`, else trunk's dist/) on a free port of 127.0.0.1 (a secure
 * context, as WebGPU requires), as the README asks a host to: each file with a validator (an
 * ETag) and `Cache-Control: no-cache`, so a browser keeps it and asks again only whether it
 * changed (304 Not Modified when not), and cross-origin isolated (COOP and COEP; not with
 * `isolated: false`), so the threaded CPU module can share its memory. `served` lists every
 * answer, `{path, status}`.
 */
export async function serve(dir = process.env.DIST ?? join(root, "dist"), { isolated = true } = {}) {
  dir = resolve(dir);
  const served = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(dir, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    const answer = (status, headers, body) => {
      served.push({ path, status });
      res.writeHead(status, headers).end(body);
    };
    try {
      const { size, mtimeMs } = await stat(file);
      const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
      const cache = { etag, "cache-control": "no-cache", ...(isolated ? isolation : {}) };
      if (req.headers["if-none-match"] === etag) return answer(304, cache);
      const body = await readFile(file);
      answer(200, { ...cache, "content-type": types[extname(file)] ?? "application/octet-stream" }, body);
    } catch {
      answer(404, {}, "not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, served, close: () => server.close() };
}

/**
 * Debian's Chromium, headless, with WebGPU on SwiftShader, Vulkan (SwiftShader) compositing so
 * WebGPU canvases can be shown, and no background networking. With `webgpu: false`, without
 * the flags that give headless Chromium its WebGPU adapter (as a browser without WebGPU).
 *
 * With `compositing: false`, Chromium runs with webdriver.json's flags alone (as the browser
 * tests do): it cannot composite WebGPU canvases, and presenting one loses every WebGPU device
 * of the page ("A valid external Instance reference no longer exists"), as on machines whose
 * Chrome has no GPU compositing.
 */
export async function launch({ compositing = true, webgpu = true } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "diffusion-lab-chromium-"));
  await mkdir(shots, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--no-sandbox",
      ...(webgpu ? ["--enable-unsafe-webgpu", "--enable-unsafe-swiftshader", "--use-webgpu-adapter=swiftshader"] : []),
      "--use-angle=swiftshader",
      // Without Vulkan compositing, presenting a WebGPU canvas loses the device in headless
      // Chromium ("A valid external Instance reference no longer exists").
      ...(compositing && webgpu ? ["--enable-features=Vulkan", "--use-vulkan=swiftshader"] : []),
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Collects the page's console errors and uncaught exceptions, to fail on them. */
export function watchErrors(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  return errors;
}

/**
 * Serves `dist` (trunk's dist/ by default), opens Chromium (see `launch` for `compositing` and
 * `webgpu`) on a fresh page (with `viewport` when given) and runs `fn(page, {url, errors,
 * served})` (`served`: the server's answers, see `serve`); closes both whatever happens.
 */
export async function withPage(fn, { viewport, compositing, webgpu, dist, isolated } = {}) {
  const server = await serve(dist, { isolated });
  const browser = await launch({ compositing, webgpu });
  try {
    const page = await browser.newPage();
    if (viewport) await page.setViewportSize(viewport);
    const errors = watchErrors(page);
    return await fn(page, { url: server.url, errors, served: server.served });
  } finally {
    await browser.close();
    server.close();
  }
}

/** Draws an L on the stage with the mouse, as a person would (drawing mode must be on). */
export async function drawL(page) {
  const box = await page.locator("#stage").boundingBox();
  const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(0.3, 0.2));
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(...at(0.3, 0.2 + 0.03 * i));
  for (let i = 1; i <= 20; i++) await page.mouse.move(...at(0.3 + 0.02 * i, 0.8));
  await page.mouse.up();
}

/** Evaluates `expr` in the page with `ui`, the playground page once it is drawn. */
export const pageState = (page, expr) => page.evaluate(`window.diffusionLabPage.then((ui) => ${expr})`);

/**
 * Waits until the page says it started again on a new WebGPU device after losing one, and has
 * stopped recovering (Chromium sometimes refuses a new device at first: the page asks again).
 */
export const startedAgain = (page, timeout) =>
  page.waitForFunction(
    () => {
      const hint = document.getElementById("device-hint");
      return /started again on a new device/.test(hint.textContent) && !hint.dataset.recovering;
    },
    null,
    { timeout },
  );

/**
 * Opens an empty page of the server at `url` (cross-origin isolated, as the server's pages
 * are): a page that loads nothing but what the test then loads into it.
 */
export async function openBlank(page, url) {
  await page.route(url + "blank", (route) =>
    route.fulfill({ contentType: "text/html", headers: isolation, body: "<!doctype html><title>blank</title><link rel=icon href=data:,>" }),
  );
  await page.goto(url + "blank");
}

/** The module's bindings and binary in a trunk dist folder, as paths of its server. */
export async function moduleFiles(dist) {
  const wasm = (await readdir(dist)).find((f) => f.endsWith("_bg.wasm"));
  if (!wasm) throw new Error(`no wasm module in ${dist}`);
  return { glue: "/" + wasm.replace(/_bg\.wasm$/, ".js"), wasm: "/" + wasm };
}

/** A module worker: instantiates a module, runs a function's source on it, posts the answer. */
const MODULE_WORKER = `
self.onmessage = async ({ data: { glue, wasm, threads, pool, work, arg } }) => {
  try {
    const lab = await import(glue);
    await lab.default({ module_or_path: wasm });
    if (threads) await (await import(pool)).startThreadPool(lab, glue, threads === true ? navigator.hardwareConcurrency || 2 : threads);
    postMessage({ result: await eval("(" + work + ")")(lab, arg) });
  } catch (error) {
    postMessage({ error: String(error?.stack ?? error) });
  }
};`;

/**
 * `work(lab, arg)` on the module `glue`/`wasm` (paths of the page's origin) instantiated by
 * hand, as the compute worker does: on the page's thread, or with `inWorker` in a module
 * worker of its own, and with `threads` (the threaded module) after starting its pool as the
 * page does (`www/worker/pool.js`; the page must be cross-origin isolated): of one thread per
 * core for `true`, or of that many threads for a number. `work` travels as source text, so
 * it may use only its arguments; `arg` must survive structured cloning.
 */
export function runModule(page, { glue, wasm, threads = false, inWorker = threads }, work, arg) {
  return page.evaluate(
    async ({ glue, wasm, threads, inWorker, work, arg, worker }) => {
      if (!inWorker) {
        const lab = await import(glue);
        await lab.default({ module_or_path: wasm });
        return eval("(" + work + ")")(lab, arg);
      }
      const w = new Worker(URL.createObjectURL(new Blob([worker], { type: "text/javascript" })), { type: "module" });
      const answer = await new Promise((resolve) => {
        w.onmessage = ({ data }) => resolve(data);
        w.onerror = (event) => resolve({ error: event.message });
        const absolute = (path) => new URL(path, location.href).href;
        w.postMessage({ glue: absolute(glue), wasm: absolute(wasm), threads, pool: absolute("/www/worker/pool.js"), work, arg });
      });
      w.terminate();
      if (answer.error) throw new Error(answer.error);
      return answer.result;
    },
    { glue, wasm, threads, inWorker, work: work.toString(), arg, worker: MODULE_WORKER },
  );
}
