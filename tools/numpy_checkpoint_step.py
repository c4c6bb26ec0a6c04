#!/usr/bin/env python3
"""Runs one step of a Recurrent word or character language model with numpy alone, from its checkpoint.

usage: numpy_checkpoint_step.py CHECKPOINT --token ID [--state STATE.json]

Opens the checkpoint as the safetensors file it is (docs/checkpoint-format.md), checks its format and the SHA-256
of its data, reads the config, and feeds token ID through the embedding (or one-hot input), every recurrent layer
and the softmax projection, starting from zeros or from --state ({"h": [[...] per layer], "c": [...]}). Prints JSON:
{"h": [...], "c": [...], "probabilities": [...]}, the state after the step and the next-token distribution.

Our layouts (float32, row-major):
  embedding.weight [V, E]; softmax.weight [H, V], softmax.bias [V]       (logits = h · W + b)
  LSTM rnn.{l}.weight [I + H, 4H] (rows: x then h; gate columns i, j, f, o), rnn.{l}.bias [4H]:
      [i, j, f, o] = [x, h] · W + b;  c' = σ(f + forget_bias) c + σ(i) tanh(j);  h' = σ(o) tanh(c')
  GRU rnn.{l}.weight_ih [I, 3H], weight_hh [H, 3H], bias_ih, bias_hh [3H] (gate columns r, z, n, as PyTorch):
      r = σ(x W_ir + b_ir + h W_hr + b_hr)  z = σ(… z …)  n = tanh(x W_in + b_in + r (h W_hn + b_hn));  h' = (1 − z) n + z h
  RNN rnn.{l}.weight [I + H, H], rnn.{l}.bias [H]: h' = tanh([x, h] · W + b)
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_numpy  # noqa: E402


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--token", type=int, required=True)
    ap.add_argument("--state", help="JSON file with the state to start from (default: zeros)")
    a = ap.parse_args()

    meta, t, data = safetensors_numpy.read(a.checkpoint)
    if meta.get("format") != "recurrent-checkpoint" or meta.get("format_version") != "1":
        sys.exit(f"{a.checkpoint}: not a version 1 Recurrent checkpoint")
    if hashlib.sha256(data).hexdigest() != meta.get("data_sha256"):
        sys.exit(f"{a.checkpoint}: the SHA-256 of the data differs from the header's")
    if meta.get("model_kind") not in ("word", "char"):
        sys.exit(f"{a.checkpoint}: a {meta.get('model_kind')} model; this tool steps language models (word, char)")
    cfg = json.loads(meta["config"])
    V, H, L = cfg["vocab_size"], cfg["hidden_size"], cfg["num_layers"]
    cell = cfg.get("cell", "Lstm").lower()
    if not 0 <= a.token < V:
        sys.exit(f"--token must be in [0, {V}), got {a.token}")
    f64 = {k: v.astype(np.float64) for k, v in t.items()}  # double precision: the reference, not a second float32 model

    state = json.load(open(a.state)) if a.state else {}
    h = [np.array(state["h"][l], dtype=np.float64) if "h" in state else np.zeros(H) for l in range(L)]
    c = [np.array(state["c"][l], dtype=np.float64) if "c" in state else np.zeros(H) for l in range(L)]
    if cfg.get("one_hot"):
        x = np.zeros(V)
        x[a.token] = 1.0
    else:
        x = f64["embedding.weight"][a.token]
    for l in range(L):
        p = f"rnn.{l}"
        if cell == "lstm":
            g = np.concatenate([x, h[l]]) @ f64[p + ".weight"] + f64[p + ".bias"]
            i, j, f, o = np.split(g, 4)
            c[l] = sigmoid(f + cfg.get("forget_bias", 0.0)) * c[l] + sigmoid(i) * np.tanh(j)
            h[l] = sigmoid(o) * np.tanh(c[l])
        elif cell == "gru":
            xi = x @ f64[p + ".weight_ih"] + f64[p + ".bias_ih"]
            hh = h[l] @ f64[p + ".weight_hh"] + f64[p + ".bias_hh"]
            r = sigmoid(xi[:H] + hh[:H])
            z = sigmoid(xi[H:2 * H] + hh[H:2 * H])
            n = np.tanh(xi[2 * H:] + r * hh[2 * H:])
            h[l] = (1 - z) * n + z * h[l]
        elif cell == "rnn":
            h[l] = np.tanh(np.concatenate([x, h[l]]) @ f64[p + ".weight"] + f64[p + ".bias"])
        else:
            sys.exit(f"unknown cell {cell!r}")
        x = h[l]
    logits = x @ f64["softmax.weight"] + f64["softmax.bias"]
    e = np.exp(logits - logits.max())
    out = {"h": [v.tolist() for v in h], "probabilities": (e / e.sum()).tolist()}
    if cell == "lstm":
        out["c"] = [v.tolist() for v in c]
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
