#!/usr/bin/env python3
"""Generate the reference files for RnnGen's Keras and ONNX importers (tests/RnnGen.Import.Tests).

What it writes into tests/reference/import/
-------------------------------------------
* ``keras/*.json``   - Keras layer weights in RnnGen's Keras JSON format (docs/importing.md): the format that
  RTNeural's exporter writes, plus the optional fields the documented snippet adds (``recurrent_activation``,
  ``reset_after``, ``use_bias``, ...). ``keras/rtneural_gru.json`` is written exactly as RTNeural's
  ``model_utils.save_model`` would (``shape``, ``activation`` "" for linear, no recurrent_activation).
* ``onnx/*.onnx``    - ONNX models built with onnx.helper (opset 14): random-weight LSTM/GRU (both
  linear_before_reset)/RNN models with a Gemm or MatMul+Add head, stacked models (layout 0 and 1), two models
  exported by torch.onnx.export from real PyTorch modules, and small files with features RnnGen refuses.
* ``onnx/conformance/test_*.onnx`` - every ONNX backend conformance case of
  tests/RnnGen.Numerics.Tests/Conformance/onnx/*.json rebuilt as a model (X a graph input; W, R, B, P,
  initial_h, initial_c, sequence_lens initializers), for the C# test to run through OnnxImporter and compare with
  the JSON's expected outputs. The JSON files use opset 22; the rebuilt models declare opset 14, whose RNN, GRU
  and LSTM definitions are the same apart from the allowed element types (python3-onnx 1.12 knows opsets <= 17).
* ``cases.json``     - for every Keras and ONNX case: the file, the C# model, the input sequence [T, I] of one
  stream (float32-exact values) and the expected outputs [T, O] in float64.
* ``export/lstm_dense.rnngen.safetensors`` is written by the C# test suite (RnnGen's SaveSafetensors, after
  importing keras/lstm_dense.json). This script does not write it: it reads it with make_reference.py's own
  safetensors reader and checks every tensor against the PyTorch state_dict it expects, and PyTorch's output
  with that state_dict loaded into the PyTorch module.

How the expected outputs are made (all float64, from float32-exact weights and inputs)
--------------------------------------------------------------------------------------
1. Weights are drawn in PyTorch layout (``weight_ih [G*H, I]`` rows LSTM [i, f, g, o], GRU [r, z, n]).
2. ``ref_forward`` runs the model in PyTorch layout with numpy. For LSTM, PyTorch's GRU (reset after) and RNN it is
   compared with torch.nn modules (float64) first; the reset-before GRU, which PyTorch cannot express, is checked
   against a step-by-step torch.nn.functional version of its equations.
3. Each file format has its own independent numpy implementation of *that framework's* equations in *its* layout:
   ``keras_forward`` (kernels [I, G*H], Keras gate order LSTM i,f,c,o and GRU z,r,h, bias rows, reset_after both
   ways) and ``onnx_forward`` (W [G*H, I], gate order LSTM i,o,f,c and GRU z,r,h, B = [Wb, Rb],
   linear_before_reset both ways). Every file's outputs in its own framework's equations must equal step 2's to
   1e-12, which checks the layout conversion in this script; the C# importer is then checked against them.

Keras layout from PyTorch layout (what the importer undoes):
  LSTM    kernel = weight_ih.T ([I, 4H], column blocks i, f, c=g, o: the same order as PyTorch),
          recurrent_kernel = weight_hh.T, bias = bias_ih + bias_hh (one row)
  GRU     column blocks [z, r, h] = PyTorch row blocks [1, 0, 2];
          reset_after=True: bias [2, 3H] = [input bias, recurrent bias] = [bias_ih, bias_hh] (reordered);
          reset_after=False: bias [3H] = bias_ih + bias_hh (the reset-before cell adds both outside r)
  SimpleRNN kernel = weight_ih.T, recurrent_kernel = weight_hh.T, bias = bias_ih + bias_hh
  Dense   kernel = weight.T ([in, out]), bias = bias
Single-bias cases are drawn with bias_hh = 0 (so bias_ih + bias_hh stays float32-exact); that is also what the
importer loads: bias_ih = b, bias_hh = 0.

Run from the repository root (needs Debian's python3-torch, python3-numpy and python3-onnx)::

    /usr/bin/python3 tests/reference/make_import_reference.py

It is deterministic (fixed seeds, one thread): a second run writes byte-identical files (it prints a sha256 over
the folder). Before writing it deletes the old generated files (never export/).
"""

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import glob
import hashlib
import io
import json
import sys
import warnings
from collections import OrderedDict

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "import")
KERAS_DIR = os.path.join(OUT, "keras")
ONNX_DIR = os.path.join(OUT, "onnx")
CONFORMANCE_OUT = os.path.join(ONNX_DIR, "conformance")
EXPORT_DIR = os.path.join(OUT, "export")
CONFORMANCE_JSON = os.path.join(ROOT, "tests", "RnnGen.Numerics.Tests", "Conformance", "onnx")

sys.path.insert(0, HERE)
from make_reference import read_safetensors  # noqa: E402  (the reference script's own reader)

OPSET = 14
TOL = 1e-12
STEPS = 7

# --------------------------------------------------------------------------------------------------------------
# Model specs. A recurrent layer: dict(cell, I, H, bias, act, reset_after); a Dense layer: dict(I, O, bias, act).
# Names follow RnnGen's defaults: rnn.*_l{k} for the recurrent stack (one module), head / head.{k} for Dense.
# --------------------------------------------------------------------------------------------------------------


def rec(cell, I, H, bias=True, act="tanh", reset_after=True):
    return dict(cell=cell, I=I, H=H, bias=bias, act=act, reset_after=reset_after)


def dense(I, O, bias=True, act="none"):
    return dict(I=I, O=O, bias=bias, act=act)


GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def draw(rng, shape, scale):
    return f32(rng.uniform(-scale, scale, size=shape))


def make_params(seed, layers, head, single_bias):
    """PyTorch-layout float32-exact parameters. single_bias: bias_hh = 0 (for Keras one-row biases)."""
    rng = np.random.RandomState(seed)
    p = OrderedDict()
    for k, l in enumerate(layers):
        g = GATES[l["cell"]] * l["H"]
        scale = 0.6 if l["act"] == "relu" else 0.9
        p["rnn.weight_ih_l%d" % k] = draw(rng, (g, l["I"]), scale)
        p["rnn.weight_hh_l%d" % k] = draw(rng, (g, l["H"]), scale)
        if l["bias"]:
            p["rnn.bias_ih_l%d" % k] = draw(rng, (g,), 0.6)
            p["rnn.bias_hh_l%d" % k] = np.zeros(g) if single_bias and not (l["cell"] == "gru" and l["reset_after"]) else draw(rng, (g,), 0.6)
    for k, d in enumerate(head):
        m = "head" if len(head) == 1 else "head.%d" % k
        p[m + ".weight"] = draw(rng, (d["O"], d["I"]), 0.9)
        if d["bias"]:
            p[m + ".bias"] = draw(rng, (d["O"],), 0.5)
    return p


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def activation(name, x):
    if name in ("none", "linear", ""):
        return x
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return sigmoid(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(name)


def dense_module(head, k):
    return "head" if len(head) == 1 else "head.%d" % k


def apply_head(p, head, y):
    for k, d in enumerate(head):
        m = dense_module(head, k)
        y = y @ p[m + ".weight"].T + (p[m + ".bias"] if d["bias"] else 0.0)
        y = activation(d["act"], y)
    return y


# --------------------------------------------------------------------------------------------------------------
# Reference 1: PyTorch layout, numpy (checked against torch.nn modules)
# --------------------------------------------------------------------------------------------------------------

def ref_forward(p, layers, head, x):
    """x [T, I] one stream from zero state; returns [T, O]."""
    y = x
    for k, l in enumerate(layers):
        H = l["H"]
        W, R = p["rnn.weight_ih_l%d" % k], p["rnn.weight_hh_l%d" % k]
        bi = p.get("rnn.bias_ih_l%d" % k, np.zeros(W.shape[0]))
        bh = p.get("rnn.bias_hh_l%d" % k, np.zeros(W.shape[0]))
        h, c = np.zeros(H), np.zeros(H)
        out = []
        for t in range(y.shape[0]):
            gi, gh = W @ y[t] + bi, R @ h + bh
            if l["cell"] == "lstm":
                i, f, g, o = sigmoid(gi[:H] + gh[:H]), sigmoid(gi[H:2 * H] + gh[H:2 * H]), \
                    np.tanh(gi[2 * H:3 * H] + gh[2 * H:3 * H]), sigmoid(gi[3 * H:] + gh[3 * H:])
                c = f * c + i * g
                h = o * np.tanh(c)
            elif l["cell"] == "gru":
                r, z = sigmoid(gi[:H] + gh[:H]), sigmoid(gi[H:2 * H] + gh[H:2 * H])
                if l["reset_after"]:
                    n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
                else:
                    n = np.tanh(gi[2 * H:] + R[2 * H:] @ (r * h) + bh[2 * H:])
                h = (1 - z) * n + z * h
            else:
                h = activation(l["act"], gi + gh)
            out.append(h)
        y = np.array(out)
    return apply_head(p, head, y)


def torch_forward(p, layers, head, x):
    """The same with torch.nn modules (float64); None when a layer is a reset-before GRU."""
    y = torch.tensor(x[None], dtype=torch.float64)
    with torch.no_grad():
        for k, l in enumerate(layers):
            if l["cell"] == "gru" and not l["reset_after"]:
                return None
            cls = {"lstm": nn.LSTM, "gru": nn.GRU}.get(l["cell"])
            m = cls(l["I"], l["H"], batch_first=True, bias=l["bias"]) if cls else \
                nn.RNN(l["I"], l["H"], batch_first=True, bias=l["bias"], nonlinearity=l["act"])
            m = m.double()
            sd = {"weight_ih_l0": p["rnn.weight_ih_l%d" % k], "weight_hh_l0": p["rnn.weight_hh_l%d" % k]}
            if l["bias"]:
                sd["bias_ih_l0"], sd["bias_hh_l0"] = p["rnn.bias_ih_l%d" % k], p["rnn.bias_hh_l%d" % k]
            m.load_state_dict({n: torch.tensor(v) for n, v in sd.items()})
            y, _ = m(y)
    return apply_head(p, head, y[0].numpy())


def functional_gru_rb(p, k, H, x):
    """Reset-before GRU with torch.nn.functional, step by step (cross-check of ref_forward's reset-before path)."""
    W, R = torch.tensor(p["rnn.weight_ih_l%d" % k]), torch.tensor(p["rnn.weight_hh_l%d" % k])
    bi = torch.tensor(p.get("rnn.bias_ih_l%d" % k, np.zeros(3 * H)))
    bh = torch.tensor(p.get("rnn.bias_hh_l%d" % k, np.zeros(3 * H)))
    h = torch.zeros(H, dtype=torch.float64)
    out = []
    for t in range(x.shape[0]):
        xt = torch.tensor(x[t])
        rz = torch.sigmoid(torch.nn.functional.linear(xt, W[:2 * H], bi[:2 * H]) + torch.nn.functional.linear(h, R[:2 * H], bh[:2 * H]))
        r, z = rz[:H], rz[H:]
        n = torch.tanh(torch.nn.functional.linear(xt, W[2 * H:], bi[2 * H:]) + torch.nn.functional.linear(r * h, R[2 * H:], bh[2 * H:]))
        h = (1 - z) * n + z * h
        out.append(h)
    return torch.stack(out).numpy()


# --------------------------------------------------------------------------------------------------------------
# Keras layout and Keras's equations
# --------------------------------------------------------------------------------------------------------------

# Keras column block j holds PyTorch row block KERAS_FROM_TORCH[cell][j].
KERAS_FROM_TORCH = {"lstm": [0, 1, 2, 3], "gru": [1, 0, 2], "rnn": [0]}
# ONNX block j holds PyTorch block ONNX_FROM_TORCH[cell][j]: LSTM [i, o, f, c] <- [i, f, g, o]; GRU [z, r, h] <- [r, z, n].
ONNX_FROM_TORCH = {"lstm": [0, 3, 1, 2], "gru": [1, 0, 2], "rnn": [0]}


def blocks(a, order, H):
    """Reorders the leading-axis blocks of size H of a (rows) by order."""
    return np.concatenate([a[j * H:(j + 1) * H] for j in order], axis=0)


def to_keras(p, layers, head):
    """Keras get_weights() lists per layer, from PyTorch-layout parameters."""
    out = []
    for k, l in enumerate(layers):
        H, order = l["H"], KERAS_FROM_TORCH[l["cell"]]
        w = [blocks(p["rnn.weight_ih_l%d" % k], order, H).T, blocks(p["rnn.weight_hh_l%d" % k], order, H).T]
        if l["bias"]:
            bi, bh = blocks(p["rnn.bias_ih_l%d" % k], order, H), blocks(p["rnn.bias_hh_l%d" % k], order, H)
            if l["cell"] == "gru" and l["reset_after"]:
                w.append(np.stack([bi, bh]))
            else:
                b = bi + bh
                assert np.array_equal(b, f32(b)), "single Keras bias must stay float32-exact"
                w.append(b)
        out.append(w)
    for k, d in enumerate(head):
        m = dense_module(head, k)
        w = [p[m + ".weight"].T]
        if d["bias"]:
            w.append(p[m + ".bias"])
        out.append(w)
    return out


def keras_forward(kw, layers, head, x):
    """Keras's equations in Keras layout (kernel [I, G*H], gates i,f,c,o / z,r,h)."""
    y = x
    for k, l in enumerate(layers):
        H = l["H"]
        kernel, rk = kw[k][0], kw[k][1]
        bias = kw[k][2] if l["bias"] else None
        h, c = np.zeros(H), np.zeros(H)
        out = []
        for t in range(y.shape[0]):
            xt = y[t]
            if l["cell"] == "lstm":
                z = xt @ kernel + h @ rk + (bias if bias is not None else 0.0)
                zi, zf, zc, zo = z[:H], z[H:2 * H], z[2 * H:3 * H], z[3 * H:]
                i, f, o = sigmoid(zi), sigmoid(zf), sigmoid(zo)
                c = f * c + i * np.tanh(zc)
                h = o * np.tanh(c)
            elif l["cell"] == "gru":
                if l["reset_after"]:
                    b_in, b_rec = (bias[0], bias[1]) if bias is not None else (0.0, 0.0)
                    mx = xt @ kernel + b_in
                    mi = h @ rk + b_rec
                    z = sigmoid(mx[:H] + mi[:H])
                    r = sigmoid(mx[H:2 * H] + mi[H:2 * H])
                    hh = np.tanh(mx[2 * H:] + r * mi[2 * H:])
                else:
                    b = bias if bias is not None else np.zeros(3 * H)
                    mx = xt @ kernel + b
                    z = sigmoid(mx[:H] + h @ rk[:, :H])
                    r = sigmoid(mx[H:2 * H] + h @ rk[:, H:2 * H])
                    hh = np.tanh(mx[2 * H:] + (r * h) @ rk[:, 2 * H:])
                h = z * h + (1 - z) * hh
            else:
                h = activation(l["act"], xt @ kernel + (bias if bias is not None else 0.0) + h @ rk)
            out.append(h)
        y = np.array(out)
    for k, d in enumerate(head):
        w = kw[len(layers) + k]
        y = activation(d["act"], y @ w[0] + (w[1] if d["bias"] else 0.0))
    return y


KERAS_TYPES = {"lstm": "lstm", "gru": "gru", "rnn": "simplernn"}
KERAS_ACT = {"none": "linear", "tanh": "tanh", "sigmoid": "sigmoid", "relu": "relu", "softmax": "softmax"}


def keras_json(kw, layers, head, I):
    """What docs/importing.md's snippet writes for a Sequential model of these layers."""
    out = []
    for k, l in enumerate(layers):
        e = OrderedDict()
        e["type"] = KERAS_TYPES[l["cell"]]
        e["name"] = "%s_%d" % (e["type"], k)
        e["units"] = l["H"]
        e["activation"] = l["act"] if l["cell"] == "rnn" else "tanh"
        if l["cell"] != "rnn":
            e["recurrent_activation"] = "sigmoid"
        e["use_bias"] = l["bias"]
        if l["cell"] == "gru":
            e["reset_after"] = l["reset_after"]
        e["go_backwards"] = False
        e["return_sequences"] = True
        e["weights"] = [np.asarray(w, dtype=np.float32).tolist() for w in kw[k]]
        out.append(e)
    for k, d in enumerate(head):
        e = OrderedDict()
        e["type"] = "dense"
        e["name"] = "dense_%d" % k
        e["units"] = d["O"]
        e["activation"] = KERAS_ACT[d["act"]]
        e["use_bias"] = d["bias"]
        e["weights"] = [np.asarray(w, dtype=np.float32).tolist() for w in kw[len(layers) + k]]
        out.append(e)
    return OrderedDict([("in_shape", [None, None, I]), ("layers", out)])


def rtneural_json(kw, layers, head, I):
    """Exactly what RTNeural's python/model_utils.py save_model writes (TF 2 Keras): no recurrent_activation."""
    out = []
    for k, l in enumerate(layers):
        out.append(OrderedDict([("type", {"lstm": "lstm", "gru": "gru"}[l["cell"]]), ("activation", "tanh"),
                                ("shape", [None, None, l["H"]]),
                                ("weights", [np.asarray(w, dtype=np.float32).tolist() for w in kw[k]])]))
    for k, d in enumerate(head):
        out.append(OrderedDict([("type", "dense"), ("activation", "" if d["act"] == "none" else d["act"]),
                                ("shape", [None, None, d["O"]]),
                                ("weights", [np.asarray(w, dtype=np.float32).tolist() for w in kw[len(layers) + k]])]))
    return OrderedDict([("in_shape", [None, None, I]), ("layers", out)])


# --------------------------------------------------------------------------------------------------------------
# ONNX layout and ONNX's equations
# --------------------------------------------------------------------------------------------------------------

def to_onnx(p, layers, k):
    l = layers[k]
    H, order = l["H"], ONNX_FROM_TORCH[l["cell"]]
    W = blocks(p["rnn.weight_ih_l%d" % k], order, H)[None]
    R = blocks(p["rnn.weight_hh_l%d" % k], order, H)[None]
    B = None
    if l["bias"]:
        B = np.concatenate([blocks(p["rnn.bias_ih_l%d" % k], order, H), blocks(p["rnn.bias_hh_l%d" % k], order, H)])[None]
    return W, R, B


def onnx_cell(op, W, R, B, x, lbr, act, h0=None, c0=None):
    """ONNX equations (operator docs), one direction, x [T, I]; returns Y [T, H]."""
    W, R = W[0], R[0]
    G = W.shape[0]
    H = R.shape[1]
    Wb, Rb = (B[0][:G], B[0][G:]) if B is not None else (np.zeros(G), np.zeros(G))
    h = np.zeros(H) if h0 is None else h0
    c = np.zeros(H) if c0 is None else c0
    ys = []
    for t in range(x.shape[0]):
        xt = x[t]
        if op == "LSTM":
            g = W @ xt + R @ h + Wb + Rb
            i, o, f, cc = sigmoid(g[:H]), sigmoid(g[H:2 * H]), sigmoid(g[2 * H:3 * H]), np.tanh(g[3 * H:])
            c = f * c + i * cc
            h = o * np.tanh(c)
        elif op == "GRU":
            z = sigmoid(W[:H] @ xt + R[:H] @ h + Wb[:H] + Rb[:H])
            r = sigmoid(W[H:2 * H] @ xt + R[H:2 * H] @ h + Wb[H:2 * H] + Rb[H:2 * H])
            if lbr:
                hh = np.tanh(W[2 * H:] @ xt + r * (R[2 * H:] @ h + Rb[2 * H:]) + Wb[2 * H:])
            else:
                hh = np.tanh(W[2 * H:] @ xt + R[2 * H:] @ (r * h) + Rb[2 * H:] + Wb[2 * H:])
            h = (1 - z) * hh + z * h
        else:
            h = activation(act.lower(), W @ xt + R @ h + Wb + Rb)
        ys.append(h)
    return np.array(ys)


ONNX_OPS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


def onnx_forward(p, layers, head, x):
    y = x
    for k, l in enumerate(layers):
        W, R, B = to_onnx(p, layers, k)
        y = onnx_cell(ONNX_OPS[l["cell"]], W, R, B, y, 1 if l["reset_after"] else 0, l["act"])
    return apply_head(p, head, y)


def f32_tensor(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def i64_tensor(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.int64), name)


def save_model(graph, path, opset=OPSET):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="make_import_reference.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return model


def build_onnx(name, p, layers, head, head_style, layout=0, extra_node_attrs=None, skip_layer=None):
    """A chain graph: X -> (RNN node -> Squeeze) per layer -> head -> out.

    head_style per Dense layer: "matmul" (MatMul [+ Add]) or "gemm" (Reshape to [-1, in], Gemm transB=1) or
    "gemm_t0" (Gemm with B [in, out], transB=0)."""
    nodes, inits = [], []
    I = layers[0]["I"]
    T, N = "T", "N"
    x_shape = [T, N, I] if layout == 0 else [N, T, I]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)]
    cur = "X"
    cur_shape = list(x_shape)
    rows_merged = False
    for k, l in enumerate(layers):
        if skip_layer == k:
            continue
        W, R, B = to_onnx(p, layers, k)
        op = ONNX_OPS[l["cell"]]
        ins = [cur, "W%d" % k, "R%d" % k]
        inits += [f32_tensor("W%d" % k, W), f32_tensor("R%d" % k, R)]
        if B is not None:
            ins.append("B%d" % k)
            inits.append(f32_tensor("B%d" % k, B))
        attrs = dict(hidden_size=l["H"])
        if layout:
            attrs["layout"] = 1
        if op == "GRU":
            attrs["linear_before_reset"] = 1 if l["reset_after"] else 0
        if op == "RNN" and l["act"] == "relu":
            attrs["activations"] = ["Relu"]
        if extra_node_attrs and k in extra_node_attrs:
            attrs.update(extra_node_attrs[k])
        nodes.append(helper.make_node(op, ins, ["Y%d" % k], name="%s_%d" % (op.lower(), k), **attrs))
        axes = "axes_d%d" % k
        inits.append(i64_tensor(axes, [1 if layout == 0 else 2]))
        nodes.append(helper.make_node("Squeeze", ["Y%d" % k, axes], ["S%d" % k], name="squeeze_%d" % k))
        cur = "S%d" % k
        cur_shape = [T, N, l["H"]] if layout == 0 else [N, T, l["H"]]
    for k, d in enumerate(head):
        m = dense_module(head, k)
        Wt = p[m + ".weight"]
        style = head_style[k]
        if style == "matmul":
            inits.append(f32_tensor("dense%d_kernel" % k, Wt.T))
            nodes.append(helper.make_node("MatMul", [cur, "dense%d_kernel" % k], ["D%d" % k], name="dense%d_matmul" % k))
            cur = "D%d" % k
            cur_shape = cur_shape[:-1] + [d["O"]]
            if d["bias"]:
                inits.append(f32_tensor("dense%d_bias" % k, p[m + ".bias"]))
                # PyTorch's exporter writes Add(bias, x); use both orders across the cases.
                ins = ["dense%d_bias" % k, cur] if k % 2 else [cur, "dense%d_bias" % k]
                nodes.append(helper.make_node("Add", ins, ["A%d" % k], name="dense%d_add" % k))
                cur = "A%d" % k
        else:
            if not rows_merged:
                inits.append(i64_tensor("rows_shape", [-1, d["I"]]))
                nodes.append(helper.make_node("Reshape", [cur, "rows_shape"], ["rows"], name="merge_rows"))
                cur = "rows"
                rows_merged = True
            cur_shape = ["rows", d["O"]]
            transB = 1 if style == "gemm" else 0
            inits.append(f32_tensor("dense%d_weight" % k, Wt if transB else Wt.T))
            ins = [cur, "dense%d_weight" % k]
            if d["bias"]:
                inits.append(f32_tensor("dense%d_bias" % k, p[m + ".bias"]))
                ins.append("dense%d_bias" % k)
            nodes.append(helper.make_node("Gemm", ins, ["G%d" % k], name="dense%d_gemm" % k, transB=transB))
            cur = "G%d" % k
        act = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu", "softmax": "Softmax"}.get(d["act"])
        if act:
            attrs = {"axis": -1} if act == "Softmax" else {}
            nodes.append(helper.make_node(act, [cur], ["act%d" % k], name="dense%d_%s" % (k, act.lower()), **attrs))
            cur = "act%d" % k
    nodes.append(helper.make_node("Identity", [cur], ["out"], name="output"))
    outputs = [helper.make_tensor_value_info("out", TensorProto.FLOAT, cur_shape)]
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    return save_model(graph, os.path.join(ONNX_DIR, name + ".onnx"))


# --------------------------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------------------------

# (case name, C# model class, recurrent layers, head)
ARCHS = OrderedDict([
    ("lstm_dense", ("Lstm3x5Dense2", [rec("lstm", 3, 5)], [dense(5, 2)])),
    ("gru_dense_tanh", ("Gru3x4Dense2Tanh", [rec("gru", 3, 4)], [dense(4, 2, act="tanh")])),
    ("gru_rb_dense", ("GruRb3x4Dense2", [rec("gru", 3, 4, reset_after=False)], [dense(4, 2)])),
    ("rnn_relu_softmax", ("RnnRelu2x4Softmax3", [rec("rnn", 2, 4, act="relu")], [dense(4, 3, act="softmax")])),
    ("stacked", ("Stacked", [rec("lstm", 2, 4), rec("gru", 4, 3), rec("rnn", 3, 3)], [dense(3, 4, act="relu"), dense(4, 2)])),
    ("no_bias", ("LstmNoBias", [rec("lstm", 3, 4, bias=False)], [dense(4, 2, bias=False)])),
])


def check_close(what, a, b, tol=TOL):
    err = float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
    if not err < tol:
        raise SystemExit("%s: max abs difference %.3e >= %g" % (what, err, tol))
    return err


def inputs_for(seed, T, I):
    return f32(np.random.RandomState(seed).uniform(-1.5, 1.5, size=(T, I)))


def case_entry(kind, file, model, x, y):
    return OrderedDict([("kind", kind), ("file", file), ("model", model), ("steps", int(x.shape[0])),
                        ("inputs", [float(v) for v in x.reshape(-1)]), ("outputs", [float(v) for v in y.reshape(-1)])])


def write_json(path, obj, indent=None):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")


def main():
    for d in (KERAS_DIR, ONNX_DIR, CONFORMANCE_OUT, EXPORT_DIR):
        os.makedirs(d, exist_ok=True)
    for pattern in ("keras/*.json", "onnx/*.onnx", "onnx/conformance/*.onnx", "cases.json"):
        for fn in glob.glob(os.path.join(OUT, pattern)):
            os.remove(fn)

    cases = OrderedDict()
    params = OrderedDict()
    for index, (name, (model, layers, head)) in enumerate(ARCHS.items()):
        I = layers[0]["I"]
        x = inputs_for(500 + index, STEPS, I)

        # Keras: single-row biases (bias_hh = 0) except the reset-after GRU.
        pk = make_params(100 + index, layers, head, single_bias=True)
        yk = ref_forward(pk, layers, head, x)
        yt = torch_forward(pk, layers, head, x)
        if yt is not None:
            check_close(name + " keras weights: numpy reference vs torch.nn", yk, yt)
        for k, l in enumerate(layers):
            if l["cell"] == "gru" and not l["reset_after"] and k == 0:
                check_close(name + " reset-before GRU vs torch.nn.functional", ref_forward(pk, layers[:1], [], x), functional_gru_rb(pk, 0, l["H"], x))
        kw = to_keras(pk, layers, head)
        check_close(name + " keras equations (Keras layout) vs reference", keras_forward(kw, layers, head, x), yk)
        write_json(os.path.join(KERAS_DIR, name + ".json"), keras_json(kw, layers, head, I))
        cases["keras/" + name] = case_entry("keras", "keras/%s.json" % name, model, x, yk)
        params["keras/" + name] = pk

        # ONNX: two bias vectors everywhere.
        po = make_params(200 + index, layers, head, single_bias=False)
        yo = ref_forward(po, layers, head, x)
        yt = torch_forward(po, layers, head, x)
        if yt is not None:
            check_close(name + " onnx weights: numpy reference vs torch.nn", yo, yt)
        check_close(name + " onnx equations (ONNX layout) vs reference", onnx_forward(po, layers, head, x), yo)
        params["onnx/" + name] = po
        styles = {
            "lstm_dense": ["gemm"], "gru_dense_tanh": ["matmul"], "gru_rb_dense": ["gemm_t0"],
            "rnn_relu_softmax": ["matmul"], "stacked": ["matmul", "gemm"], "no_bias": ["matmul"],
        }[name]
        build_onnx(name, po, layers, head, styles)
        cases["onnx/" + name] = case_entry("onnx", "onnx/%s.onnx" % name, model, x, yo)
        if name == "stacked":
            build_onnx("stacked_layout1", po, layers, head, ["gemm", "matmul"], layout=1)
            cases["onnx/stacked_layout1"] = case_entry("onnx", "onnx/stacked_layout1.onnx", model, x, yo)
            # The same stack with its SimpleRNN layer left out: sizes still fit (GRU 3 -> Dense 3), layers do not.
            build_onnx("stacked_missing_layer", po, layers, head, ["matmul", "gemm"], skip_layer=2)

    # The exact RTNeural exporter output for the GRU case (reset_after=True, bias [2, 3H]).
    _, layers, head = ARCHS["gru_dense_tanh"]
    pk = params["keras/gru_dense_tanh"]
    write_json(os.path.join(KERAS_DIR, "rtneural_gru_dense_tanh.json"),
               rtneural_json(to_keras(pk, layers, head), layers, head, layers[0]["I"]), indent=4)
    c = OrderedDict(cases["keras/gru_dense_tanh"])
    c["file"] = "keras/rtneural_gru_dense_tanh.json"
    cases["keras/rtneural_gru_dense_tanh"] = c

    torch_exports(cases)
    unsupported_onnx()
    conformance()

    write_json(os.path.join(OUT, "cases.json"), cases, indent=1)
    check_export(params)

    digest = hashlib.sha256()
    total = 0
    for fn in sorted(glob.glob(os.path.join(OUT, "**", "*"), recursive=True)):
        if os.path.isfile(fn):
            with open(fn, "rb") as f:
                data = f.read()
            total += len(data)
            digest.update(os.path.relpath(fn, OUT).encode() + b"\0" + data)
    print("wrote %d cases; tests/reference/import: %d bytes, sha256 %s" % (len(cases), total, digest.hexdigest()))


# --------------------------------------------------------------------------------------------------------------
# Models exported by PyTorch itself (torch.onnx.export): Transposes for batch_first, zero initial states built with
# Shape/Gather/Concat/Expand, Squeeze between layers, Linear as MatMul + Add(bias, x).
# --------------------------------------------------------------------------------------------------------------

class TorchModel(nn.Module):
    def __init__(self, rnn, head):
        super().__init__()
        self.rnn = rnn
        self.head = head

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y)


def torch_exports(cases):
    exports = [
        ("torch_lstm2", "TorchLstm2", 3, lambda: TorchModel(nn.LSTM(3, 4, num_layers=2, batch_first=True), nn.Linear(4, 2))),
        ("torch_gru_tanh", "Gru3x4Dense2Tanh", 3, lambda: TorchModel(nn.GRU(3, 4, batch_first=True), nn.Sequential(nn.Linear(4, 2), nn.Tanh()))),
    ]
    for index, (name, model_name, I, factory) in enumerate(exports):
        torch.manual_seed(700 + index)
        m = factory()
        with torch.no_grad():
            for t in m.parameters():
                t.copy_(t.float())  # already float32
        m = m.eval()
        x = inputs_for(800 + index, STEPS, I)
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(m, torch.zeros(1, STEPS, I), buffer, opset_version=OPSET, input_names=["x"], output_names=["y"])
        model = onnx.load_from_string(buffer.getvalue())
        onnx.checker.check_model(model)
        with open(os.path.join(ONNX_DIR, name + ".onnx"), "wb") as f:
            f.write(buffer.getvalue())
        with torch.no_grad():
            expected = m.double()(torch.tensor(x[None]))[0].numpy()
        cases["onnx/" + name] = case_entry("onnx", "onnx/%s.onnx" % name, model_name, x, expected)


# --------------------------------------------------------------------------------------------------------------
# Files with what RnnGen cannot represent (each must fail with an error that names it)
# --------------------------------------------------------------------------------------------------------------

def unsupported_onnx():
    rng = np.random.RandomState(900)
    I, H = 2, 3

    def lstm_graph(name, attrs=None, W_dirs=1, extra_inputs=None, extra_inits=None, x_from=None, after=None, w_node=False):
        G = 4 * H
        inits = [f32_tensor("R", draw(rng, (W_dirs, G, H), 0.5)), f32_tensor("B", draw(rng, (W_dirs, 2 * G), 0.5))]
        nodes = []
        if w_node:
            # W computed at run time: Concat of two halves (what an export without constant folding looks like).
            inits += [f32_tensor("W_a", draw(rng, (W_dirs, G // 2, I), 0.5)), f32_tensor("W_b", draw(rng, (W_dirs, G // 2, I), 0.5))]
            nodes.append(helper.make_node("Concat", ["W_a", "W_b"], ["W"], name="concat_w", axis=1))
        else:
            inits.append(f32_tensor("W", draw(rng, (W_dirs, G, I), 0.5)))
        ins = ["X", "W", "R", "B"] + (extra_inputs or [])
        inits += extra_inits or []
        nodes.append(helper.make_node("LSTM", ins, ["Y", "Y_h"], name="lstm", hidden_size=H, **(attrs or {})))
        out = "Y"
        for n in after or []:
            nodes.append(n)
            out = n.output[0]
        graph_inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "N", I])]
        if extra_inputs and "sequence_lens" in extra_inputs and not any(i.name == "sequence_lens" for i in inits):
            graph_inputs.append(helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, ["N"]))
        graph = helper.make_graph(nodes, name, graph_inputs,
                                  [helper.make_tensor_value_info(out, TensorProto.FLOAT, ["T", 1, "N", H])], initializer=inits)
        save_model(graph, os.path.join(ONNX_DIR, "unsupported_%s.onnx" % name))

    lstm_graph("peepholes", extra_inputs=["", "", "", "P"], extra_inits=[f32_tensor("P", draw(rng, (1, 3 * H), 0.5))])
    lstm_graph("clip", attrs=dict(clip=3.0))
    lstm_graph("input_forget", attrs=dict(input_forget=1))
    lstm_graph("bidirectional", attrs=dict(direction="bidirectional"), W_dirs=2)
    lstm_graph("reverse", attrs=dict(direction="reverse"))
    lstm_graph("activations", attrs=dict(activations=["HardSigmoid", "Tanh", "Tanh"]))
    lstm_graph("scaled_tanh", attrs=dict(activations=["Sigmoid", "Tanh", "ScaledTanh"], activation_alpha=[0.0, 0.0, 1.5], activation_beta=[0.0, 0.0, 0.5]))
    lstm_graph("sequence_lens", extra_inputs=["sequence_lens"])
    lstm_graph("initial_h", extra_inputs=["", "initial_h"], extra_inits=[f32_tensor("initial_h", draw(rng, (1, 1, H), 0.5))])
    lstm_graph("computed_weights", w_node=True)
    lstm_graph("unknown_op", after=[helper.make_node("Sin", ["Y"], ["Y_sin"], name="sine")])
    chain_errors(rng)


def chain_errors(rng):
    """Graphs whose nodes are all supported but whose wiring RnnGen cannot follow (model: 2 LSTM layers I=2, H=3, H=3
    and a Dense(2) head)."""
    I, H = 2, 3

    def lstm(k, x, layout=0):
        inits = [f32_tensor("W%d" % k, draw(rng, (1, 4 * H, I if k == 0 else H), 0.5)),
                 f32_tensor("R%d" % k, draw(rng, (1, 4 * H, H), 0.5)), f32_tensor("B%d" % k, draw(rng, (1, 8 * H), 0.5))]
        attrs = dict(hidden_size=H)
        if layout:
            attrs["layout"] = 1
        return helper.make_node("LSTM", [x, "W%d" % k, "R%d" % k, "B%d" % k], ["Y%d" % k], name="lstm_%d" % k, **attrs), inits

    def save(name, nodes, inits, outputs=("out",)):
        graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "N", I])],
                                  [helper.make_tensor_value_info(o, TensorProto.FLOAT, ["T", "N", 2]) for o in outputs],
                                  initializer=inits)
        save_model(graph, os.path.join(ONNX_DIR, "unsupported_%s.onnx" % name))

    def head(x, extra_inits, act=None, act_attrs=None):
        extra_inits += [f32_tensor("K", draw(rng, (H, 2), 0.5)), f32_tensor("b", draw(rng, (2,), 0.5))]
        nodes = [helper.make_node("MatMul", [x, "K"], ["mm"], name="dense_matmul"),
                 helper.make_node("Add", ["mm", "b"], ["out" if act is None else "logits"], name="dense_add")]
        if act:
            nodes.append(helper.make_node(act, ["logits"], ["out"], name="dense_" + act.lower(), **(act_attrs or {})))
        return nodes

    def squeeze(k, axes):
        return helper.make_node("Squeeze", ["Y%d" % k, "axes%d" % k], ["S%d" % k], name="squeeze_%d" % k), i64_tensor("axes%d" % k, axes)

    # The second node says layout=1 ([batch, time, features]) but gets [time, batch, features].
    n0, i0 = lstm(0, "X")
    s0, a0 = squeeze(0, [1])
    n1, i1 = lstm(1, "S0", layout=1)
    s1, a1 = helper.make_node("Squeeze", ["Y1", "axes1"], ["S1"], name="squeeze_1"), i64_tensor("axes1", [2])
    inits = i0 + i1 + [a0, a1]
    save("layout_mismatch", [n0, s0, n1, s1] + head("S1", inits), inits)

    # Squeeze of the time axis (axis 0) between the layers.
    n0, i0 = lstm(0, "X")
    s0, a0 = squeeze(0, [0, 1])
    n1, i1 = lstm(1, "S0")
    s1, a1 = squeeze(1, [1])
    inits = i0 + i1 + [a0, a1]
    save("squeeze_time", [n0, s0, n1, s1] + head("S1", inits), inits)

    # The first layer's output feeds the second layer and, directly, the head: a branch.
    n0, i0 = lstm(0, "X")
    s0, a0 = squeeze(0, [1])
    n1, i1 = lstm(1, "S0")
    s1, a1 = squeeze(1, [1])
    inits = i0 + i1 + [a0, a1]
    extra = helper.make_node("Add", ["S1", "S0"], ["sum"], name="skip_connection")
    save("branch", [n0, s0, n1, s1, extra] + head("sum", inits), inits)

    # Softmax over the time axis instead of the outputs.
    n0, i0 = lstm(0, "X")
    s0, a0 = squeeze(0, [1])
    n1, i1 = lstm(1, "S0")
    s1, a1 = squeeze(1, [1])
    inits = i0 + i1 + [a0, a1]
    save("softmax_axis", [n0, s0, n1, s1] + head("S1", inits, "Softmax", dict(axis=0)), inits)

    # The logits before the head's Sigmoid are a graph output too.
    n0, i0 = lstm(0, "X")
    s0, a0 = squeeze(0, [1])
    n1, i1 = lstm(1, "S0")
    s1, a1 = squeeze(1, [1])
    inits = i0 + i1 + [a0, a1]
    save("intermediate_output", [n0, s0, n1, s1] + head("S1", inits, "Sigmoid"), inits, outputs=("out", "logits"))


def conformance():
    for path in sorted(glob.glob(os.path.join(CONFORMANCE_JSON, "test_*.json"))):
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
        roles_out = [(e["role"], e["graph_name"]) for e in case["node_outputs"]]
        inputs, inits, node_inputs = [], [], []
        for e in case["node_inputs"]:
            role, gname = e["role"], e["graph_name"]
            if gname == "":
                node_inputs.append("")
                continue
            t = case["inputs"][role]
            dtype = np.float32 if t["dtype"] == "float32" else np.int32
            data = np.array(t["data"], dtype=dtype).reshape(t["shape"])
            if role == "X":
                inputs.append(helper.make_tensor_value_info(gname, TensorProto.FLOAT, t["shape"]))
            else:
                inits.append(numpy_helper.from_array(data, gname))
            node_inputs.append(gname)
        while node_inputs and node_inputs[-1] == "":
            node_inputs.pop()
        node_outputs = [g for _, g in roles_out]
        while node_outputs and node_outputs[-1] == "":
            node_outputs.pop()
        node = helper.make_node(case["op_type"], node_inputs, node_outputs, name=case["test"], **case["attributes_explicit"])
        outputs = [helper.make_tensor_value_info(g, TensorProto.FLOAT, case["outputs"][r]["shape"]) for r, g in roles_out if g]
        graph = helper.make_graph([node], case["test"], inputs, outputs, initializer=inits)
        save_model(graph, os.path.join(CONFORMANCE_OUT, case["test"] + ".onnx"))
        # The rebuilt model computes the JSON's expected outputs (independent numpy ONNX equations, float64).
        d = case["derived"]
        N = d["batch_size"]
        layout = case["attributes_effective"]["layout"]
        X = np.array(case["inputs"]["X"]["data"]).reshape(case["inputs"]["X"]["shape"])
        B = np.array(case["inputs"]["B"]["data"]).reshape(case["inputs"]["B"]["shape"]) if "B" in case["inputs"] else None
        W = np.array(case["inputs"]["W"]["data"]).reshape(case["inputs"]["W"]["shape"])
        R = np.array(case["inputs"]["R"]["data"]).reshape(case["inputs"]["R"]["shape"])
        if "P" in case["inputs"]:
            continue  # peepholes: RnnGen refuses the file; ONNX's own data covers the equations
        expected_h = np.array(case["outputs"]["Y_h"]["data"]).reshape(N, -1)  # [1, N, H] or [N, 1, H]: n-major either way
        for n in range(N):
            xs = X[:, n] if layout == 0 else X[n]
            y = onnx_cell(case["op_type"], W, R, B, xs, case["attributes_effective"].get("linear_before_reset", 0),
                          case["attributes_effective"].get("activations", ["Tanh"])[0] if case["op_type"] == "RNN" else None)
            check_close(case["test"] + " numpy ONNX equations vs the JSON's Y_h", y[-1], expected_h[n], 1e-6)


def check_export(params):
    """export/lstm_dense.rnngen.safetensors: RnnGen's SaveSafetensors output, read back with make_reference.py's reader."""
    path = os.path.join(EXPORT_DIR, "lstm_dense.rnngen.safetensors")
    if not os.path.exists(path):
        print("note: %s is missing; run the C# tests with RNNGEN_WRITE_EXPORT=1 to write it" % os.path.relpath(path, ROOT))
        return
    meta, tensors = read_safetensors(path)
    p = params["keras/lstm_dense"]
    if list(tensors) != list(p):
        raise SystemExit("export: tensor names %s, expected %s" % (list(tensors), list(p)))
    for name, value in p.items():
        got = tensors[name]
        if got.dtype != np.float32 or list(got.shape) != list(value.shape) or not np.array_equal(got.astype(np.float64), value):
            raise SystemExit("export: tensor %s differs from the PyTorch state_dict" % name)
    model = TorchModel(nn.LSTM(3, 5, batch_first=True), nn.Linear(5, 2)).double()
    model.load_state_dict({n: torch.tensor(v.astype(np.float64)) for n, v in tensors.items()})
    x = inputs_for(500, STEPS, 3)
    with torch.no_grad():
        y = model(torch.tensor(x[None]))[0].numpy()
    check_close("export: PyTorch with RnnGen's file vs expected", y, ref_forward(p, ARCHS["lstm_dense"][1], ARCHS["lstm_dense"][2], x))
    print("export: %s loads into PyTorch: every tensor equal, outputs match" % os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
