// A tiny tmpfs for disk-full tests. Mounting needs root: elsewhere the tests that need it are
// skipped with a visible notice.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let probed: boolean | undefined;

/** Whether this process may mount a tmpfs (tried once, on a probe directory). */
export function canMountTmpfs(): boolean {
  if (probed === undefined) {
    const probe = mkdtempSync(join(tmpdir(), "csh-probe-"));
    probed = mountTmpfs(probe, 4) !== undefined;
    if (probed) spawnSync("umount", [probe]);
    rmdirSync(probe);
    if (!probed)
      console.warn("\n[notice] cannot mount a tmpfs (needs root): SKIPPING disk-full tests\n");
  }
  return probed;
}

/** Mounts a `sizeKb` tmpfs (mode 0700) on `dir`; returns the unmount, or undefined if refused. */
export function mountTmpfs(dir: string, sizeKb = 64): (() => void) | undefined {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const options = `size=${sizeKb}k,mode=0700`;
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], {
    stdio: "ignore",
  });
  return mounted.status === 0 ? () => void spawnSync("umount", [dir]) : undefined;
}
