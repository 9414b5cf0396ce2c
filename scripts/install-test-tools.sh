#!/usr/bin/env bash
# Installs the Debian packages the real-client suites drive (litmus, cadaver,
# rclone, davfs2, curl), PostgreSQL and nginx for the multi-instance suites, pebble for the ACME suite, and the browser the UI tests drive (chromium) when they
# are missing. Runs before every `npm test`;
# does nothing when everything is present.
set -euo pipefail

declare -A package_of=(
  [litmus]=litmus
  [cadaver]=cadaver
  [rclone]=rclone
  [mount.davfs]=davfs2
  [curl]=curl
  [openssl]=openssl
  [chromium]=chromium
  # The PostgreSQL the multi-instance suites start in a temporary folder (test/helpers/postgres.ts).
  [/usr/lib/postgresql/15/bin/pg_ctl]=postgresql
  # The proxy in front of the instances in test/scale/ (test/helpers/nginx.ts).
  [nginx]=nginx
  # The ACME test server and its DNS for test/host/acme.test.ts (test/helpers/pebble.ts).
  [pebble]=pebble
  [pebble-challtestsrv]=pebble
)

missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: missing ${missing[*]}; install them (apt-get install ${missing[*]}) to run every suite." >&2
  # Under CI the suites that need them fail loudly; locally they say they cannot run.
  exit 0
fi

echo "install-test-tools: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
