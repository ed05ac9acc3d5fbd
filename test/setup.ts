// bunfig's [test] timeout is ignored (docs/toolchain.md): set it here, for every test file.
import { afterAll, afterEach, setDefaultTimeout } from "bun:test";
import { killChildren } from "./helpers/children.ts";
import { removeTempDirs } from "./helpers/temp.ts";

setDefaultTimeout(30_000);

// Children a failed test left behind (a daemon, a lock-holding worker) die with it.
afterEach(() => {
  killChildren();
});
afterAll(() => {
  killChildren();
  removeTempDirs();
});
