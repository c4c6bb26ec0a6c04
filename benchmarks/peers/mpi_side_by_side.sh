#!/usr/bin/env bash
# Data parallelism on one machine, side by side: 2 MPI ranks x 1 thread against 1 process x 2 threads, on PTB
# small and medium with one epoch cut short, interleaved round by round; then the allreduce alone at both presets'
# gradient sizes. The figures in docs/scaling.md come from this script.
# Usage: benchmarks/peers/mpi_side_by_side.sh [ROUNDS] [OUT]   (from the repository root)
# Needs: ../shared/data/ptb and Open MPI (apt-get install openmpi-bin).
set -euo pipefail
rounds=${1:-3}
out=${2:-/tmp/mpi-side-by-side}
ptb=$(cd "$(dirname "$0")/../../../shared/data/ptb" && pwd)
mkdir -p "$out"
./recurrent --help >/dev/null   # builds once, before the ranks start
mpi="mpirun -np 2 --oversubscribe --allow-run-as-root"
speed() { grep -o '"train_tokens_per_second":[0-9.]*' "$1/metrics.jsonl" | cut -d: -f2 | cut -d. -f1; }
for r in $(seq 1 "$rounds"); do
  for p in "small 300" "medium 100"; do
    set -- $p
    $mpi ./recurrent lm train --preset "$1" --data "$ptb" --threads 1 --max-batches "$2" --epochs 1 --no-test \
      --run "$out/mpi-$1-$r" --force > "$out/mpi-$1-$r.log" 2>&1
    ./recurrent lm train --preset "$1" --data "$ptb" --threads 2 --max-batches "$2" --epochs 1 --no-test \
      --run "$out/one-$1-$r" --force > "$out/one-$1-$r.log" 2>&1
    echo "round $r $1: 2 ranks x 1 thread $(speed "$out/mpi-$1-$r") words/s, 1 process x 2 threads $(speed "$out/one-$1-$r") words/s;" \
      "$(tr '\r' '\n' < "$out/mpi-$1-$r.log" | grep allreduce | tail -1)"
  done
done
for mb in 18.6 79.1; do $mpi ./recurrent bench allreduce --megabytes $mb --repeat 9 | tail -1; done
