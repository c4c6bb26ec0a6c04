#!/usr/bin/env python3
"""Checks that vectors written by `recurrent embed train` load in gensim (Debian: apt-get install python3-gensim).

usage: gensim_load_vectors.py VECTORS.bin [VECTORS.txt]

Loads the binary file with KeyedVectors.load_word2vec_format(binary=True) and the text file with binary=False,
prints their sizes and a few neighbours, and, given both, checks they hold the same words and the same values
(exactly: our text format writes each float in the shortest form that reads back as the same float32). Exits 1 on
a mismatch.
"""
import sys
import numpy as np
from gensim.models import KeyedVectors


def load(path, binary):
    kv = KeyedVectors.load_word2vec_format(path, binary=binary)
    print(f"{path}: {len(kv)} words x {kv.vector_size} ({'binary' if binary else 'text'}), "
          f"first words {kv.index_to_key[:5]}")
    probe = next((w for w in ("king", "france", kv.index_to_key[min(100, len(kv) - 1)]) if w in kv.key_to_index))
    print(f"  nearest to {probe!r}: {[(w, round(s, 3)) for w, s in kv.most_similar(probe, topn=5)]}")
    return kv


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    kv_bin = load(sys.argv[1], binary=True)
    if len(sys.argv) == 3:
        kv_txt = load(sys.argv[2], binary=False)
        same_words = kv_bin.index_to_key == kv_txt.index_to_key
        same_values = np.array_equal(kv_bin.vectors, kv_txt.vectors)
        print(f"same words: {same_words}; identical values: {same_values}")
        if not (same_words and same_values):
            sys.exit(1)


if __name__ == "__main__":
    main()
