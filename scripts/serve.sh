#!/usr/bin/env bash
# Installs what is missing, then serves the app with live reload on http://127.0.0.1:8080.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$repo"
exec trunk serve "$@"
