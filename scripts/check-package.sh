#!/usr/bin/env bash
# CI checks of the Debian packages in dist/ (run as root on a Debian-like machine, after
# `bun run package`): fields and contents, then a real install, upgrade, remove and purge of
# the amd64 package, and the arm64 package's binary under qemu. Leaves the machine as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

name=crusoe-splunk-hec
version=$(bun -e 'console.log(require("./package.json").version)')
amd64="dist/${name}_${version}_amd64.deb"
arm64="dist/${name}_${version}_arm64.deb"
work=$(mktemp -d)
fail() { echo "check-package: $*" >&2; exit 1; }
if dpkg-query -W "$name" >/dev/null 2>&1; then
  fail "$name is installed here; this check installs and purges it: run it on a CI machine"
fi
cleanup() {
  dpkg -P "$name" >/dev/null 2>&1 || true
  # What the check itself made, in case it stopped before the purge removed it.
  rm -rf "$work" /var/lib/private/$name /var/lib/$name \
    /etc/systemd/system/timers.target.wants/$name.timer
}
trap cleanup EXIT

expected_files="./etc/crusoe-splunk-hec/env
./lib/systemd/system/crusoe-splunk-hec-forward.service
./lib/systemd/system/crusoe-splunk-hec.service
./lib/systemd/system/crusoe-splunk-hec.timer
./usr/bin/crusoe-splunk-hec
./usr/share/bash-completion/completions/crusoe-splunk-hec
./usr/share/doc/crusoe-splunk-hec/changelog.gz
./usr/share/doc/crusoe-splunk-hec/copyright
./usr/share/doc/crusoe-splunk-hec/examples/streams.yaml
./usr/share/lintian/overrides/crusoe-splunk-hec
./usr/share/man/man1/crusoe-splunk-hec.1.gz
./usr/share/zsh/vendor-completions/_crusoe-splunk-hec"

echo "--- fields and contents"
for arch in amd64 arm64; do
  deb="dist/${name}_${version}_${arch}.deb"
  [ -f "$deb" ] || fail "$deb is missing (bun run package)"
  dpkg-deb --info "$deb" >/dev/null
  for field in Package:$name Version:$version Architecture:$arch; do
    got=$(dpkg-deb --field "$deb" "${field%%:*}")
    [ "$got" = "${field#*:}" ] || fail "$deb: ${field%%:*} is '$got', expected '${field#*:}'"
  done
  for field in Maintainer Description Homepage Installed-Size; do
    [ -n "$(dpkg-deb --field "$deb" "$field")" ] || fail "$deb: no $field field"
  done
  contents=$(dpkg-deb --contents "$deb")
  files=$(awk '$1 !~ /^d/ {print $6}' <<<"$contents" | sort)
  [ "$files" = "$expected_files" ] || { diff <(echo "$expected_files") <(echo "$files") >&2 || true; fail "$deb: contents differ"; }
  grep -q '^-rw------- root/root .* ./etc/crusoe-splunk-hec/env$' <<<"$contents" \
    || fail "$deb: env must be 0600 root"
  grep -q '^-rwxr-xr-x root/root .* ./usr/bin/crusoe-splunk-hec$' <<<"$contents" \
    || fail "$deb: the binary must be 0755 root"
  [ "$(dpkg-deb --info "$deb" conffiles)" = /etc/crusoe-splunk-hec/env ] \
    || fail "$deb: env is not a conffile"
done
echo "ok: both packages carry the expected fields and files"

echo "--- SHA256SUMS covers everything in dist/"
(cd dist && sha256sum --check --quiet SHA256SUMS)
for file in dist/*; do
  base=$(basename "$file")
  [ "$base" = SHA256SUMS ] || grep -q "  $base\$" dist/SHA256SUMS || fail "$base is not in SHA256SUMS"
done
echo "ok"

echo "--- arm64 package's binary under qemu"
mkdir "$work/arm64"
dpkg-deb -x "$arm64" "$work/arm64"
(cd "$work" && qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/arm64/usr/bin/$name" selftest >/dev/null) \
  || fail "arm64 selftest failed"
echo "ok: arm64 selftest"

if command -v lintian >/dev/null; then
  echo "--- lintian"
  # Warnings are shown, errors fail (the overrides in packaging/debian say why each is there).
  status=0
  report=$(lintian --fail-on error "$amd64" 2>&1) || status=$?
  grep -v '^running with root privileges' <<<"$report" || true
  [ "$status" -eq 0 ] || fail "lintian reports errors for $amd64"
  echo "ok: no lintian errors"
else
  echo "--- lintian: not installed, skipped"
fi

echo "--- install"
dpkg -i "$amd64" >/dev/null
[ "$(command -v $name)" = "/usr/bin/$name" ] || fail "$name is not /usr/bin/$name"
(cd "$work" && "/usr/bin/$name" --version | grep -q "^$name $version ") || fail "--version"
(cd "$work" && "/usr/bin/$name" selftest >/dev/null) || fail "installed selftest failed"
[ "$(stat -c %a:%U /etc/crusoe-splunk-hec/env)" = "600:root" ] || fail "env is not 0600 root"
if ls /etc/systemd/system/*.wants/$name* >/dev/null 2>&1; then fail "installing enabled a unit"; fi
echo "ok: installed, --version and selftest from /usr/bin, nothing enabled"

echo "--- man page"
page=/usr/share/man/man1/$name.1.gz
if [ ! -f "$page" ]; then # a minimal image's dpkg path-exclude drops man pages
  echo "(man pages excluded by dpkg config; rendering the package's copy)"
  mkdir "$work/amd64" && dpkg-deb -x "$amd64" "$work/amd64" && page="$work/amd64$page"
fi
warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >"$work/man.txt") || fail "man -l failed"
[ -z "$warnings" ] || fail "man warnings: $warnings"
grep -q "SPLUNK_HEC_TOKEN_FILE" "$work/man.txt" || fail "man page lacks SPLUNK_HEC_TOKEN_FILE"
grep -q "forward-range" "$work/man.txt" || fail "man page lacks forward-range"
echo "ok: man -l renders $(wc -l <"$work/man.txt") lines"

echo "--- bash completion"
words='COMP_WORDS=(crusoe-splunk-hec forward --sink ""); COMP_CWORD=3'
got=$(bash -c "source /usr/share/bash-completion/completions/$name; $words; _crusoe_splunk_hec; echo \${COMPREPLY[*]}")
[ "$got" = "hec stdout" ] || fail "bash completion of --sink gave '$got'"
echo "ok"

if command -v systemd-analyze >/dev/null; then
  echo "--- systemd-analyze verify"
  out=$(systemd-analyze verify /lib/systemd/system/$name.service \
    /lib/systemd/system/$name-forward.service /lib/systemd/system/$name.timer 2>&1) \
    || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify: $out"
  echo "ok"
else
  echo "--- systemd-analyze: not installed, skipped"
fi

echo "--- upgrade keeps the edited env"
echo "SPLUNK_INDEX=edited-by-ci" >>/etc/crusoe-splunk-hec/env
mkdir "$work/next"
dpkg-deb -R "$amd64" "$work/next"
sed -i "s/^Version: .*/Version: ${version}+ci1/" "$work/next/DEBIAN/control"
dpkg-deb --root-owner-group -Znone -b "$work/next" "$work/next.deb" >/dev/null
rm -rf "$work/next"
dpkg -i "$work/next.deb" </dev/null >/dev/null
[ "$(dpkg-query -W -f='${Version}' $name)" = "${version}+ci1" ] || fail "upgrade did not install"
grep -qx "SPLUNK_INDEX=edited-by-ci" /etc/crusoe-splunk-hec/env || fail "upgrade lost the edited env"
[ ! -e /etc/crusoe-splunk-hec/env.dpkg-new ] || fail "upgrade left env.dpkg-new"
echo "ok"

echo "--- remove keeps configuration and state; purge deletes them"
# What systemd (StateDirectory= with DynamicUser=) and `systemctl enable` would have made.
mkdir -p /var/lib/private/$name /etc/systemd/system/timers.target.wants
echo '{}' >/var/lib/private/$name/state.json
ln -sfn private/$name /var/lib/$name
ln -sfn /lib/systemd/system/$name.timer /etc/systemd/system/timers.target.wants/$name.timer
dpkg -r "$name" >/dev/null
[ "$(dpkg-query -W -f='${db:Status-Abbrev}' $name)" = "rc " ] || fail "after remove: not rc"
[ ! -e /usr/bin/$name ] || fail "remove left /usr/bin/$name"
[ ! -e /lib/systemd/system/$name.service ] || fail "remove left the unit"
grep -qx "SPLUNK_INDEX=edited-by-ci" /etc/crusoe-splunk-hec/env || fail "remove deleted the env"
[ -f /var/lib/$name/state.json ] || fail "remove deleted the state directory"
dpkg -P "$name" >/dev/null
if dpkg-query -W "$name" >/dev/null 2>&1; then fail "after purge: still known to dpkg"; fi
for gone in /etc/crusoe-splunk-hec /var/lib/$name /var/lib/private/$name \
  /etc/systemd/system/timers.target.wants/$name.timer; do
  [ ! -e "$gone" ] && [ ! -L "$gone" ] || fail "purge left $gone"
done
echo "ok"

echo "package checks OK"
