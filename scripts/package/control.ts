// The Debian control file and changelog, from package.json.
export interface PackageInfo {
  name: string;
  version: string;
  description: string;
  author: string;
  homepage: string;
}

export const DEB_ARCH_BINARY = {
  amd64: "crusoe-splunk-hec-linux-x64",
  arm64: "crusoe-splunk-hec-linux-arm64",
} as const;
export type DebArch = keyof typeof DEB_ARCH_BINARY;

export function renderControl(pkg: PackageInfo, arch: DebArch, installedKiB: number): string {
  return `${[
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${pkg.author}`,
    `Installed-Size: ${installedKiB}`,
    "Section: admin",
    "Priority: optional",
    // The binary is Bun's runtime: it links only glibc (dynamic loader, libc, libm, libdl, libpthread).
    "Depends: libc6",
    `Homepage: ${pkg.homepage}`,
    "Description: forward Crusoe Cloud audit logs to Splunk HEC",
    ...wrap(pkg.description, 72).map((line) => ` ${line}`),
    " .",
    " One self-contained binary (no Node or Bun needed), a hardened systemd",
    " service (daemon) and a timer (one run every 5 minutes), neither enabled",
    " on install: configure /etc/crusoe-splunk-hec/env and the credentials,",
    " then enable one of them.",
  ].join("\n")}\n`;
}

/** A one-entry Debian changelog, as lintian expects in /usr/share/doc/<package>. */
export function renderChangelog(pkg: PackageInfo, rfc2822Date: string): string {
  return `${pkg.name} (${pkg.version}) unstable; urgency=medium

  * Release ${pkg.version}.

 -- ${pkg.author}  ${rfc2822Date}
`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}
