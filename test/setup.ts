// bunfig's [test] timeout is ignored (docs/toolchain.md): set it here, for every test file.
import { afterAll, setDefaultTimeout } from "bun:test";
import { removeTempDirs } from "./helpers/temp.ts";

setDefaultTimeout(30_000);

afterAll(removeTempDirs);
