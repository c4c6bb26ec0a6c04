#!/usr/bin/env bash
# Builds the general English word vectors the tagging results use (docs/results/tagging.md), skip-gram on
#  - the text8 prefix (Wikipedia, 2.1 M words),
#  - the 50,000 labelled IMDb reviews (11.8 M words, lower-cased runs of word characters),
#  - and, for english-wsj100.bin, three times over, the Wall Street Journal text of the PTB language-model files
#    without section 20 (1.0 M words): sections 0-19 (ptb.train.txt up to the line before section 20) and 21-24
#    (ptb.valid.txt, ptb.test.txt). It is the chunking data's own domain; repeating it weighs it against the rest.
# Section 20 is CoNLL-2000's test set; it is the last 2,012 lines of ptb.train.txt, one line per test sentence,
# which the script checks (the first test sentence, and the count) before it drops them. UD English-EWT is web
# text and overlaps none of these.
# Digits are zeroed everywhere (and the PTB's number token N becomes 0), as the chunk and pos presets zero them,
# so that numbers find a vector.
# Usage: tools/english_vectors.sh OUT_DIR   (from the repository root; needs ../shared and python3)
set -euo pipefail
out=${1:?usage: tools/english_vectors.sh OUT_DIR}
shared=$(cd "$(dirname "$0")/../../shared" && pwd)
mkdir -p "$out"
python3 - "$shared/data/imdb/aclImdb_v1_labeled.tar.gz" "$out/imdb.txt" <<'PY'
import re, sys, tarfile
tag, word, digit = re.compile(r'<[^>]*>'), re.compile(r'\w+'), re.compile(r'[1-9]')
with tarfile.open(sys.argv[1], 'r:gz') as t, open(sys.argv[2], 'w', encoding='utf-8') as out:
    for m in t:
        p = m.name.split('/')
        if m.isfile() and len(p) >= 4 and p[-3] in ('train', 'test') and p[-2] in ('pos', 'neg') and p[-1].endswith('.txt'):
            text = tag.sub('', t.extractfile(m).read().decode('utf-8')).lower()
            out.write(digit.sub('0', ' '.join(word.findall(text))) + '\n')
PY
python3 - "$shared/data/ptb" "$shared/data/conll2000/test.txt" "$out/wsj.txt" <<'PY'
import sys
ptb, conll_test, target = sys.argv[1:4]
with open(conll_test, encoding='utf-8') as f:
    sentences = sum(1 for line in f if not line.strip())
train = open(f'{ptb}/ptb.train.txt', encoding='utf-8').read().splitlines()
first = "rockwell international corp. 's <unk> unit said it signed a tentative agreement"
starts = [i for i, line in enumerate(train) if line.strip().startswith(first)]
if len(starts) != 1 or len(train) - starts[0] != sentences:
    sys.exit(f'ptb.train.txt: section 20 (CoNLL-2000 test) not found where expected: {starts}, {len(train)} lines, {sentences} test sentences')
lines = train[:starts[0]]
for part in ('valid', 'test'):
    lines += open(f'{ptb}/ptb.{part}.txt', encoding='utf-8').read().splitlines()
with open(target, 'w', encoding='utf-8') as out:
    for line in lines:
        out.write(' '.join('0' if w == 'N' else w for w in line.split()) + '\n')
print(f'wsj.txt: {len(lines)} lines, section 20 ({sentences} lines) left out', file=sys.stderr)
PY
gzip -dc "$shared/data/text8/text8-prefix.gz" | fold -w 10000 -s > "$out/text8.txt"
# --init-range 1: the range both files were built with for docs/results/tagging.md, before 16 became the default.
train() { ./recurrent embed train --text "$1" --output "$2" --size 100 --window 5 --negative 5 --sample 1e-4 --min-count 3 \
  --iter 5 --threads 2 --init-range 1 --force; }
# english100.bin: Wikipedia and reviews only. The POS runs and chunking runs 2-6 used this recipe before digits
# were zeroed here.
cat "$out/text8.txt" "$out/imdb.txt" > "$out/english.txt"
train "$out/english.txt" "$out/english100.bin"
# english-wsj100.bin: the same with the WSJ text three times over (chunking run 8).
cat "$out/text8.txt" "$out/imdb.txt" "$out/wsj.txt" "$out/wsj.txt" "$out/wsj.txt" > "$out/english-wsj.txt"
train "$out/english-wsj.txt" "$out/english-wsj100.bin"
