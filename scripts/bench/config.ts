// The resolved config a bench part runs with: the emulators' addresses from another process.
import type { ResolvedConfig } from "../../src/config/types.ts";
import { configForEmulators } from "../../src/emulators/config.ts";
import type { CrusoeEmulator } from "../../src/emulators/crusoe.ts";
import type { HecEmulator } from "../../src/emulators/hec.ts";
import type { EmulatorInfo } from "./emulators.ts";

export function configForInfo(info: EmulatorInfo, stateDir: string): ResolvedConfig {
  // configForEmulators reads only the addresses and credentials, which the info carries.
  return configForEmulators(
    info.crusoe as unknown as CrusoeEmulator,
    info.hec as unknown as HecEmulator,
    stateDir,
  );
}
