#!/usr/bin/env python3
"""Writes word2vec text vectors for the same words as IN, drawn at random: normal, each dimension with the mean and
standard deviation of that dimension in IN. A baseline for pretrained vectors with the same coverage.
usage: random_like_vectors.py IN.txt OUT.txt [SEED]"""
import os, sys, numpy as np
src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1
with open(src, encoding='utf-8') as f:
    n, d = map(int, f.readline().split())
    words, rows = [], []
    for line in f:
        parts = line.rstrip('\n').split(' ')
        words.append(parts[0]); rows.append([float(x) for x in parts[1:d + 1]])
m = np.array(rows, dtype=np.float64)
rng = np.random.default_rng(seed)
r = rng.standard_normal(m.shape) * m.std(axis=0) + m.mean(axis=0)
with open(dst + '.tmp', 'w', encoding='utf-8') as f:
    f.write(f"{len(words)} {d}\n")
    for w, row in zip(words, r):
        f.write(w + ' ' + ' '.join(f"{x:.6f}" for x in row) + '\n')
    f.flush(); os.fsync(f.fileno())  # temp file, fsync, rename: never a half-written OUT
os.replace(dst + '.tmp', dst)
print(f"{len(words)} random vectors of {d} (std {m.std():.4f}) -> {dst}")
