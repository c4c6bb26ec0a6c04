#!/usr/bin/env bash
# Builds the general English word vectors the tagging results use (docs/results/tagging.md): skip-gram on the
# text8 prefix (Wikipedia, 2.1 M words) and the 50,000 labelled IMDb reviews (11.8 M words), lower-cased runs of
# word characters, 13.9 M words in all. Neither corpus holds any CoNLL-2000 or UD text.
# Usage: tools/english_vectors.sh OUT_DIR   (from the repository root; needs ../shared and python3)
set -euo pipefail
out=${1:?usage: tools/english_vectors.sh OUT_DIR}
shared=$(cd "$(dirname "$0")/../../shared" && pwd)
mkdir -p "$out"
python3 - "$shared/data/imdb/aclImdb_v1_labeled.tar.gz" "$out/imdb.txt" <<'PY'
import re, sys, tarfile
tag, word = re.compile(r'<[^>]*>'), re.compile(r'\w+')
with tarfile.open(sys.argv[1], 'r:gz') as t, open(sys.argv[2], 'w', encoding='utf-8') as out:
    for m in t:
        p = m.name.split('/')
        if m.isfile() and len(p) >= 4 and p[-3] in ('train', 'test') and p[-2] in ('pos', 'neg') and p[-1].endswith('.txt'):
            out.write(' '.join(word.findall(tag.sub('', t.extractfile(m).read().decode('utf-8')).lower())) + '\n')
PY
gzip -dc "$shared/data/text8/text8-prefix.gz" | fold -w 10000 -s > "$out/text8.txt"
cat "$out/text8.txt" "$out/imdb.txt" > "$out/english.txt"
./recurrent embed train --text "$out/english.txt" --output "$out/english100.bin" --size 100 --window 5 --negative 5 \
  --sample 1e-4 --min-count 3 --iter 5 --threads 2 --force
