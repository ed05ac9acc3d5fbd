// Help and version text through console.log/console.error. Touching `process.stdout` loads
// Node's stream and tty modules, and node:fs's writeSync costs ~5 ms of a ~25 ms `--help`; the
// console writes synchronously without either, and a closed pipe drops the text quietly.

/** Writes text that ends with a newline to stdout (1) or stderr (2). */
export function print(fd: 1 | 2, text: string): void {
  const line = text.endsWith("\n") ? text.slice(0, -1) : text;
  if (fd === 1) console.log(line);
  else console.error(line);
}
