#!/usr/bin/env bash
# Installs the project's dependencies (including its pinned Node runtime) and builds every workspace.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: installing Debian's nodejs and npm" >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
# `npm ci` cannot use lockfiles resolved on another platform; `npm install` honours the lockfile where it can.
npm install --no-audit --no-fund --loglevel=error
npm run --silent build -- --output-logs=errors-only
