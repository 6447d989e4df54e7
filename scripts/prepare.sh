#!/usr/bin/env bash
# Run by npm before `npm start` (prestart) and `npm test` (pretest): makes this machine able to run
# them, so that a fresh one needs nothing but the README. Node 24 comes from the npm registry (the
# devDependency `node`, which npm scripts find first on PATH); what only the system's package
# manager has is installed with apt-get when we are root, and otherwise named in one line with the
# command that installs it. Usage: scripts/prepare.sh start|test
set -euo pipefail
cd "$(dirname "$0")/.."
# As npm run does; also when this script is run by hand.
export PATH="$PWD/node_modules/.bin:$PATH"
mode="${1:-}"
case "$mode" in start | test) ;; *) echo "usage: scripts/prepare.sh start|test (got '$mode')" >&2; exit 2 ;; esac

say() { printf 'live2vod prepare: %s\n' "$*" >&2; }
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

# --- the npm dependencies and Node 24 ------------------------------------------------------------------
# `npm test` on a fresh clone comes here before any `npm install`. npm puts node_modules/.bin first on
# the scripts' PATH, so once the devDependency `node` is installed, `node` here and in the scripts is
# Node 24. A machine whose own node is 24 already does not need it (nor a reinstall to get it).
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ ! -d node_modules ]; then
  say "installing the npm dependencies, Node 24 among them (npm ci)"
  npm ci --no-audit --no-fund
elif [ "$(node_major)" -lt 24 ] && [ ! -x node_modules/.bin/node ]; then
  say "node is $(node --version 2>/dev/null || echo missing); installing the npm dependencies, Node 24 among them (npm install)"
  npm install --no-audit --no-fund
fi
if [ "$(node_major)" -lt 24 ]; then
  say "the npm scripts need Node.js 24 and found $(node --version 2>/dev/null || echo none) first on PATH: run  npm install  (it brings Node 24 as the devDependency \`node\`), not  npm install --omit=dev"
  exit 1
fi

# --- what the system's package manager provides --------------------------------------------------------
missing=()
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then missing+=(ffmpeg); fi
if [ "$mode" = test ]; then
  # Real peers of the tests: nginx with the RTMP module (recording webhooks), PostgreSQL (the store),
  # chromium (the dashboard's browser tests drive it with playwright-core).
  # Debian's nginx is in /usr/sbin, which a minimal PATH leaves out (the tests look there too).
  [ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing+=(nginx libnginx-mod-rtmp)
  command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if ! can_apt; then
    say "npm $mode needs ${missing[*]}: run  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ "$mode" = test ] || exit 0

# --- PostgreSQL for the tests: running on 127.0.0.1:5432, postgres trusted on loopback, database `test` --
cluster() { ls /etc/postgresql | sort -V | tail -n 1; }
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    say "PostgreSQL is not running on 127.0.0.1:5432: run  sudo pg_ctlcluster $(cluster) main start"
    exit 1
  fi
  say "starting PostgreSQL $(cluster)"
  pg_ctlcluster --skip-systemctl-redirect "$(cluster)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
export PGHOST=127.0.0.1 PGUSER=postgres
if ! psql -d postgres -c 'select 1' >/dev/null 2>&1; then
  conf="/etc/postgresql/$(cluster)/main/pg_hba.conf"
  if [ ! -w "$conf" ]; then
    say "the tests connect as postgres to 127.0.0.1 without a password: add 'host all postgres 127.0.0.1/32 trust' at the top of $conf and reload (sudo pg_ctlcluster $(cluster) main reload)"
    exit 1
  fi
  say "trusting postgres on loopback in $conf (a new cluster)"
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf"
  pg_ctlcluster --skip-systemctl-redirect "$(cluster)" main reload
fi
if ! psql -d postgres -tAc "select 1 from pg_database where datname = 'test'" | grep -q 1; then
  psql -d postgres -c 'create database test' >/dev/null
fi
