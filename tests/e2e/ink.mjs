// Checks a screenshot of a point canvas for content: that it is not blank, that ink sits where
// the given points should be drawn, and that little ink lies far from every point. The PNG is
// decoded in the page (node has no image decoder), with the stage's own projection.

/**
 * @param page Playwright page
 * @param {Buffer} png a screenshot of the canvas element (CSS pixels)
 * @param {number[]} points [x0, y0, ...] in data units
 * @param {number[]} alsoDrawn other points on the canvas (e.g. faint data under samples)
 * @returns {{ink: number, hit: number, stray: number}} ink: share of non-background pixels;
 *   hit: share of points with ink within 1 pixel; stray: share of ink pixels more than 6
 *   pixels from every point
 */
export async function inkStats(page, png, points, alsoDrawn = []) {
  return page.evaluate(
    async ({ b64, points, alsoDrawn }) => {
      const { HALF_EXTENT } = await import("./www/stage.js");
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const [w, h] = [img.width, img.height];
      const c = document.createElement("canvas");
      c.width = w;
      c.height = h;
      const ctx = c.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, w, h);
      const inked = (x, y) => {
        if (x < 0 || y < 0 || x >= w || y >= h) return false;
        const i = 4 * (y * w + x);
        return data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235;
      };
      const scale = Math.min(w, h) / 2 / HALF_EXTENT;
      const near = new Uint8Array(w * h);
      const R = 6;
      let hits = 0;
      let count = 0;
      for (let k = 0; k + 1 < alsoDrawn.length; k += 2) {
        const px = Math.round(w / 2 + alsoDrawn[k] * scale);
        const py = Math.round(h / 2 - alsoDrawn[k + 1] * scale);
        for (let dy = -R; dy <= R; dy++)
          for (let dx = -R; dx <= R; dx++) {
            const [x, y] = [px + dx, py + dy];
            if (x >= 0 && y >= 0 && x < w && y < h) near[y * w + x] = 1;
          }
      }
      for (let k = 0; k + 1 < points.length; k += 2) {
        const px = Math.round(w / 2 + points[k] * scale);
        const py = Math.round(h / 2 - points[k + 1] * scale);
        for (let dy = -R; dy <= R; dy++)
          for (let dx = -R; dx <= R; dx++) {
            const [x, y] = [px + dx, py + dy];
            if (x >= 0 && y >= 0 && x < w && y < h) near[y * w + x] = 1;
          }
        if (px < 2 || py < 2 || px >= w - 2 || py >= h - 2) continue;
        count++;
        let hit = false;
        for (let dy = -1; dy <= 1 && !hit; dy++)
          for (let dx = -1; dx <= 1 && !hit; dx++) hit = inked(px + dx, py + dy);
        if (hit) hits++;
      }
      let ink = 0;
      let stray = 0;
      // Skip a 3-pixel border (the canvas's own outline).
      for (let y = 3; y < h - 3; y++)
        for (let x = 3; x < w - 3; x++) {
          if (!inked(x, y)) continue;
          ink++;
          if (!near[y * w + x]) stray++;
        }
      return { ink: ink / (w * h), hit: hits / Math.max(1, count), stray: stray / Math.max(1, ink) };
    },
    { b64: png.toString("base64"), points: Array.from(points), alsoDrawn: Array.from(alsoDrawn) },
  );
}
