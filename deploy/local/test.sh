#!/usr/bin/env bash
# `npm test`: the same set-up as `npm start`, then type-check, lint, unit, integration and e2e tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/install.sh
exec npm run --silent stack -- test
