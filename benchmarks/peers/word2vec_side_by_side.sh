#!/usr/bin/env bash
# Skip-gram with negative sampling, side by side: recurrent, gensim and the word2vec C tool, with the same
# settings, interleaved (one run of each per round) so the machine's drift hits all three alike. Each program's
# vectors are scored by its own evaluator and, as a cross-check that the evaluators agree, ours and gensim's by
# word2vec's compute-accuracy and gensim's and the C tool's by ours.
# Usage: benchmarks/peers/word2vec_side_by_side.sh [ROUNDS] [OUT] [FIRST_ROUND]   (from the repository root)
# Needs: ../shared (data and peers), /usr/bin/python3 with gensim (apt-get install python3-gensim), gcc.
# Round r uses seed r for us and for gensim (gensim_seeded.py).
set -euo pipefail
rounds=${1:-3}
out=${2:-/tmp/w2v-side-by-side}
shared=$(cd "$(dirname "$0")/../../../shared" && pwd)
text_gz=$shared/data/text8/text8-prefix.gz
questions=$shared/data/analogy/questions-words.txt
mkdir -p "$out"
[ -x "$out/bin/word2vec" ] || bash "$shared/peers/word2vec/build.sh" "$out/bin" >/dev/null
[ -f "$out/text8-prefix" ] || gzip -dc "$text_gz" > "$out/text8-prefix"
rec=${RECURRENT:-./recurrent}   # RECURRENT="dotnet path/Recurrent.Cli.dll" times another build
$rec --help >/dev/null          # builds the tool once, outside the timings
settings="--size 200 --window 5 --negative 5 --sample 1e-4 --min-count 5 --iter 5 --threads 2"
for r in $(seq "${3:-1}" "$rounds"); do
  echo "== round $r"
  $rec embed train --text "$text_gz" --output "$out/ours-$r.bin" --force --seed "$r" $settings \
    2>&1 | tee "$out/ours-$r.log" | grep -iE "words/s|words per" | tail -1
  $rec embed eval "$out/ours-$r.bin" --questions "$questions" 2>&1 | tee "$out/ours-$r.eval" | grep -i total
  "$out/bin/compute-accuracy" "$out/ours-$r.bin" 30000 < "$questions" 2>&1 | grep -E "Total accuracy" | tail -1 | sed 's/^/  ours by compute-accuracy: /'
  # The peer itself never sets gensim's seed; the wrapper runs it unchanged with seed r, so that each program's
  # mean is over 3 seeds (the C tool has no seed option: its threads always start from the same state).
  /usr/bin/python3 "$(dirname "$0")/gensim_seeded.py" "$r" "$text_gz" "$questions" $settings --save "$out/gensim-$r.txt" 2>&1 \
    | grep -vi warn | tee "$out/gensim-$r.log" | grep -E "words/s|total"
  /usr/bin/python3 -c "import sys; from gensim.models import KeyedVectors as K; K.load_word2vec_format(sys.argv[1]).save_word2vec_format(sys.argv[2], binary=True)" \
      "$out/gensim-$r.txt" "$out/gensim-$r.bin" \
    && "$out/bin/compute-accuracy" "$out/gensim-$r.bin" 30000 < "$questions" 2>&1 | grep -E "Total accuracy" | tail -1 | sed 's/^/  gensim by compute-accuracy: /'
  $rec embed eval "$out/gensim-$r.txt" --questions "$questions" 2>&1 | grep -i "^total" | sed 's/^/  gensim by ours: /'
  ( time "$out/bin/word2vec" -train "$out/text8-prefix" -output "$out/c-$r.bin" -cbow 0 -size 200 -window 5 \
      -negative 5 -hs 0 -sample 1e-4 -threads 2 -iter 5 -min-count 5 -binary 1 ) > "$out/c-$r.log" 2>&1
  tr '\r' '\n' < "$out/c-$r.log" | grep -E "Words/thread/sec" | tail -1; grep real "$out/c-$r.log"
  "$out/bin/compute-accuracy" "$out/c-$r.bin" 30000 < "$questions" > "$out/c-$r.eval" 2>&1
  grep -E "Total accuracy" "$out/c-$r.eval" | tail -1
  $rec embed eval "$out/c-$r.bin" --questions "$questions" 2>&1 | grep -i "^total" | sed 's/^/  C by ours: /'
done
