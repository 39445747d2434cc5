#!/usr/bin/env bash
# Fills .device/ (git-ignored) with what a GPU lease carries: the datasets of the full profile, packed to fit
# the 64 MiB that travel with the working tree. Run once per checkout, from the repository root:
#   bash scripts/gpu-prepare.sh FOLDER      # FOLDER holds the offline copies (cifar10-jpeg.tar.gz, mnist-idx.tar.gz,
#                                           # utkface-64.tar.gz, stsb-dir/, ett/), e.g. ../shared/data
#   bash scripts/gpu-prepare.sh FOLDER utkface   # the same, leaving out datasets whose parts are all stored
#                                                # (names: cifar10 mnist utkface text-series), when the tree has grown
set -euo pipefail
source=${1:?usage: bash scripts/gpu-prepare.sh FOLDER-WITH-THE-OFFLINE-COPIES [DATASET-TO-LEAVE-OUT ...]}
shift
leave_out=" $* "
grep -qx '/.device/' .git/info/exclude 2>/dev/null || grep -qx '/.device/' .gitignore || echo '/.device/' >> .git/info/exclude
rm -rf .device   # also what a local trial of gpu-lease.sh unpacked there (it would be carried too)
mkdir -p .device
for name in cifar10-jpeg mnist-idx utkface-64; do
    case "$leave_out" in *" ${name%%-*} "*) echo "left out: $name" ;; *) cp "$source/$name.tar.gz" .device/ ;; esac
done
case "$leave_out" in
    *" text-series "*) echo "left out: text-series" ;;
    *) tar -czf .device/text-series.tar.gz -C "$source" stsb-dir ett ;;   # 6.3 MB of TSV/CSV → 1.2 MB
esac
chmod -R u+w .device
tree=$(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1)
carried=$(du -cb .device | tail -1 | cut -f1)
echo "carry .device: $((carried / 1048576)) MiB + working tree $((tree / 1048576)) MiB (limit 64 MiB)"
[ $((carried + tree)) -le $((64 * 1048576)) ] || { echo "too large for one lease: leave a dataset out" >&2; exit 1; }
