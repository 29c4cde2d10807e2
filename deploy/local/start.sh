#!/usr/bin/env bash
# `npm start`: install, build, bring up the local stack and every service.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/install.sh
# Run through npm so the project's own Node (node_modules/.bin/node) comes first on PATH.
exec npm run --silent stack -- up
