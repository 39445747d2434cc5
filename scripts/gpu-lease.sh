#!/usr/bin/env bash
# One command of a GPU lease, the same every time (see book/running.md). On the GPU machine, from the
# repository root, with .device/ carried:   timeout 580 bash scripts/gpu-lease.sh 540
# Installs the carried datasets into $DATARIGHTS_DATA (/tmp/data), then computes the full profile's missing
# results within the given seconds (installation included), rewriting $OUT/results.tgz after every part.
# Further options go to `python -m datarights gpu` (e.g. --profile dry --device cpu to try it on a CPU).
set -euo pipefail
seconds=${1:?usage: bash scripts/gpu-lease.sh SECONDS [gpu options]}
shift
start=$(date +%s)
export PYTHONPATH=$PWD/lib${PYTHONPATH:+:$PYTHONPATH}
export DATARIGHTS_DATA=${DATARIGHTS_DATA:-/tmp/data}
out=${OUT:-gpu-out}
mkdir -p "$out"
if [ -f .device/text-series.tar.gz ] && [ ! -d .device/ett ]; then
    tar -xzf .device/text-series.tar.gz -C .device
fi
python3 -m datarights data all --from .device --data-dir "$DATARIGHTS_DATA" || echo "some datasets are missing: their parts will fail" >&2
left=$(( seconds - ($(date +%s) - start) ))
python3 -m datarights gpu --deadline "$left" --out "$out" "$@"
