#!/usr/bin/env bash
# Our cost per proven 0/1 selection beside ElectionGuard 1.4's, measured in one run on this
# machine, as ratios (the machine is shared and noisy: absolute figures drift, ratios less).
# Usage: bench/compare-eg.sh [CANDIDATES] [MAX_APPROVALS]
# Needs ../shared/tools/eg-bench.sh (it builds its own ElectionGuard environment once).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
eg="$here/../shared/tools/eg-bench.sh"
python="${PYTHON:-$here/.venv/bin/python}"
[ -x "$python" ] || python=python3
[ -x "$eg" ] || { echo "missing $eg" >&2; exit 2; }
ours=$(cd "$here" && "$python" -m ballot bench --candidates "${1:-16}" --max-approvals "${2:-5}" --json)
theirs=$(bash "$eg" 40)
"$python" - "$ours" "$theirs" <<'PY'
import json, sys
ours, eg = json.loads(sys.argv[1]), json.loads(sys.argv[2])
enc, ver = ours["encrypt_ms_per_selection"], ours["validate_ms_per_selection"]
eg_enc, eg_ver = eg["encrypt_prove_ms_per_selection"], eg["verify_ms_per_selection"]
print(json.dumps({
    "ballot": {k: ours[k] for k in ("candidates", "max_approvals", "encrypt_ms", "validate_ms",
                                    "powmod_ms", "encrypt_ms_per_selection",
                                    "validate_ms_per_selection")},
    "electionguard": eg,
    "encrypt_ratio_ours_to_eg": round(enc / eg_enc, 3),
    "validate_ratio_ours_to_eg": round(ver / eg_ver, 3),
}, indent=2))
PY
