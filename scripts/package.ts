// Build the Debian packages (amd64, arm64) from the binaries `bun run build` left in dist/,
// with dpkg-deb, then write SHA256SUMS for everything in dist/.
// Usage: bun run package [--arch amd64 ...]   (default: both)
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import pkg from "../package.json" with { type: "json" };
import { SETTINGS } from "../src/config/settings.ts";
import { renderBashCompletion, renderZshCompletion } from "./package/completions.ts";
import {
  DEB_ARCH_BINARY,
  type DebArch,
  type PackageInfo,
  renderChangelog,
  renderControl,
} from "./package/control.ts";
import { loadCommandDocs } from "./package/docs.ts";
import { renderEnvFile } from "./package/env-file.ts";
import { PACKAGE } from "./package/layout.ts";
import { renderManPage } from "./package/man.ts";

const root = join(import.meta.dirname, "..");
const dist = join(root, "dist");
const { values } = parseArgs({ options: { arch: { type: "string", multiple: true } } });
const arches = (values.arch?.length ? values.arch : Object.keys(DEB_ARCH_BINARY)) as DebArch[];

async function run(cmd: string[]): Promise<void> {
  const env = { ...process.env, SOURCE_DATE_EPOCH: commitDate("%ct") };
  const child = Bun.spawn(cmd, { cwd: root, env, stdout: "pipe", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed:\n${stderr}`);
}

/** The commit's date, so the man page and changelog are the same on every rebuild. */
function commitDate(format: string): string {
  const result = Bun.spawnSync(["git", "log", "-1", `--format=${format}`], { cwd: root });
  const out = result.success ? result.stdout.toString().trim() : "";
  if (out) return out;
  const now = new Date();
  if (format === "%cs") return now.toISOString().slice(0, 10);
  return format === "%ct" ? String(Math.floor(now.getTime() / 1000)) : now.toUTCString();
}

const info: PackageInfo = {
  name: PACKAGE,
  version: pkg.version,
  description: pkg.description,
  author: pkg.author,
  homepage: pkg.homepage,
};
const commands = await loadCommandDocs();
const gz = (text: string) => gzipSync(text, { level: 9 });
const generated: Record<string, { content: string | Buffer; mode: number }> = {
  "etc/crusoe-splunk-hec/env": { content: renderEnvFile(SETTINGS), mode: 0o600 },
  "usr/share/man/man1/crusoe-splunk-hec.1.gz": {
    content: gz(
      renderManPage({
        version: pkg.version,
        date: commitDate("%cs"),
        summary: "forward Crusoe Cloud audit logs to Splunk HEC",
        commands,
        settings: SETTINGS,
      }),
    ),
    mode: 0o644,
  },
  "usr/share/bash-completion/completions/crusoe-splunk-hec": {
    content: renderBashCompletion(commands),
    mode: 0o644,
  },
  "usr/share/zsh/vendor-completions/_crusoe-splunk-hec": {
    content: renderZshCompletion(commands),
    mode: 0o644,
  },
  "usr/share/doc/crusoe-splunk-hec/examples/streams.yaml": {
    content: readFileSync(join(root, "packaging/streams.example.yaml")),
    mode: 0o644,
  },
  "usr/share/doc/crusoe-splunk-hec/copyright": {
    content: readFileSync(join(root, "packaging/debian/copyright")),
    mode: 0o644,
  },
  "usr/share/lintian/overrides/crusoe-splunk-hec": {
    content: readFileSync(join(root, "packaging/debian/lintian-overrides")),
    mode: 0o644,
  },
  "usr/share/doc/crusoe-splunk-hec/changelog.gz": {
    content: gz(renderChangelog(info, commitDate("%aD"))),
    mode: 0o644,
  },
};
for (const unit of readdirSync(join(root, "packaging/systemd"))) {
  generated[`lib/systemd/system/${unit}`] = {
    content: readFileSync(join(root, "packaging/systemd", unit)),
    mode: 0o644,
  };
}

function place(stage: string, path: string, content: string | Buffer, mode: number): void {
  const target = join(stage, path);
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isFile());
}

async function buildDeb(arch: DebArch): Promise<string> {
  const binary = join(dist, DEB_ARCH_BINARY[arch]);
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run \`bun run build\` first`);
  const stage = join(tmpdir(), `csh-deb-${arch}-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  try {
    mkdirSync(join(stage, "usr/bin"), { recursive: true, mode: 0o755 });
    copyFileSync(binary, join(stage, "usr/bin", PACKAGE));
    chmodSync(join(stage, "usr/bin", PACKAGE), 0o755);
    for (const [path, file] of Object.entries(generated))
      place(stage, path, file.content, file.mode);
    const files = listFiles(stage);
    const kib = files.reduce((sum, path) => sum + Math.ceil(statSync(path).size / 1024), 0);
    const md5sums = files
      .map((path) => {
        const md5 = createHash("md5").update(readFileSync(path)).digest("hex");
        return `${md5}  ${relative(stage, path)}`;
      })
      .sort((a, b) => a.slice(34).localeCompare(b.slice(34)));
    place(stage, "DEBIAN/control", renderControl(info, arch, kib), 0o644);
    place(stage, "DEBIAN/conffiles", "/etc/crusoe-splunk-hec/env\n", 0o644);
    place(stage, "DEBIAN/md5sums", `${md5sums.join("\n")}\n`, 0o644);
    for (const script of ["postinst", "prerm", "postrm"])
      place(stage, `DEBIAN/${script}`, readFileSync(join(root, "packaging/debian", script)), 0o755);
    // Every file dated by the commit, so a rebuild of the same commit gives the same package.
    const epoch = Number(commitDate("%ct"));
    for (const entry of readdirSync(stage, { recursive: true, encoding: "utf8" }))
      utimesSync(join(stage, entry), epoch, epoch);
    const out = join(dist, `${PACKAGE}_${pkg.version}_${arch}.deb`);
    await run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", stage, out]);
    return out;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** SHA256SUMS over every file in dist/: binaries and packages. */
function writeSums(): number {
  const names = readdirSync(dist)
    .filter((name) => name !== "SHA256SUMS" && statSync(join(dist, name)).isFile())
    .sort();
  const lines = names.map((name) => {
    const sha = createHash("sha256")
      .update(readFileSync(join(dist, name)))
      .digest("hex");
    return `${sha}  ${name}`;
  });
  writeFileSync(join(dist, "SHA256SUMS"), `${lines.join("\n")}\n`);
  return lines.length;
}

// Compressing ~110 MB is most of the time, and gzip uses one core: build the packages at once.
await Promise.all(
  arches.map(async (arch) => {
    const started = performance.now();
    const out = await buildDeb(arch);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`built dist/${relative(dist, out)} in ${seconds} s`);
  }),
);
console.log(`wrote dist/SHA256SUMS (${writeSums()} files)`);
