#!/usr/bin/env python3
"""Runs ../shared/peers/gensim_word2vec.py unchanged, but with gensim's random seed set to SEED.

The peer never passes a seed, so every run of it starts from gensim's default seed (1): the same initial vectors
and the same random streams, varied only by thread scheduling. Averaging "over 3 seeds" against it would compare
our three seeds with gensim's one. usage: gensim_seeded.py SEED TEXT QUESTIONS [peer options...]
"""
import functools, os, runpy, sys

seed = int(sys.argv.pop(1))
peer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "peers", "gensim_word2vec.py")
import gensim.models
gensim.models.Word2Vec = functools.partial(gensim.models.Word2Vec, seed=seed)
sys.argv[0] = peer
runpy.run_path(peer, run_name="__main__")
