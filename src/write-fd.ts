// Help and version straight to stdout or stderr. Touching `process.stdout`/`process.stderr`
// loads Node's stream and tty modules, most of a `--help` start-up. A closed pipe drops the text
// quietly; a descriptor that refuses a synchronous write (a non-blocking pipe) gets the rest
// through its stream.
import { writeSync } from "node:fs";

export function writeFd(fd: 1 | 2, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch (error) {
    if ((error as { code?: string }).code === "EPIPE") return;
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(done));
  }
}
