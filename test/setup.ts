// bunfig's [test] timeout is ignored (docs/toolchain.md): set it here, for every test file.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(30_000);
