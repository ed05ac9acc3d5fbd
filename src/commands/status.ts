import { EXIT } from "../errors.ts";
import { describeHolder, openStore } from "../pipeline/session.ts";
import { jsonArg, streamArgs } from "./_args.ts";
import { defineVerb, loadFromArgs, NEEDS_STREAM } from "./_verb.ts";

export default defineVerb({
  name: "status",
  description: "Show the last run: outcome, counts, checkpoint, lag, lock holder",
  args: { ...streamArgs, ...jsonArg },
  async run(args) {
    const { config } = loadFromArgs(args, NEEDS_STREAM);
    const store = await openStore(config);
    try {
      const [last, holder, checkpointMs] = await Promise.all([
        store.status.read(),
        store.locks.holder(),
        store.checkpoints.get(),
      ]);
      const checkpoint = checkpointMs === undefined ? null : new Date(checkpointMs).toISOString();
      const lagSeconds =
        checkpointMs === undefined ? null : Math.round((Date.now() - checkpointMs) / 1000);
      if (args.json) {
        const body = {
          stream: store.stream,
          store: store.location,
          checkpoint,
          lagSeconds,
          lastRun: last ?? null,
          lock: holder ?? null,
        };
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        return EXIT.ok;
      }
      const lines = [
        `stream      ${store.stream} (${store.kind}: ${store.location})`,
        `checkpoint  ${checkpoint ?? "none yet"}${lagSeconds === null ? "" : ` (${lagSeconds} s behind now)`}`,
        `lock        ${holder ? `held by ${describeHolder(holder)}` : "free"}`,
      ];
      if (last) {
        lines.push(
          `last run    ${last.command} ${last.outcome}, ${last.startedAt} .. ${last.endedAt}`,
          `            fetched ${last.fetched}, delivered ${last.delivered}, duplicates skipped ${last.duplicates}, dead-lettered ${last.deadLettered}, retries ${last.retries}`,
        );
        if (last.lastError) lines.push(`last error  ${last.lastError}`);
      } else lines.push("last run    none yet");
      process.stdout.write(`${lines.join("\n")}\n`);
      return EXIT.ok;
    } finally {
      await store.close();
    }
  },
});
