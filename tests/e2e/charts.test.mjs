// The charts' axis labels, in Node: a pure function of the page (www/charts.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { axisEnds } from "../../www/charts.js";

test("an axis's two ends are labelled apart, step counts as whole numbers", () => {
  // A loss that moved little: two significant digits would read "1.1" at both ends.
  assert.deepEqual(axisEnds(1.104, 1.112), ["1.10", "1.11"]);
  assert.deepEqual(axisEnds(0.029, 0.35), ["0.029", "0.35"]);
  // Steps (whole numbers), and numbers from 100 up, without decimals.
  assert.deepEqual(axisEnds(2, 4), ["2", "4"]);
  assert.deepEqual(axisEnds(0, 0.35), ["0", "0.35"]);
  assert.deepEqual(axisEnds(1.2, 309.779), ["1.2", "310"]);
  // Ends no five digits tell apart stop at five.
  assert.deepEqual(axisEnds(1.1, 1.1000001), ["1.1000", "1.1000"]);
});
