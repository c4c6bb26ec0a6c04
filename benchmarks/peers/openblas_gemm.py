#!/usr/bin/env python3
"""OpenBLAS SGEMM on the same shapes as `recurrent bench gemm`, printing the same JSON lines.

Run with Debian's numpy (linked to OpenBLAS through libblas.so.3):
    OPENBLAS_NUM_THREADS=2 /usr/bin/python3 benchmarks/peers/openblas_gemm.py [--size small|medium|all] [--repeat R]
The thread count is read from OPENBLAS_NUM_THREADS (set before numpy is imported). Like ours: float32,
C = op(A)·op(B) into a preallocated C (beta = 0), 0.2 s warm-up, R samples of >= 50 ms, median reported.
Transposed operands are passed as transposed views of C-contiguous arrays, which numpy hands to
cblas_sgemm as a transpose flag (no copy).
"""
import argparse
import json
import os
import time

import numpy as np

SAMPLE_SECONDS = 0.05


def cases(small, medium):
    forward = []
    if small:
        forward += [(400, 200, 10000), (20, 400, 800)]
    if medium:
        forward += [(700, 650, 10000), (20, 1300, 2600)]
    for m, k, n in forward:
        yield "nn", m, n, k
        yield "nt", m, k, n   # dA = dC · Bᵀ
        yield "tn", k, n, m   # dB = Aᵀ · dC


def measure(op, m, n, k, repeat):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, size=(k, m) if op[0] == "t" else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, size=(n, k) if op[1] == "t" else (k, n)).astype(np.float32)
    a_op = a.T if op[0] == "t" else a
    b_op = b.T if op[1] == "t" else b
    c = np.empty((m, n), dtype=np.float32)

    def call():
        np.matmul(a_op, b_op, out=c)

    end = time.perf_counter() + 0.2
    while time.perf_counter() < end:
        call()
    samples = []
    for _ in range(repeat):
        calls = 0
        t0 = time.perf_counter()
        while True:
            call()
            calls += 1
            t1 = time.perf_counter()
            if t1 - t0 >= SAMPLE_SECONDS:
                break
        samples.append((t1 - t0) / calls)
    samples.sort()
    return 2.0 * m * n * k / samples[repeat // 2] / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["small", "medium", "all"], default="all")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", "0")) or os.cpu_count()
    for op, m, n, k in cases(args.size in ("small", "all"), args.size in ("medium", "all")):
        gflops = measure(op, m, n, k, args.repeat)
        print(json.dumps({"bench": "gemm", "m": m, "n": n, "k": k, "op": op, "threads": threads,
                          "gflops": round(gflops, 1), "peer": "openblas"}, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
