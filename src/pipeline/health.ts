// `health`: Crusoe (signed request: auth, latency, clock skew), HEC (health + token, no event
// written), state store (writable / Redis ping, persistence, every document validated as a run
// would) and the lock holder. Every check runs.
import type { ResolvedConfig } from "../config/types.ts";
import { createCrusoeClient } from "../crusoe/client.ts";
import { checkHecHealth } from "../hec/health.ts";
import { describeHolder, openStore } from "./session.ts";

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export async function checkHealth(config: ResolvedConfig): Promise<HealthCheck[]> {
  const [crusoe, hec, state] = await Promise.all([
    checkCrusoe(config),
    checkHec(config),
    checkState(config),
  ]);
  return [crusoe, hec, ...state];
}

async function checkCrusoe(config: ResolvedConfig): Promise<HealthCheck> {
  try {
    const { latencyMs, skewMs } = await createCrusoeClient(config.crusoe).probe();
    const skew = `clock skew ${(skewMs / 1000).toFixed(1)} s`;
    return { name: "crusoe", ok: true, detail: `auth ok, ${Math.round(latencyMs)} ms, ${skew}` };
  } catch (error) {
    return { name: "crusoe", ok: false, detail: (error as Error).message };
  }
}

async function checkHec(config: ResolvedConfig): Promise<HealthCheck> {
  if (config.sink !== "hec")
    return { name: "hec", ok: true, detail: `not used (sink ${config.sink})` };
  try {
    const health = await checkHecHealth(config.hec);
    return {
      name: "hec",
      ok: health.ok,
      detail: `${health.detail} (${Math.round(health.latencyMs)} ms)`,
    };
  } catch (error) {
    return { name: "hec", ok: false, detail: (error as Error).message };
  }
}

async function checkState(config: ResolvedConfig): Promise<HealthCheck[]> {
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    store = await openStore(config);
    await store.ping();
    // The same validation a run applies: a corrupt checkpoint fails here, naming the file.
    await store.verify(Date.now(), config.window.dedupRetentionSeconds * 1000);
    const persistence = await store.persistence();
    const holder = await store.locks.holder();
    const warning = persistence.durable === false ? "WARNING: " : "";
    return [
      {
        name: "state",
        ok: true,
        detail: `${store.kind}: ${store.location} (stream ${store.stream}), ${warning}${persistence.detail}`,
      },
      { name: "lock", ok: true, detail: holder ? `held by ${describeHolder(holder)}` : "free" },
    ];
  } catch (error) {
    return [{ name: "state", ok: false, detail: (error as Error).message }];
  } finally {
    await store?.close();
  }
}
