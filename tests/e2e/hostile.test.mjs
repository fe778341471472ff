// The hostile-input sweep (hostile.mjs) in headless Chromium: every exported function and
// method of the page's module, each argument replaced in turn by each bad value of its kind.
// It fails if the WebAssembly instance traps, if a call neither succeeds nor throws an `Error`
// with a message, if an object stops working after its sweep, or if the page no longer trains
// and samples afterwards. Prints the number of calls tried per function.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withPage } from "./harness.mjs";
import { sweep } from "./hostile.mjs";

test("hostile input: every exported call refuses bad values with a message and nothing traps", { timeout: 900_000 }, () =>
  withPage(async (page, { url, errors }) => {
    await page.goto(url);
    await page.waitForSelector("#playground[data-ready=true]", { timeout: 120_000 });
    page.on("console", (m) => m.text().startsWith("sweeping ") && console.log(m.text()));
    const report = await page.evaluate(`(${sweep.toString()})()`);
    const total = Object.values(report.counts).reduce((a, b) => a + b, 0);
    console.log(`${total} calls:`);
    for (const [name, n] of Object.entries(report.counts)) {
      const o = report.outcomes[name] ?? { ok: 0, refused: 0 };
      const took = (report.seconds[name] ?? 0).toFixed(1);
      console.log(`  ${name.padEnd(32)} ${String(n).padStart(4)} calls: ${o.refused} refused, ${o.ok} accepted (${took} s)`);
    }
    for (const f of report.failures) console.log(`FAILURE ${f}`);
    assert.equal(report.trapped, null, `the WebAssembly instance trapped: ${report.trapped}`);
    assert.deepEqual(report.failures, []);

    // The page itself still works: it trains and samples.
    await page.getByRole("button", { name: "moons", exact: true }).click();
    await page.click("#train");
    await page.waitForFunction(() => window.diffusionLabUi.training.qualityLog.xs.length >= 1, null, { timeout: 300_000, polling: 500 });
    await page.click("#train");
    await page.click("#sample");
    await page.waitForFunction(() => /SWD/.test(document.getElementById("sample-stats").textContent), null, { timeout: 120_000 });
    // Rust's panic hook reports to the console; a refused call reports nothing there.
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  }));
