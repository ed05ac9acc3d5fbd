import { expect, setDefaultTimeout, test } from "bun:test";
import { createStdoutSink } from "../../src/sinks/stdout.ts";
import { ids, makeEvents } from "./helpers.ts";

// bun applies the preload's default timeout to the first test file only.
setDefaultTimeout(30_000);

test("writes the same envelopes as NDJSON, in order, and reports them delivered", async () => {
  const chunks: string[] = [];
  const sink = createStdoutSink({ batchSize: 10, maxBatchBytes: 1000 }, async (c) => {
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    chunks.push(c);
  });
  expect([sink.maxBatchEvents, sink.maxBatchBytes]).toEqual([10, 1000]);
  const a = makeEvents(3);
  const b = makeEvents(2);
  const [ra, rb] = await Promise.all([sink.send(a), sink.send(b)]);
  expect(ra?.delivered).toEqual(ids(a));
  expect(rb?.delivered).toEqual(ids(b));
  const out = chunks.join("");
  expect(out.endsWith("\n")).toBe(true);
  expect(out.trimEnd().split("\n")).toEqual([...a, ...b].map((e) => e.line));
  for (const line of out.trimEnd().split("\n"))
    expect(JSON.parse(line).fields.crusoe_event_id).toMatch(/^ev-/);
  await sink.close();
});

test("a broken pipe is a failure, not a throw, and nothing is delivered", async () => {
  const sink = createStdoutSink({ batchSize: 10, maxBatchBytes: 1000 }, () => {
    throw Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
  });
  const r = await sink.send(makeEvents(2));
  expect(r.delivered).toEqual([]);
  expect(r.failure?.message).toMatch(/EPIPE/);
});

test("the default writer goes to process.stdout", async () => {
  const proc = Bun.spawn(
    [
      "bun",
      "-e",
      `import { createStdoutSink } from "${import.meta.dirname}/../../src/sinks/stdout.ts";
const s = createStdoutSink({ batchSize: 5, maxBatchBytes: 100 });
const r = await s.send([{ id: "a", timeMs: 0, line: '{"event":1}' }, { id: "b", timeMs: 0, line: '{"event":2}' }]);
console.error(JSON.stringify(r.delivered));`,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  expect(out).toBe('{"event":1}\n{"event":2}\n');
  expect(err.trim()).toBe('["a","b"]');
});
