import { serve, launch } from "./harness.mjs";
const server = await serve();
const browser = await launch();
const page = await browser.newPage();
page.on("console", (m) => { if (!m.text().includes("integrity")) console.log("console:", m.text().slice(0, 200)); });
await page.goto(server.url);
await page.waitForSelector("#playground[data-ready=true]", { timeout: 120000 });
await page.evaluate(async () => {
  const lab = window.diffusionLab;
  const pg = await lab.Playground.create();
  console.log(pg.backendDescription());
  pg.setDataset("moons", 2000, 0);
  pg.setTraining(0.01, 256, 64);
  for (let i = 0; i < 8; i++) { const a = performance.now(); await pg.train(5); console.log(`gpu train5 256/64: ${(performance.now()-a).toFixed(0)} ms`); }
  pg.setTraining(0.003, 512, 128);
  for (let i = 0; i < 4; i++) { const a = performance.now(); await pg.train(5); console.log(`gpu train5 512/128: ${(performance.now()-a).toFixed(0)} ms`); }
  for (const [n, steps] of [[2000, 10], [2000, 10], [2000, 50]]) {
    const a = performance.now();
    await pg.sample(n, "ddim", steps, 1);
    console.log(`gpu sample ${n} x ${steps}: ${(performance.now()-a).toFixed(0)} ms`);
  }
});
await browser.close(); server.close();
