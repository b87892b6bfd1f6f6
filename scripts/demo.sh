#!/usr/bin/env bash
# The local demo. It needs the control plane (issue 5), the operator (issue 6) and the chart (issue 7).
set -euo pipefail
echo "demo: not assembled yet; it lands with issue 7 (Helm chart and one-command demo)." >&2
exit 1
