// A throwaway redis-server on a free loopback port, for the state suite and e2e tests.
// Missing redis-server: CI fails loudly (it must really run there); elsewhere a visible skip.
import { afterAll, beforeAll } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  url: string;
  port: number;
  /** Stop for good and delete its data directory. */
  stop(): Promise<void>;
  /** Shut down (saving the data, like a production Redis) and start again on the same port. */
  restart(): Promise<void>;
  /** Shut down, keeping the data, until `resume()`: Redis is unreachable in between. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** kill -9 and start again with an empty data set: a Redis without persistence restarting. */
  restartEmpty(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing answers (a hung Redis), until `thaw()`. */
  freeze(): void;
  thaw(): void;
}

export interface RedisOptions {
  /** RDB save points on (default, like a production Redis) or RDB and AOF both off. */
  persistence?: boolean;
  /** More redis-server arguments (they win over the defaults). */
  args?: string[];
}

/**
 * Whether the Redis tests can run. A missing redis-server is an error under CI=true (the tests
 * must really run there); elsewhere it prints a visible notice and the tests are skipped.
 */
export function redisAvailable(): boolean {
  if (hasRedisServer()) return true;
  if (process.env.CI === "true") {
    throw new Error("redis-server is not installed, but CI must run the Redis state tests");
  }
  console.warn("\n[notice] redis-server not found: SKIPPING the Redis variant of the tests\n");
  return false;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer | undefined> {
  if (!redisAvailable()) return undefined;
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), "csh-redis-"));
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill("SIGKILL");
  process.on("exit", killOnExit);

  const launch = async () => {
    child = spawn(
      "redis-server",
      // A save point that never fires during a test still makes Redis report RDB persistence on.
      ["--port", String(port), "--bind", "127.0.0.1", "--appendonly", "no"].concat([
        "--save",
        options.persistence === false ? "" : "3600 1",
        "--dir",
        dir,
        "--dbfilename",
        "dump.rdb",
        "--logfile",
        "",
        ...(options.args ?? []),
      ]),
      { stdio: "ignore" },
    );
    await waitForPong(port, child);
  };
  const shutdown = async (save: boolean) => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    // SHUTDOWN SAVE writes dump.rdb even with `--save ""`; the next launch loads it.
    if (save) await sendCommand(port, "SHUTDOWN SAVE").catch(() => running.kill("SIGTERM"));
    else running.kill("SIGKILL"); // also ends a frozen (SIGSTOPped) server
    await exited;
    child = undefined;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await shutdown(false);
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await shutdown(true);
      await launch();
    },
    pause: () => shutdown(true),
    resume: launch,
    async restartEmpty() {
      await shutdown(false);
      rmSync(join(dir, "dump.rdb"), { force: true });
      await launch();
    },
    freeze: () => child?.kill("SIGSTOP"),
    thaw: () => child?.kill("SIGCONT"),
  };
}

/**
 * One redis-server for the whole test file, started in beforeAll and stopped in afterAll. The
 * getter gives undefined before beforeAll and when redis-server is missing outside CI.
 */
export function useRedis(options: RedisOptions = {}): () => RedisServer | undefined {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis(options);
  });
  afterAll(async () => {
    await redis?.stop();
  });
  return () => redis;
}

function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const reply = await sendCommand(port, "PING").catch(() => "");
    if (reply.startsWith("+PONG")) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

/** One inline command over a raw socket; resolves with the first reply (or "" on close). */
function sendCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let reply = "";
    socket.setTimeout(2_000, () => socket.destroy(new Error("timeout")));
    socket.once("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) socket.end();
    });
    socket.once("error", reject);
    socket.once("close", () => resolve(reply));
  });
}
