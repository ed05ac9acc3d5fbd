// Per-test resources (emulators, sinks, e2e worlds) closed after each test, even when an
// assertion failed: `const track = closeAfterEach();` then `x = track(await startX(...))`.
import { afterEach } from "bun:test";

interface Closable {
  close(): unknown;
}

/**
 * Registers an afterEach that closes, newest first, everything passed to the returned `track`
 * during the test. A test may still close a resource itself: each one is closed at most once.
 */
export function closeAfterEach(): <T extends Closable>(resource: T) => T {
  let open: Closable[] = [];
  afterEach(async () => {
    const closing = open.reverse();
    open = [];
    for (const resource of closing) await resource.close();
  });
  return (resource) => {
    const close = resource.close.bind(resource);
    let closing: { result: unknown } | undefined;
    (resource as Closable).close = () => {
      closing ??= { result: close() };
      return closing.result;
    };
    open.push(resource);
    return resource;
  };
}
