// The command list as plain data for the man page and the completions: each verb's name,
// description and flags, read from the same citty definitions that print --help.
import type { ArgsDef, CommandDef } from "citty";
import { COMMANDS } from "../../src/commands/_list.ts";
import { SETTINGS, type Setting } from "../../src/config/settings.ts";

export interface FlagDoc {
  name: string;
  /** A switch (no value). */
  boolean: boolean;
  description: string;
  /** The setting behind the flag, when it is one (choices, file/dir values). */
  setting?: Setting;
}

export interface CommandDoc {
  name: string;
  description: string;
  flags: FlagDoc[];
}

const settingByFlag = new Map(SETTINGS.filter((s) => s.flag).map((s) => [s.flag, s]));

async function resolveValue<T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

export async function loadCommandDocs(): Promise<CommandDoc[]> {
  const docs: CommandDoc[] = [];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const command: CommandDef = await load();
    const meta = await resolveValue(command.meta);
    const args: ArgsDef = (await resolveValue(command.args)) ?? {};
    const flags = Object.entries(args)
      .filter(([, def]) => def.type !== "positional")
      .map(([flag, def]) => ({
        name: flag,
        boolean: def.type === "boolean",
        description: def.description ?? "",
        setting: settingByFlag.get(flag),
      }));
    docs.push({ name, description: meta?.description ?? "", flags });
  }
  return docs;
}

/** What a flag's value is, for completion: one of a few words, a file, a directory, or text. */
export function describeValue(flag: FlagDoc): {
  choices?: readonly string[];
  path?: "file" | "dir";
} {
  if (flag.setting?.choices) return { choices: flag.setting.choices };
  if (/(^|-)dir$/.test(flag.name)) return { path: "dir" };
  if (/(^|-)file$/.test(flag.name) || flag.name === "config") return { path: "file" };
  return {};
}
