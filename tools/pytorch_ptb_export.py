#!/usr/bin/env python3
"""Trains the PyTorch PTB model of the peer script pytorch_ptb.py and saves it for `recurrent import pytorch`.

usage: pytorch_ptb_export.py DATA_DIR --out DIR [--config small] [--epochs 1] [--threads 2] [--seed 1]
                             [--max-batches N] [--peer PATH]

The model, the vocabulary, the data reading and the training epochs are the peer's own (imported from PATH,
default ../shared/peers/pytorch_ptb.py beside this repository), run as its main() runs them; that script does not
save, so this one does, after training:
  DIR/ptb_CONFIG.safetensors  the state dict (emb.weight, rnn.weight_ih_l0 …, out.weight, out.bias), float32,
                              written with tools/safetensors_numpy.py (the safetensors package is not needed);
  DIR/vocab.json              the tokens in id order, as the peer numbers them (count descending, then the word),
                              a JSON array as `recurrent import pytorch --vocab` reads it.
It prints the peer's lines (train/valid perplexity per epoch, then test_ppl with batch size 1 over whole batches
of num_steps) and the perplexity over the whole test stream, every token but the first predicted with the state
carried, the last chunk shorter: what `recurrent lm eval` scores. Then:
  recurrent import pytorch DIR/ptb_small.safetensors --kind word --vocab DIR/vocab.json --out DIR/ptb_small.ckpt
  recurrent lm eval DIR/ptb_small.ckpt --data DATA_DIR
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_numpy  # noqa: E402


def load_peer(path):
    spec = importlib.util.spec_from_file_location("pytorch_ptb", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stream_perplexity(model, tokens, cfg):
    """exp(mean cross-entropy) of every next token of the stream, batch 1, state carried, chunks of num_steps."""
    model.eval()
    T, H, L = cfg["steps"], cfg["hidden"], cfg["layers"]
    state = (torch.zeros(L, 1, H), torch.zeros(L, 1, H))
    data = tokens.view(1, -1)
    n = data.shape[1] - 1
    total, t0 = 0.0, time.time()
    with torch.no_grad():
        for start in range(0, n, T):
            k = min(T, n - start)
            logits, state = model(data[:, start:start + k], state)
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).double(), data[0, start + 1:start + k + 1], reduction="sum").item()
    return math.exp(total / n), n, n / (time.time() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--config", default="small")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-batches", type=int)
    ap.add_argument("--peer", default=os.path.join(HERE, "..", "..", "shared", "peers", "pytorch_ptb.py"))
    a = ap.parse_args()
    if not os.path.exists(a.peer):
        sys.exit(f"--peer: {a.peer} does not exist (the peer script pytorch_ptb.py)")
    peer = load_peer(a.peer)

    # As the peer's main(): threads, seed, data, model, SGD with ptb_word_lm.py's decay.
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cfg = peer.CONFIGS[a.config]
    tr, vocab = peer.read(os.path.join(a.data, "ptb.train.txt"))
    va, _ = peer.read(os.path.join(a.data, "ptb.valid.txt"), vocab)
    te, _ = peer.read(os.path.join(a.data, "ptb.test.txt"), vocab)
    model = peer.LM(len(vocab), cfg)
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"])
    for ep in range(a.epochs):
        lr = cfg["lr"] * cfg["decay"] ** max(ep + 1 - cfg["max_epoch"], 0)
        for g in opt.param_groups:
            g["lr"] = lr
        tp, twps = peer.run_epoch(model, peer.batchify(tr, cfg["batch"]), cfg, opt, a.max_batches)
        vp, vwps = peer.run_epoch(model, peer.batchify(va, cfg["batch"]), cfg, None, a.max_batches)
        print(f"epoch {ep+1} lr {lr:.3f} train_ppl {tp:.2f} valid_ppl {vp:.2f} train_wps {twps:.0f} eval_wps {vwps:.0f}", flush=True)
    tp, twps = peer.run_epoch(model, peer.batchify(te, 1), cfg, None, a.max_batches)
    whole = (te.numel() - 1) // cfg["steps"] * cfg["steps"]
    print(f"test_ppl {tp:.4f} eval_wps {twps:.0f} (pytorch_ptb.py's test run: {whole} tokens in whole batches of {cfg['steps']})", flush=True)
    full, n, wps = stream_perplexity(model, te, cfg)
    print(f"test_ppl_stream {full:.4f} eval_wps {wps:.0f} (all {n} next tokens of the test stream, as recurrent lm eval)", flush=True)

    os.makedirs(a.out, exist_ok=True)
    weights = os.path.join(a.out, f"ptb_{a.config}.safetensors")
    safetensors_numpy.write(weights, {k: v.detach().to(torch.float32).numpy() for k, v in model.state_dict().items()})
    words = [w for w, _ in sorted(vocab.items(), key=lambda item: item[1])]
    with open(os.path.join(a.out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(words, f, ensure_ascii=False)
    print(f"wrote {weights} and {os.path.join(a.out, 'vocab.json')} ({len(words)} tokens)")


if __name__ == "__main__":
    main()
