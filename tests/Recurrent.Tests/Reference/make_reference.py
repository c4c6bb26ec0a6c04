#!/usr/bin/env python3
"""Independent reference values for the recurrent layers, computed with PyTorch in float64.

Run from anywhere:  /usr/bin/python3 tests/Recurrent.Tests/Reference/make_reference.py
(needs torch; Debian's python3-torch 1.13 was used). Writes one JSON file per case next to this script;
the C# test ReferenceTests loads them and compares the float32 layers with them.

Every case uses our parameter layout (weights stored as the C# layers hold them) and maps them into
torch.nn.LSTM / torch.nn.GRU:
  * LSTM (TF BasicLSTMCell): our W [I+H, 4H] has gate columns i, j, f, o; PyTorch's weight_ih [4H, I] has
    rows i, f, g(=j), o. weight_ih = W_x[:, perm].T, weight_hh = W_h[:, perm].T; bias_ih = (b + forget_bias on f)[perm],
    bias_hh = 0. Gradients are mapped back with the inverse permutation.
  * GRU (cuDNN form): our W_i [I, 3H] = weight_ih.T, W_h [H, 3H] = weight_hh.T, same gate order r, z, n.
  * Peephole LSTM has no torch module; it is written with explicit torch ops and autograd (and that code is
    first checked against nn.LSTM with zero peepholes).
Loss: L = sum(output * G) + sum over state parts of sum(h_n * Gh) + sum(c_n * Gc).
Inputs and weights come from sin/cos formulas, rounded to float32 so that C# sees exactly the same numbers.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def det(shape, phase, scale):
    """Deterministic pseudo-random values in [-scale, scale], rounded to float32."""
    n = 1
    for d in shape:
        n *= d
    vals = [scale * math.sin(0.913 * k + phase) * math.cos(0.271 * k * k + 2 * phase) for k in range(n)]
    return torch.tensor(vals, dtype=torch.float32).double().reshape(shape)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def lstm_perm(H):
    # torch row block k takes our column block perm[k]: torch (i, f, g, o) <- ours (i, f=2, j=1, o=3)
    idx = []
    for block in (0, 2, 1, 3):
        idx.extend(range(block * H, (block + 1) * H))
    return torch.tensor(idx)


def our_lstm_to_torch(W, b, I, H, forget_bias):
    p = lstm_perm(H)
    b_eff = b.clone()
    b_eff[2 * H:3 * H] += forget_bias
    return W[:I][:, p].t(), W[I:][:, p].t(), b_eff[p], torch.zeros(4 * H)


def torch_lstm_grads_to_ours(g_ih, g_hh, g_b, I, H):
    p = lstm_perm(H)
    gW = torch.zeros(I + H, 4 * H)
    gW[:I, p] = g_ih.t()
    gW[I:, p] = g_hh.t()
    gb = torch.zeros(4 * H)
    gb[p] = g_b
    return gW, gb


def write(name, case):
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(case, f)
    print("wrote", name + ".json")


def lstm_stacked():
    T, B, I, H, L, fb = 5, 3, 3, 4, 2, 1.0
    x = det((T, B, I), 0.1, 1.0).requires_grad_()
    h0 = det((L, B, H), 0.2, 0.7).requires_grad_()
    c0 = det((L, B, H), 0.3, 0.7).requires_grad_()
    ours = []
    mod = torch.nn.LSTM(I, H, num_layers=L)
    with torch.no_grad():
        for l in range(L):
            inp = I if l == 0 else H
            W = det((inp + H, 4 * H), 1.0 + l, 0.5)
            b = det((4 * H,), 2.0 + l, 0.5)
            ours.append((f"l{l}.weight", W))
            ours.append((f"l{l}.bias", b))
            wih, whh, bih, bhh = our_lstm_to_torch(W, b, inp, H, fb)
            getattr(mod, f"weight_ih_l{l}").copy_(wih)
            getattr(mod, f"weight_hh_l{l}").copy_(whh)
            getattr(mod, f"bias_ih_l{l}").copy_(bih)
            getattr(mod, f"bias_hh_l{l}").copy_(bhh)
    out, (hn, cn) = mod(x, (h0, c0))
    G, Gh, Gc = det(out.shape, 3.0, 1.0), det(hn.shape, 3.5, 1.0), det(cn.shape, 4.0, 1.0)
    loss = (out * G).sum() + (hn * Gh).sum() + (cn * Gc).sum()
    loss.backward()
    params = []
    for l in range(L):
        inp = I if l == 0 else H
        gW, gb = torch_lstm_grads_to_ours(getattr(mod, f"weight_ih_l{l}").grad, getattr(mod, f"weight_hh_l{l}").grad,
                                          getattr(mod, f"bias_ih_l{l}").grad, inp, H)
        params.append({"name": f"l{l}.weight", "value": flat(ours[2 * l][1]), "grad": flat(gW)})
        params.append({"name": f"l{l}.bias", "value": flat(ours[2 * l + 1][1]), "grad": flat(gb)})
    write("lstm_stacked", {
        "kind": "lstm", "layers": L, "bidirectional": False, "peepholes": False, "forget_bias": fb,
        "T": T, "B": B, "I": I, "H": H, "lengths": [],
        "input": flat(x), "h0": [flat(h0[l]) for l in range(L)], "c0": [flat(c0[l]) for l in range(L)],
        "params": params, "G": flat(G), "Gh": [flat(Gh[l]) for l in range(L)], "Gc": [flat(Gc[l]) for l in range(L)],
        "output": flat(out), "hn": [flat(hn[l]) for l in range(L)], "cn": [flat(cn[l]) for l in range(L)],
        "grad_input": flat(x.grad), "grad_h0": [flat(h0.grad[l]) for l in range(L)], "grad_c0": [flat(c0.grad[l]) for l in range(L)],
    })


def gru_stacked():
    T, B, I, H, L = 5, 3, 3, 4, 2
    x = det((T, B, I), 0.4, 1.0).requires_grad_()
    h0 = det((L, B, H), 0.5, 0.7).requires_grad_()
    mod = torch.nn.GRU(I, H, num_layers=L)
    with torch.no_grad():
        for l in range(L):
            inp = I if l == 0 else H
            getattr(mod, f"weight_ih_l{l}").copy_(det((inp, 3 * H), 5.0 + l, 0.5).t())
            getattr(mod, f"weight_hh_l{l}").copy_(det((H, 3 * H), 6.0 + l, 0.5).t())
            getattr(mod, f"bias_ih_l{l}").copy_(det((3 * H,), 7.0 + l, 0.5))
            getattr(mod, f"bias_hh_l{l}").copy_(det((3 * H,), 8.0 + l, 0.5))
    out, hn = mod(x, h0)
    G, Gh = det(out.shape, 9.0, 1.0), det(hn.shape, 9.5, 1.0)
    loss = (out * G).sum() + (hn * Gh).sum()
    loss.backward()
    params = []
    for l in range(L):
        for ours, theirs, transpose in (("weight_ih", "weight_ih", True), ("weight_hh", "weight_hh", True),
                                        ("bias_ih", "bias_ih", False), ("bias_hh", "bias_hh", False)):
            p = getattr(mod, f"{theirs}_l{l}")
            v, g = (p.t(), p.grad.t()) if transpose else (p, p.grad)
            params.append({"name": f"g{l}.{ours}", "value": flat(v), "grad": flat(g)})
    write("gru_stacked", {
        "kind": "gru", "layers": L, "bidirectional": False, "peepholes": False, "forget_bias": 0.0,
        "T": T, "B": B, "I": I, "H": H, "lengths": [],
        "input": flat(x), "h0": [flat(h0[l]) for l in range(L)], "c0": None,
        "params": params, "G": flat(G), "Gh": [flat(Gh[l]) for l in range(L)], "Gc": None,
        "output": flat(out), "hn": [flat(hn[l]) for l in range(L)], "cn": None,
        "grad_input": flat(x.grad), "grad_h0": [flat(h0.grad[l]) for l in range(L)], "grad_c0": None,
    })


def bilstm_masked():
    """Bidirectional LSTM over a padded batch, via pack_padded_sequence: PyTorch's backward direction reads each
    sequence reversed within its length, its outputs are zero at padding and h_n is taken at each last valid step."""
    T, B, I, H, fb = 5, 3, 3, 4, 0.0
    lengths = [5, 2, 4]
    x = det((T, B, I), 0.6, 1.0).requires_grad_()
    h0 = det((2, B, H), 0.7, 0.7).requires_grad_()
    c0 = det((2, B, H), 0.8, 0.7).requires_grad_()
    mod = torch.nn.LSTM(I, H, bidirectional=True)
    ours = []
    with torch.no_grad():
        for d, (suffix, name) in enumerate((("", "fw"), ("_reverse", "bw"))):
            W = det((I + H, 4 * H), 10.0 + d, 0.5)
            b = det((4 * H,), 11.0 + d, 0.5)
            ours.append((name, W, b))
            wih, whh, bih, bhh = our_lstm_to_torch(W, b, I, H, fb)
            getattr(mod, f"weight_ih_l0{suffix}").copy_(wih)
            getattr(mod, f"weight_hh_l0{suffix}").copy_(whh)
            getattr(mod, f"bias_ih_l0{suffix}").copy_(bih)
            getattr(mod, f"bias_hh_l0{suffix}").copy_(bhh)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
    out_packed, (hn, cn) = mod(packed, (h0, c0))
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, total_length=T)
    G, Gh, Gc = det(out.shape, 12.0, 1.0), det(hn.shape, 12.5, 1.0), det(cn.shape, 13.0, 1.0)
    loss = (out * G).sum() + (hn * Gh).sum() + (cn * Gc).sum()
    loss.backward()
    params = []
    for d, (suffix, (name, W, b)) in enumerate(zip(("", "_reverse"), ours)):
        gW, gb = torch_lstm_grads_to_ours(getattr(mod, f"weight_ih_l0{suffix}").grad, getattr(mod, f"weight_hh_l0{suffix}").grad,
                                          getattr(mod, f"bias_ih_l0{suffix}").grad, I, H)
        params.append({"name": f"{name}.weight", "value": flat(W), "grad": flat(gW)})
        params.append({"name": f"{name}.bias", "value": flat(b), "grad": flat(gb)})
    write("bilstm_masked", {
        "kind": "lstm", "layers": 1, "bidirectional": True, "peepholes": False, "forget_bias": fb,
        "T": T, "B": B, "I": I, "H": H, "lengths": lengths,
        "input": flat(x), "h0": [flat(h0[d]) for d in range(2)], "c0": [flat(c0[d]) for d in range(2)],
        "params": params, "G": flat(G), "Gh": [flat(Gh[d]) for d in range(2)], "Gc": [flat(Gc[d]) for d in range(2)],
        "output": flat(out), "hn": [flat(hn[d]) for d in range(2)], "cn": [flat(cn[d]) for d in range(2)],
        "grad_input": flat(x.grad), "grad_h0": [flat(h0.grad[d]) for d in range(2)], "grad_c0": [flat(c0.grad[d]) for d in range(2)],
    })


def explicit_lstm(x, h, c, W, b, P, forget_bias, lengths):
    """TF LSTMCell (use_peepholes) with explicit ops; rows past their length keep their state and output 0."""
    T, B, I = x.shape
    H = h.shape[1]
    outs = []
    for t in range(T):
        z = torch.cat([x[t], h], dim=1) @ W + b
        i, j, f, o = z.split(H, dim=1)
        i = torch.sigmoid(i + P[0] * c)
        f = torch.sigmoid(f + forget_bias + P[1] * c)
        c_new = f * c + i * torch.tanh(j)
        o = torch.sigmoid(o + P[2] * c_new)
        h_new = o * torch.tanh(c_new)
        active = torch.tensor([t < n for n in lengths]).unsqueeze(1)
        h = torch.where(active, h_new, h)
        c = torch.where(active, c_new, c)
        outs.append(torch.where(active, h_new, torch.zeros_like(h_new)))
    return torch.stack(outs), h, c


def lstm_peephole_masked():
    T, B, I, H, fb = 4, 3, 3, 5, 0.5
    lengths = [4, 0, 2]
    # The explicit code must agree with nn.LSTM when the peepholes are zero.
    x = det((T, B, I), 1.1, 1.0)
    h0, c0 = det((B, H), 1.2, 0.7), det((B, H), 1.3, 0.7)
    W, b = det((I + H, 4 * H), 14.0, 0.5), det((4 * H,), 15.0, 0.5)
    mod = torch.nn.LSTM(I, H)
    with torch.no_grad():
        for name, v in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), our_lstm_to_torch(W, b, I, H, fb)):
            getattr(mod, name).copy_(v)
        ref, _ = mod(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
        mine, _, _ = explicit_lstm(x, h0, c0, W, b, torch.zeros(3, H), fb, [T] * B)
        assert torch.allclose(ref, mine, atol=1e-12), "explicit LSTM disagrees with nn.LSTM"

    x.requires_grad_(); h0.requires_grad_(); c0.requires_grad_(); W.requires_grad_(); b.requires_grad_()
    P = det((3, H), 16.0, 0.5).requires_grad_()
    out, hn, cn = explicit_lstm(x, h0, c0, W, b, P, fb, lengths)
    G, Gh, Gc = det(out.shape, 17.0, 1.0), det(hn.shape, 17.5, 1.0), det(cn.shape, 18.0, 1.0)
    loss = (out * G).sum() + (hn * Gh).sum() + (cn * Gc).sum()
    loss.backward()
    write("lstm_peephole_masked", {
        "kind": "lstm", "layers": 1, "bidirectional": False, "peepholes": True, "forget_bias": fb,
        "T": T, "B": B, "I": I, "H": H, "lengths": lengths,
        "input": flat(x), "h0": [flat(h0)], "c0": [flat(c0)],
        "params": [{"name": "p.weight", "value": flat(W), "grad": flat(W.grad)},
                   {"name": "p.bias", "value": flat(b), "grad": flat(b.grad)},
                   {"name": "p.peephole", "value": flat(P), "grad": flat(P.grad)}],
        "G": flat(G), "Gh": [flat(Gh)], "Gc": [flat(Gc)],
        "output": flat(out), "hn": [flat(hn)], "cn": [flat(cn)],
        "grad_input": flat(x.grad), "grad_h0": [flat(h0.grad)], "grad_c0": [flat(c0.grad)],
    })


if __name__ == "__main__":
    lstm_stacked()
    gru_stacked()
    bilstm_masked()
    lstm_peephole_masked()
