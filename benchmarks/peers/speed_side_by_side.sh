#!/usr/bin/env bash
# Training speed against the peers, side by side in one sitting, interleaved round by round so that the
# machine's drift hits every program alike. Prints each program's own speed line; compare medians.
# Usage: benchmarks/peers/speed_side_by_side.sh [ROUNDS] [classify|tag|lm|all]   (from the repository root)
# Needs ../shared, /usr/bin/python3 with torch (apt-get install python3-torch libopenblas0-pthread).
# For 'lm', OLD_CLI=path/to/an/older/Recurrent.Cli.dll times an older build against this one.
set -euo pipefail
rounds=${1:-3}
what=${2:-all}
shared=$(cd "$(dirname "$0")/../../../shared" && pwd)
py=/usr/bin/python3
./recurrent --help >/dev/null   # builds once, outside the timings
want() { [ "$what" = all ] || [ "$what" = "$1" ]; }
for r in $(seq 1 "$rounds"); do
  echo "== round $r"
  if want classify; then
    echo "-- classify book: recurrent"
    ./recurrent bench classify --preset book --data "$shared/data/imdb/aclImdb_v1_labeled.tar.gz" --batches 20 --repeat 3 --threads 2 | grep -E '"train|tokens_per_second' | head -3
    echo "-- classify book: pytorch --threads 2"
    $py "$shared/peers/pytorch_imdb.py" "$shared/data/imdb/aclImdb_v1_labeled.tar.gz" --epochs 1 --max-batches 40 --threads 2 | tail -1
    echo "-- classify book: pytorch OPENBLAS_NUM_THREADS=2 --threads 1"
    OPENBLAS_NUM_THREADS=2 $py "$shared/peers/pytorch_imdb.py" "$shared/data/imdb/aclImdb_v1_labeled.tar.gz" --epochs 1 --max-batches 40 --threads 1 | tail -1
  fi
  if want tag; then
    echo "-- tag tfmi-ocr: recurrent"
    ./recurrent bench tag --preset tfmi-ocr --data "$shared/data/ocr/letter.data.gz" --batches 100 --repeat 3 --threads 2 | grep -E 'train' | head -3
    echo "-- tag tfmi-ocr: pytorch --threads 2"
    $py "$shared/peers/pytorch_ocr.py" "$shared/data/ocr/letter.data.gz" --epochs 1 --threads 2 | tail -1
    echo "-- tag tfmi-ocr: pytorch OPENBLAS_NUM_THREADS=2 --threads 1"
    OPENBLAS_NUM_THREADS=2 $py "$shared/peers/pytorch_ocr.py" "$shared/data/ocr/letter.data.gz" --epochs 1 --threads 1 | tail -1
  fi
  if want lm; then
    echo "-- lm small: this build"
    ./recurrent bench lm --preset small --batches 50 --threads 2 --data "$shared/data/ptb" | grep -E '"train' | head -2
    if [ -n "${OLD_CLI:-}" ]; then
      echo "-- lm small: $OLD_CLI"
      dotnet "$OLD_CLI" bench lm --preset small --batches 50 --threads 2 --data "$shared/data/ptb" | grep -E '"train' | head -2
    fi
  fi
done
