#!/usr/bin/env python3
"""Generate PyTorch reference data for the RnnGen tests.

What it does
------------
For 30 test cases (5 cell kinds x 6 configurations) this script builds a small
PyTorch module ``rnn`` (nn.RNN / nn.LSTM / nn.GRU, batch_first=True) plus an
optional Dense ``head`` applied at every time step, and writes into
``tests/reference/data/``:

* ``{case}.weights.safetensors``  - the module's ``state_dict()`` under the
  exact PyTorch names (``rnn.weight_ih_l0``, ``head.0.weight``, ...), F32.
  All parameters are rounded to float32-exact values before anything is
  computed, so storing them as F32 is lossless.
* ``{case}.expected.safetensors`` - F64 inputs, initial states, outputs and
  final states for 4 scenarios (T = 1, 2, 17, 64), computed in float64.
* ``manifest.json``                - every case with its metadata and files.

Cell kinds: ``rnn_tanh``, ``rnn_relu``, ``lstm``, ``gru`` (PyTorch GRU, reset
gate applied after the recurrent product) and ``gru_rb`` (reset-before GRU,
Cho et al. / ONNX linear_before_reset=0 / Keras reset_after=False).  PyTorch
cannot express ``gru_rb``, so it is computed by an independent numpy float64
GRU implementation.  Before that implementation is used, it is run in
reset-after mode and compared against torch nn.GRU (with head) on every GRU
case and every scenario; the script aborts if the max abs difference is not
< 1e-12.  The reset-before path is additionally cross-checked against a
step-by-step torch.nn.functional implementation.

The script is deterministic (per-case ``torch.manual_seed(1000 + case_index)``,
single-threaded math); running it twice gives byte-identical files.

How to run (from the repository root)::

    /usr/bin/python3 tests/reference/make_reference.py

Requires PyTorch (tested with 1.13) and numpy.  No safetensors package is
needed: a minimal safetensors writer (and reader, for a round-trip
self-check) is included below.
"""

import os

# Single-threaded BLAS / OpenMP so reductions are always done in the same order.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import hashlib
import json
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data")

SEED_BASE = 1000
GRU_CHECK_TOL = 1e-12
RB_CROSSCHECK_TOL = 1e-12
RELU_RECURRENT_SCALE = 0.5
INIT_STATE_SCALE = 0.5
INPUT_SCALE = 1.0

CELLS = ["rnn_tanh", "rnn_relu", "lstm", "gru", "gru_rb"]

# head: list of (activation, units); empty list = no head
CONFIGS = OrderedDict([
    ("c1", dict(I=1, H=8, L=1, bias=True, head=[])),
    ("c2", dict(I=7, H=16, L=2, bias=True, head=[("softmax", 3)])),
    ("c3", dict(I=13, H=32, L=1, bias=True, head=[("tanh", 8), ("none", 2)])),
    ("c4", dict(I=33, H=64, L=2, bias=True, head=[])),
    ("c5", dict(I=7, H=128, L=1, bias=True, head=[("sigmoid", 1)])),
    ("c6", dict(I=7, H=8, L=1, bias=False, head=[("relu", 4), ("none", 2)])),
])

# (k, T, random initial state?)
SCENARIOS = [(0, 1, False), (1, 2, True), (2, 17, True), (3, 64, False)]


# --------------------------------------------------------------------------
# safetensors
# --------------------------------------------------------------------------

_DTYPES = {"F32": ("<f4", np.float32), "F64": ("<f8", np.float64)}


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype_str, np.ndarray) in the desired order."""
    header = OrderedDict()
    if metadata is not None:
        header["__metadata__"] = OrderedDict((str(k), str(v)) for k, v in metadata.items())
    blobs = []
    offset = 0
    seen = set()
    for name, dtype, arr in tensors:
        if name in seen or name == "__metadata__":
            raise ValueError("duplicate/invalid tensor name %r" % name)
        seen.add(name)
        le, _ = _DTYPES[dtype]
        data = np.ascontiguousarray(arr, dtype=le).tobytes(order="C")
        header[name] = OrderedDict([
            ("dtype", dtype),
            ("shape", [int(s) for s in arr.shape]),
            ("data_offsets", [offset, offset + len(data)]),
        ])
        blobs.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Minimal reader, used for the round-trip self-check."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    body = raw[8 + n:]
    meta = header.pop("__metadata__", None)
    out = OrderedDict()
    expect = 0
    for name, info in header.items():
        b, e = info["data_offsets"]
        assert b == expect, "tensors not packed contiguously"
        le, npt = _DTYPES[info["dtype"]]
        arr = np.frombuffer(body[b:e], dtype=le).astype(npt).reshape(info["shape"])
        out[name] = arr
        expect = e
    assert expect == len(body), "trailing bytes after last tensor"
    return meta, out


# --------------------------------------------------------------------------
# torch model
# --------------------------------------------------------------------------

def act_torch(name, x):
    if name == "none":
        return x
    if name == "tanh":
        return torch.tanh(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "relu":
        return torch.relu(x)
    if name == "softmax":
        return torch.softmax(x, dim=-1)
    raise ValueError(name)


class Model(nn.Module):
    def __init__(self, kind, I, H, L, bias, head):
        super().__init__()
        self.kind = kind
        self.acts = [a for a, _ in head]
        if kind == "rnn_tanh":
            self.rnn = nn.RNN(I, H, num_layers=L, nonlinearity="tanh", batch_first=True, bias=bias)
        elif kind == "rnn_relu":
            self.rnn = nn.RNN(I, H, num_layers=L, nonlinearity="relu", batch_first=True, bias=bias)
        elif kind == "lstm":
            self.rnn = nn.LSTM(I, H, num_layers=L, batch_first=True, bias=bias)
        elif kind in ("gru", "gru_rb"):
            # gru_rb uses the same PyTorch parameter layout; torch only inits it.
            self.rnn = nn.GRU(I, H, num_layers=L, batch_first=True, bias=bias)
        else:
            raise ValueError(kind)
        if len(head) == 0:
            self.head = None
        elif len(head) == 1:
            self.head = nn.Linear(H, head[0][1], bias=bias)
        elif len(head) == 2:
            self.head = nn.ModuleList([
                nn.Linear(H, head[0][1], bias=bias),
                nn.Linear(head[0][1], head[1][1], bias=bias),
            ])
        else:
            raise ValueError("head with more than 2 layers not supported")

    def forward(self, x, state):
        out, st = self.rnn(x, state)
        if self.head is not None:
            layers = [self.head] if isinstance(self.head, nn.Linear) else list(self.head)
            for lin, a in zip(layers, self.acts):
                out = act_torch(a, lin(out))
        return out, st


# --------------------------------------------------------------------------
# numpy GRU (independent implementation) + head
# --------------------------------------------------------------------------

def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def act_np(name, x):
    if name == "none":
        return x
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return np_sigmoid(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "softmax":
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)
    raise ValueError(name)


def np_gru(params, x, h0, H, L, reset_after):
    """x: [T, I]; h0: [L, H]; params: dict name -> float64 ndarray (PyTorch names).

    Gate row order in weight_ih / weight_hh / biases: [r, z, n].
    Returns (top-layer outputs [T, H], final states [L, H]).
    """
    seq = x
    hn = np.zeros((L, H))
    for j in range(L):
        W_ih = params["rnn.weight_ih_l%d" % j]
        W_hh = params["rnn.weight_hh_l%d" % j]
        b_ih = params.get("rnn.bias_ih_l%d" % j, np.zeros(3 * H))
        b_hh = params.get("rnn.bias_hh_l%d" % j, np.zeros(3 * H))
        W_ir, W_iz, W_in = W_ih[0:H], W_ih[H:2 * H], W_ih[2 * H:3 * H]
        W_hr, W_hz, W_hn = W_hh[0:H], W_hh[H:2 * H], W_hh[2 * H:3 * H]
        b_ir, b_iz, b_in = b_ih[0:H], b_ih[H:2 * H], b_ih[2 * H:3 * H]
        b_hr, b_hz, b_hn = b_hh[0:H], b_hh[H:2 * H], b_hh[2 * H:3 * H]
        h = h0[j].copy()
        outs = np.zeros((seq.shape[0], H))
        for t in range(seq.shape[0]):
            xt = seq[t]
            r = np_sigmoid(W_ir @ xt + b_ir + W_hr @ h + b_hr)
            z = np_sigmoid(W_iz @ xt + b_iz + W_hz @ h + b_hz)
            if reset_after:
                n = np.tanh(W_in @ xt + b_in + r * (W_hn @ h + b_hn))
            else:
                n = np.tanh(W_in @ xt + b_in + W_hn @ (r * h) + b_hn)
            h = (1.0 - z) * n + z * h
            outs[t] = h
        hn[j] = h
        seq = outs
    return seq, hn


def np_head(params, head, y):
    if len(head) == 0:
        return y
    prefixes = ["head"] if len(head) == 1 else ["head.0", "head.1"]
    for pre, (a, units) in zip(prefixes, head):
        W = params[pre + ".weight"]
        y = y @ W.T
        if (pre + ".bias") in params:
            y = y + params[pre + ".bias"]
        y = act_np(a, y)
    return y


def torch_functional_gru_rb(params, x, h0, H, L):
    """Second, torch.nn.functional based reset-before GRU (cross-check only)."""
    P = {k: torch.from_numpy(v) for k, v in params.items()}
    seq = torch.from_numpy(x)
    hn = []
    for j in range(L):
        W_ih, W_hh = P["rnn.weight_ih_l%d" % j], P["rnn.weight_hh_l%d" % j]
        b_ih = P.get("rnn.bias_ih_l%d" % j)
        b_hh = P.get("rnn.bias_hh_l%d" % j)
        h = torch.from_numpy(h0[j].copy())
        outs = []
        for t in range(seq.shape[0]):
            gi = F.linear(seq[t], W_ih, b_ih)
            i_r, i_z, i_n = gi.chunk(3)
            bh = b_hh.chunk(3) if b_hh is not None else (None, None, None)
            Wr, Wz, Wn = W_hh.chunk(3)
            r = torch.sigmoid(i_r + F.linear(h, Wr, bh[0]))
            z = torch.sigmoid(i_z + F.linear(h, Wz, bh[1]))
            n = torch.tanh(i_n + F.linear(r * h, Wn, bh[2]))
            h = (1 - z) * n + z * h
            outs.append(h)
        hn.append(h)
        seq = torch.stack(outs)
    return seq.numpy(), torch.stack(hn).numpy()


# --------------------------------------------------------------------------
# case generation
# --------------------------------------------------------------------------

def f32_round(t):
    return t.float().double()


def head_string(head):
    return ",".join("%s:%d" % (a, u) for a, u in head)


def build_case(index, cell, cfg_name, cfg):
    I, H, L, bias, head = cfg["I"], cfg["H"], cfg["L"], cfg["bias"], cfg["head"]
    seed = SEED_BASE + index
    torch.manual_seed(seed)
    model = Model(cell, I, H, L, bias, head)
    with torch.no_grad():
        if cell == "rnn_relu":
            for j in range(L):
                getattr(model.rnn, "weight_hh_l%d" % j).mul_(RELU_RECURRENT_SCALE)
        model.double()
        for p in model.parameters():
            p.data = f32_round(p.data)
    model.eval()

    scen = []
    for k, T, rand_state in SCENARIOS:
        x = f32_round(torch.randn(T, I, dtype=torch.float64) * INPUT_SCALE)
        if rand_state:
            h0 = f32_round(torch.randn(L, H, dtype=torch.float64) * INIT_STATE_SCALE)
            c0 = f32_round(torch.randn(L, H, dtype=torch.float64) * INIT_STATE_SCALE) if cell == "lstm" else None
        else:
            h0 = torch.zeros(L, H, dtype=torch.float64)
            c0 = torch.zeros(L, H, dtype=torch.float64) if cell == "lstm" else None
        scen.append((k, T, x, h0, c0))
    return seed, model, scen


def run_torch(model, cell, x, h0, c0):
    with torch.no_grad():
        state = (h0.unsqueeze(1), c0.unsqueeze(1)) if cell == "lstm" else h0.unsqueeze(1)
        y, st = model(x.unsqueeze(0), state)
    y = y.squeeze(0).numpy().copy()
    if cell == "lstm":
        hn, cn = st[0].squeeze(1).numpy().copy(), st[1].squeeze(1).numpy().copy()
    else:
        hn, cn = st.squeeze(1).numpy().copy(), None
    return y, hn, cn


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    # Remove stale generated files (only our own patterns).
    for fn in os.listdir(DATA_DIR):
        if fn.endswith(".safetensors") or fn == "manifest.json":
            os.remove(os.path.join(DATA_DIR, fn))

    cases = []
    index = 0
    for cell in CELLS:
        for cfg_name, cfg in CONFIGS.items():
            cases.append((index, cell, cfg_name, cfg))
            index += 1

    # ---- Step 1: validate the numpy GRU (reset-after) against torch nn.GRU.
    print("Checking numpy GRU (reset-after) against torch nn.GRU ...")
    worst = 0.0
    for index, cell, cfg_name, cfg in cases:
        if cell != "gru":
            continue
        seed, model, scen = build_case(index, cell, cfg_name, cfg)
        params = {k: v.numpy().copy() for k, v in model.state_dict().items()}
        for k, T, x, h0, c0 in scen:
            y_t, hn_t, _ = run_torch(model, cell, x, h0, None)
            ys, hn_n = np_gru(params, x.numpy(), h0.numpy(), cfg["H"], cfg["L"], reset_after=True)
            y_n = np_head(params, cfg["head"], ys)
            d = max(float(np.max(np.abs(y_t - y_n))), float(np.max(np.abs(hn_t - hn_n))))
            assert y_t.shape == y_n.shape and hn_t.shape == hn_n.shape
            print("  %-8s s%d T=%-2d max|torch - numpy| = %.3e" % ("%s_%s" % (cell, cfg_name), k, T, d))
            if not (d < GRU_CHECK_TOL):
                sys.exit("FAIL: numpy reset-after GRU differs from torch nn.GRU on %s_%s s%d: %.3e >= %g"
                         % (cell, cfg_name, k, d, GRU_CHECK_TOL))
            worst = max(worst, d)
    print("  OK, worst difference %.3e (< %g)" % (worst, GRU_CHECK_TOL))

    # ---- Step 2: generate all cases.
    manifest_cases = []
    total_bytes = 0
    for index, cell, cfg_name, cfg in cases:
        name = "%s_%s" % (cell, cfg_name)
        I, H, L, bias, head = cfg["I"], cfg["H"], cfg["L"], cfg["bias"], cfg["head"]
        O = head[-1][1] if head else H
        seed, model, scen = build_case(index, cell, cfg_name, cfg)
        sd = model.state_dict()
        params = {k: v.numpy().copy() for k, v in sd.items()}

        meta = OrderedDict([
            ("case", name),
            ("cell", cell),
            ("input_size", str(I)),
            ("hidden_size", str(H)),
            ("layers", str(L)),
            ("bias", "true" if bias else "false"),
            ("head", head_string(head)),
            ("output_size", str(O)),
        ])

        # weights (F32, lossless because of the float32 rounding)
        wt = []
        for k, v in sd.items():
            a = v.numpy()
            assert np.array_equal(a.astype(np.float32).astype(np.float64), a), k
            wt.append((k, "F32", a.astype(np.float32)))
        wfile = "%s.weights.safetensors" % name
        write_safetensors(os.path.join(DATA_DIR, wfile), wt, meta)

        # expected (F64)
        et = []
        stats = []
        for k, T, x, h0, c0 in scen:
            if cell == "gru_rb":
                ys, hn = np_gru(params, x.numpy(), h0.numpy(), H, L, reset_after=False)
                y = np_head(params, head, ys)
                cn = None
                # cross-check against a torch.nn.functional implementation
                ys2, hn2 = torch_functional_gru_rb(params, x.numpy(), h0.numpy(), H, L)
                y2 = np_head(params, head, ys2)
                d = max(float(np.max(np.abs(y - y2))), float(np.max(np.abs(hn - hn2))))
                if not (d < RB_CROSSCHECK_TOL):
                    sys.exit("FAIL: reset-before cross-check on %s s%d: %.3e" % (name, k, d))
                # and make sure reset-before really differs from reset-after
                ys3, _ = np_gru(params, x.numpy(), h0.numpy(), H, L, reset_after=True)
                if T > 1 and np.max(np.abs(ys3 - ys)) < 1e-6:
                    sys.exit("FAIL: reset-before indistinguishable from reset-after on %s s%d" % (name, k))
            else:
                y, hn, cn = run_torch(model, cell, x, h0, c0)
            assert y.shape == (T, O), (name, y.shape)
            assert np.all(np.isfinite(y)) and np.all(np.isfinite(hn))
            et.append(("s%d.input" % k, "F64", x.numpy()))
            for j in range(L):
                et.append(("s%d.h0.l%d" % (k, j), "F64", h0[j].numpy()))
            if cell == "lstm":
                for j in range(L):
                    et.append(("s%d.c0.l%d" % (k, j), "F64", c0[j].numpy()))
            et.append(("s%d.output" % k, "F64", y))
            for j in range(L):
                et.append(("s%d.hn.l%d" % (k, j), "F64", hn[j]))
            if cell == "lstm":
                for j in range(L):
                    et.append(("s%d.cn.l%d" % (k, j), "F64", cn[j]))
            stats.append("s%d max|y|=%.3g max|hn|=%.3g" % (k, np.max(np.abs(y)), np.max(np.abs(hn))))
        efile = "%s.expected.safetensors" % name
        write_safetensors(os.path.join(DATA_DIR, efile), et, meta)

        # round-trip self-check of the writer
        for fn, tensors in ((wfile, wt), (efile, et)):
            rmeta, rt = read_safetensors(os.path.join(DATA_DIR, fn))
            assert rmeta == meta, fn
            assert list(rt.keys()) == [n for n, _, _ in tensors], fn
            for n, _, a in tensors:
                assert rt[n].shape == a.shape and np.array_equal(rt[n], a), (fn, n)

        wsize = os.path.getsize(os.path.join(DATA_DIR, wfile))
        esize = os.path.getsize(os.path.join(DATA_DIR, efile))
        total_bytes += wsize + esize
        print("%-12s seed=%d weights=%7d B expected=%7d B | %s"
              % (name, seed, wsize, esize, "; ".join(stats)))

        entry = OrderedDict(meta)
        entry["seed"] = seed
        entry["weights_file"] = wfile
        entry["expected_file"] = efile
        manifest_cases.append(entry)

    manifest = OrderedDict([
        ("generator", "tests/reference/make_reference.py"),
        ("torch_version", torch.__version__),
        ("numpy_version", np.__version__),
        ("scenarios", [OrderedDict([("k", k), ("T", T),
                                    ("initial_state", "random" if r else "zero")])
                       for k, T, r in SCENARIOS]),
        ("cases", manifest_cases),
    ])
    mpath = os.path.join(DATA_DIR, "manifest.json")
    with open(mpath, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(manifest, indent=2) + "\n")
    total_bytes += os.path.getsize(mpath)

    h = hashlib.sha256()
    for fn in sorted(os.listdir(DATA_DIR)):
        with open(os.path.join(DATA_DIR, fn), "rb") as f:
            h.update(fn.encode() + b"\0" + f.read())
    print("Summary: %d cases, %d files, %d bytes total in %s" %
          (len(manifest_cases), 2 * len(manifest_cases) + 1, total_bytes, DATA_DIR))
    print("sha256 over data/: %s" % h.hexdigest())

    make_quickstart()


# ---- The quickstart sample's model: a tiny LSTM trained here to continue a sine wave.
QUICKSTART_DIR = os.path.join(HERE, "..", "..", "samples", "Quickstart")
QUICKSTART_SEED = 7
QUICKSTART_STEP = 0.3  # radians between samples


def make_quickstart():
    """Trains LSTM(1 -> 16) + Linear(16 -> 1) in float64 to predict sin(w(t+1)) from sin(w t), and writes:
    samples/Quickstart/sine-lstm.safetensors (F32 weights, float32-exact) and
    data/quickstart.expected.safetensors (input [32, 1] and PyTorch's output [32, 1] from a zero state)."""
    torch.manual_seed(QUICKSTART_SEED)
    model = Model("lstm", 1, 16, 1, True, [("none", 1)]).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    t = torch.arange(0, 2000, dtype=torch.float64)
    wave = torch.sin(QUICKSTART_STEP * t)
    for step in range(400):
        start = (step * 37) % 1900
        x = wave[start:start + 64].reshape(1, 64, 1)
        target = wave[start + 1:start + 65].reshape(1, 64, 1)
        y, _ = model(x, None)
        loss = torch.mean((y - target) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        for p in model.parameters():
            p.data = f32_round(p.data)
        x = f32_round(torch.sin(QUICKSTART_STEP * torch.arange(0, 32, dtype=torch.float64))).reshape(1, 32, 1)
        y, _ = model(x, None)
    print("Quickstart: final training loss %.2e" % float(loss))
    os.makedirs(QUICKSTART_DIR, exist_ok=True)
    weights = [(k, "F32", v.numpy().astype(np.float32)) for k, v in model.state_dict().items()]
    write_safetensors(os.path.join(QUICKSTART_DIR, "sine-lstm.safetensors"), weights,
                      OrderedDict([("model", "LSTM(1 -> 16) + Linear(16 -> 1), next sample of sin(0.3 t)"),
                                   ("generator", "tests/reference/make_reference.py")]))
    expected = [("input", "F64", x.reshape(32, 1).numpy()),
                ("output", "F64", y.reshape(32, 1).detach().numpy())]
    write_safetensors(os.path.join(DATA_DIR, "quickstart.expected.safetensors"), expected,
                      OrderedDict([("case", "quickstart")]))


if __name__ == "__main__":
    main()
