// Shared set-up for the Crusoe client tests: a config that points at an emulator.
import type { CrusoeConfig } from "../../src/config/types.ts";
import type { CrusoeEmulator } from "../../src/emulators/crusoe.ts";

export function configFor(
  emu: CrusoeEmulator,
  overrides: Partial<CrusoeConfig> = {},
): CrusoeConfig {
  return {
    baseUrl: emu.baseUrl,
    orgId: emu.orgId,
    auth: { kind: "signed", accessKeyId: emu.accessKeyId, secretAccessKey: emu.secretAccessKey },
    pageSize: 100,
    timeoutMs: 5_000,
    maxRetries: 3,
    filters: {},
    ...overrides,
  };
}

/** Fast retries for tests: behaviour, not waiting, is what they check. */
export const FAST = { retryBaseMs: 1, retryMaxMs: 5 };

export const HOUR = 3_600_000;
export const T0 = Date.UTC(2025, 8, 3, 16, 0, 0);

export async function collect<T>(gen: AsyncGenerator<T[]>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  for await (const page of gen) {
    pages++;
    items.push(...page);
  }
  return { items, pages };
}

export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { status?: number; exitCode?: number; hint?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}
