"""Reference data for RnnGen's embedding input layer (tests/reference/data/embedding_*.safetensors).

A PyTorch module with `self.embedding = nn.Embedding(V, I)`, `self.rnn = nn.GRU or nn.LSTM(I, H, num_layers=L,
batch_first=True)` and `self.head = nn.Linear(H, V)`, in float64 with float32-exact weights. For a random token
sequence (T = 9) from a zero state it writes the outputs y [T, V] and the autograd gradients of L = sum(y * G) for a
random G: every parameter (embedding.weight included), as `grad.{name}`. Weights go to
`embedding_{cell}.weights.safetensors` (F32), the rest to `embedding_{cell}.expected.safetensors` (F64; tokens stored
as F64 values of the integer ids).

Run from the repository root after make_reference.py (which deletes every .safetensors file in data/):
    /usr/bin/python3 tests/reference/make_embedding_reference.py
"""
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_reference as mr  # noqa: E402

V, I, H, T = 11, 6, 8, 9


class TokenModel(nn.Module):
    def __init__(self, cell, layers):
        super().__init__()
        self.embedding = nn.Embedding(V, I)
        rnn = nn.GRU if cell == "gru" else nn.LSTM
        self.rnn = rnn(I, H, num_layers=layers, batch_first=True)
        self.head = nn.Linear(H, V)

    def forward(self, tokens):
        out, _ = self.rnn(self.embedding(tokens))
        return self.head(out)


def make(cell, layers, seed):
    torch.manual_seed(seed)
    model = TokenModel(cell, layers).double()
    with torch.no_grad():
        for p in model.parameters():
            p.data = mr.f32_round(p.data)
    generator = torch.Generator().manual_seed(seed + 1)
    tokens = torch.randint(0, V, (1, T), generator=generator)
    g = mr.f32_round(torch.randn(T, V, generator=generator, dtype=torch.float64))
    y = model(tokens)
    loss = (y.reshape(T, V) * g).sum()
    loss.backward()
    name = "embedding_%s" % cell
    weights = [(k, "F32", v.detach().numpy().astype(np.float32)) for k, v in model.state_dict().items()]
    mr.write_safetensors(os.path.join(mr.DATA_DIR, name + ".weights.safetensors"), weights,
                         OrderedDict([("case", name), ("generator", "tests/reference/make_embedding_reference.py")]))
    expected = [("tokens", "F64", tokens.reshape(T).double().numpy()),
                ("output", "F64", y.reshape(T, V).detach().numpy()),
                ("G", "F64", g.numpy())]
    expected += [("grad." + k, "F64", p.grad.numpy()) for k, p in model.named_parameters()]
    mr.write_safetensors(os.path.join(mr.DATA_DIR, name + ".expected.safetensors"), expected,
                         OrderedDict([("case", name), ("layers", str(layers)), ("loss", "sum(y*G)")]))
    print("%s: %d layers, max|y| %.3f" % (name, layers, float(y.abs().max())))


if __name__ == "__main__":
    torch.set_num_threads(1)
    make("gru", 1, 8101)
    make("lstm", 2, 8102)
