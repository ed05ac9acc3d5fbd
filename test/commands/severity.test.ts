// The exit code of several streams: the most severe one's, 2 > 1 > 3 > 75 > 0 (issue 12).
import { expect, setDefaultTimeout, test } from "bun:test";
import { mostSevere } from "../../src/commands/_forward.ts";

setDefaultTimeout(5_000);

test("the most severe stream's exit code wins: 2 > 1 > 3 > 75 > 0", () => {
  expect(mostSevere([])).toBe(0);
  expect(mostSevere([0, 75])).toBe(75);
  expect(mostSevere([75, 3, 0])).toBe(3);
  expect(mostSevere([3, 1, 75])).toBe(1);
  expect(mostSevere([1, 2, 3])).toBe(2);
  expect(mostSevere([0, 2, 1, 75])).toBe(2);
});
