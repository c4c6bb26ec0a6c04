#!/usr/bin/env python3
"""PyTorch reference models and outputs for the PyTorch import tests (PyTorchImportTests).

Run from anywhere:  /usr/bin/python3 tests/Recurrent.Tests/Interop/PyTorch/make_fixtures.py
(needs torch and numpy; Debian's python3-torch 1.13 and python3-numpy 1.24 were used).

For each case it builds a small, randomly initialised nn.Module of nn.Embedding (or one-hot input), nn.LSTM /
nn.GRU / nn.RNN and nn.Linear, saves its state_dict() as NAME.safetensors (float32, written with
tools/safetensors_numpy.py, as a user would save one) and writes NAME.json: the import options, the vocabulary
and labels, inputs, and PyTorch's outputs computed in float64 from those same float32 weights:
  * language models: the log-probabilities of the next token after each input token (batch 1, state carried),
    and the final state of every layer;
  * classifiers: the class probabilities of a padded, ragged, time-major batch, run through
    pack_padded_sequence so that padding never reaches the recurrent layers, with the head written here in torch
    (last: the output at each text's last real step; mean / max over the real steps; bi_last: the final states of
    both directions) and a softmax, or a sigmoid for one logit ([1 - p, p]).
The biases are drawn too (PyTorch's default init), so a bias folded wrongly shows.
"""
import json
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "tools"))
import safetensors_numpy  # noqa: E402

RNNS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class LanguageModel(nn.Module):
    def __init__(self, names, vocab, embedding, hidden, layers, cell, rnn_bias=True):
        super().__init__()
        self.names = names
        self.vocab = vocab
        if embedding:
            setattr(self, names[0], nn.Embedding(vocab, embedding))
        setattr(self, names[1], RNNS[cell](embedding or vocab, hidden, layers, bias=rnn_bias))
        setattr(self, names[2], nn.Linear(hidden, vocab))

    def forward(self, tokens, state=None):  # tokens [T, B]
        emb = getattr(self, self.names[0], None)
        x = emb(tokens) if emb is not None else nn.functional.one_hot(tokens, self.vocab).to(torch.float64)
        y, state = getattr(self, self.names[1])(x, state)
        return getattr(self, self.names[2])(y), state


class Classifier(nn.Module):
    def __init__(self, vocab, embedding, hidden, layers, cell, bidirectional, outputs):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding)
        self.encoder = RNNS[cell](embedding, hidden, layers, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), outputs)
        self.cell, self.hidden, self.bidirectional = cell, hidden, bidirectional

    def forward(self, tokens, lengths, head):  # tokens [T, B], lengths [B]
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(tokens), lengths, enforce_sorted=False)
        y, state = self.encoder(packed)
        y, _ = nn.utils.rnn.pad_packed_sequence(y, total_length=tokens.shape[0])  # [T, B, F], zeros past each length
        h_n = state[0] if self.cell == "lstm" else state
        B = tokens.shape[1]
        if head == "last":
            pooled = torch.stack([y[lengths[b] - 1, b] for b in range(B)])
        elif head == "mean":
            pooled = torch.stack([y[:lengths[b], b].mean(0) for b in range(B)])
        elif head == "max":
            pooled = torch.stack([y[:lengths[b], b].max(0).values for b in range(B)])
        else:  # bi_last: the top layer's final state in each direction
            pooled = torch.cat([h_n[-2], h_n[-1]], dim=1)
        logits = self.fc(pooled)
        if logits.shape[1] == 1:
            p = torch.sigmoid(logits)
            return torch.cat([1 - p, p], dim=1)
        return torch.softmax(logits, dim=1)


def save(name, model, case):
    state = {k: v.detach().to(torch.float32).numpy() for k, v in model.state_dict().items()}
    safetensors_numpy.write(os.path.join(HERE, name + ".safetensors"), state)
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(case, f)
    print("wrote", name + ".safetensors", "and", name + ".json", "(" + ", ".join(f"{k} {list(v.shape)}" for k, v in state.items()) + ")")


def language_model(name, kind, vocabulary, names, embedding, hidden, layers, cell, rnn_bias=True, seed=1):
    torch.manual_seed(seed)
    model = LanguageModel(names, len(vocabulary), embedding, hidden, layers, cell, rnn_bias)
    reference = LanguageModel(names, len(vocabulary), embedding, hidden, layers, cell, rnn_bias).double()
    # The float64 reference holds exactly the float32 weights that are saved.
    reference.load_state_dict({k: v.to(torch.float32).double() for k, v in model.state_dict().items()})
    tokens = torch.randint(0, len(vocabulary), (9, 1), generator=torch.Generator().manual_seed(seed + 100))
    with torch.no_grad():
        logits, state = reference(tokens)
    h = state[0] if cell == "lstm" else state
    case = {
        "kind": kind, "options": {}, "vocabulary": vocabulary,
        "tokens": tokens[:, 0].tolist(),
        "log_probabilities": torch.log_softmax(logits[:, 0], dim=1).tolist(),
        "h": h[:, 0].tolist(),
    }
    if cell == "lstm":
        case["c"] = state[1][:, 0].tolist()
    save(name, model, case)


def classifier(name, head, cell, bidirectional, layers, outputs, labels, seed):
    torch.manual_seed(seed)
    vocabulary = ["<pad>", "<unk>"] + [f"w{i}" for i in range(2, 13)]
    model = Classifier(len(vocabulary), 4, 5, layers, cell, bidirectional, outputs)
    reference = Classifier(len(vocabulary), 4, 5, layers, cell, bidirectional, outputs).double()
    reference.load_state_dict({k: v.to(torch.float32).double() for k, v in model.state_dict().items()})
    lengths = torch.tensor([6, 3, 1, 5, 6])
    T, B = 6, len(lengths)
    tokens = torch.randint(0, len(vocabulary), (T, B), generator=torch.Generator().manual_seed(seed + 100))
    with torch.no_grad():
        probabilities = reference(tokens, lengths, head)
    case = {
        "kind": "classifier", "options": {"head": head}, "vocabulary": vocabulary, "labels": labels,
        "tokens": tokens.tolist(), "lengths": lengths.tolist(), "probabilities": probabilities.tolist(),
    }
    save(name, model, case)


def main():
    torch.set_num_threads(1)
    words = ["<unk>", "<eos>"] + [f"w{i}" for i in range(2, 12)]
    language_model("word_lstm", "word", words, ("emb", "rnn", "out"), 6, 5, 2, "lstm", seed=1)
    language_model("word_rnn_nobias", "word", words, ("embedding", "rnn", "decoder"), 4, 5, 2, "rnn", rnn_bias=False, seed=2)
    language_model("char_gru_onehot", "char", list("abcdefg"), ("", "gru", "fc"), 0, 6, 1, "gru", seed=3)
    classifier("classifier_bilstm_mean", "mean", "lstm", True, 2, 3, ["neg", "neu", "pos"], seed=4)
    classifier("classifier_bilstm_last", "last", "lstm", True, 1, 3, ["a", "b", "c"], seed=5)
    classifier("classifier_gru_max_sigmoid", "max", "gru", False, 2, 1, ["no", "yes"], seed=6)
    classifier("classifier_bigru_bilast", "bi_last", "gru", True, 1, 2, ["x", "y"], seed=7)


if __name__ == "__main__":
    main()
