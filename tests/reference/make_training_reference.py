#!/usr/bin/env python3
"""Generate PyTorch reference data for RnnGen's training (BPTT) support.

This script reuses the forward-reference generator ``make_reference.py`` (same
folder; imported as a module, its ``main()`` is not run) and writes into
``tests/reference/data/``:

* ``{case}.grad.safetensors``   - gradients of L = sum(y * G) with respect to
  every parameter, the input and the initial states, for scenarios k = 1
  (T = 2) and k = 2 (T = 17) of the forward references.  Same weights, inputs
  and initial states as ``{case}.weights.safetensors`` /
  ``{case}.expected.safetensors`` (checked bit for bit before anything is
  written).  See SIZE POLICY below for configurations c4 and c5.
* ``losses.safetensors``        - values and logit gradients of MSE, softmax
  cross-entropy (mean over steps and last step only) and binary
  cross-entropy with logits (hard targets, soft targets, extreme logits).
* ``optimizers.safetensors``    - three steps of SGD / momentum / Nesterov /
  weight decay + dampening, Adam, Adam with L2, AdamW, clipped variants and an
  lr schedule, on a 50-element parameter vector.
* ``train_{case}.safetensors``  - two full training steps (forward, MSE,
  backward, clip_grad_norm_, Adam) for ``lstm_c2`` and ``gru_c3``.

The reset-before GRU (``gru_rb``) has no torch.nn module, so it is run through
a differentiable step-by-step torch implementation (``torch_gru`` below).
Before it is used, that implementation is run in reset-after mode on every
``gru`` case and its outputs *and gradients* are compared with torch.nn.GRU;
in reset-before mode its outputs are compared with the numpy GRU of
``make_reference.py`` (``np_gru`` + ``np_head``).  Both gates use 1e-12.

SIZE POLICY: the full float64 parameter gradients of the big configurations
(c4: H=64, 2 layers; c5: H=128) would take about 6 MB for two scenarios, far
more than the budget for these files.  For c4 and c5 only scenario k = 2 is
written, and its *parameter* gradients are stored as F32 (rounded from the
float64 results); G and the input / initial-state gradients stay F64.  Every
other configuration gets both scenarios in F64.  See ``GRAD_POLICY``.

All math is float64, single-threaded and seeded; running the script twice
gives byte-identical files.  Run it (from the repository root) AFTER
``make_reference.py`` - that script deletes every ``*.safetensors`` in
``data/`` before it writes, including the files written here::

    /usr/bin/python3 tests/reference/make_reference.py            # if needed
    /usr/bin/python3 tests/reference/make_training_reference.py
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import make_reference as mr  # noqa: E402  (sets thread env vars, torch threads, deterministic algorithms)

import hashlib  # noqa: E402
import json  # noqa: E402
from collections import OrderedDict  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

DATA_DIR = mr.DATA_DIR
GENERATOR = "tests/reference/make_training_reference.py"

G_SEED_BASE = 5000        # G of case n: torch.Generator().manual_seed(5000 + n)
LOSS_SEED = 6001          # losses.safetensors
OPT_SEED = 6100           # optimizers.safetensors
TARGET_SEED_BASE = 7000   # train_{case}: target seed 7000 + n

CHECK_TOL = 1e-12         # torch_gru vs nn.GRU / numpy GRU, forward vs stored expected
FD_REL_TOL = 1e-6         # directional finite-difference check of every gradient file

# config -> (scenarios written, dtype of the parameter gradients)
GRAD_POLICY = OrderedDict([
    ("c1", ((1, 2), "F64")),
    ("c2", ((1, 2), "F64")),
    ("c3", ((1, 2), "F64")),
    ("c4", ((2,), "F32")),
    ("c5", ((2,), "F32")),
    ("c6", ((1, 2), "F64")),
])
GRAD_SCENARIOS = (1, 2)    # G is drawn for both, in this order, for every case

TRAIN_CASES = ["lstm_c2", "gru_c3"]
TRAIN_LR = 0.01
TRAIN_MAX_NORM = 1.0
TRAIN_SCENARIO = 2

CLIP_MAX_NORM = 0.5
OPTIMIZERS = OrderedDict([
    ("sgd", dict(type="SGD", lr=0.1)),
    ("sgd_momentum", dict(type="SGD", lr=0.1, momentum=0.9)),
    ("sgd_nesterov", dict(type="SGD", lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd_wd", dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=0.01, dampening=0.1)),
    ("adam", dict(type="Adam", lr=0.01)),
    ("adam_wd", dict(type="Adam", lr=0.01, weight_decay=0.01)),
    ("adamw", dict(type="AdamW", lr=0.01)),
    ("adamw_wd", dict(type="AdamW", lr=0.01, weight_decay=0.1, betas=[0.8, 0.99], eps=1e-6)),
    ("adam_clip", dict(type="Adam", lr=0.01, clip_max_norm=CLIP_MAX_NORM)),
    ("adamw_clip", dict(type="AdamW", lr=0.01, clip_max_norm=CLIP_MAX_NORM)),
    ("sgd_momentum_clip", dict(type="SGD", lr=0.1, momentum=0.9, clip_max_norm=CLIP_MAX_NORM)),
    ("adam_lr_schedule", dict(type="Adam", lr=0.01, lr_per_step=[0.01, 0.005, 0.0025])),
])

_OUR_FILES = ("losses.safetensors", "optimizers.safetensors")


def our_file(fn):
    return fn.endswith(".grad.safetensors") or (fn.startswith("train_") and fn.endswith(".safetensors")) \
        or fn in _OUR_FILES


def fail(msg):
    sys.exit("FAIL: " + msg)


def npy(t):
    return t.detach().numpy().copy()


def write_checked(fn, tensors, meta):
    """Write with mr.write_safetensors and read back (round-trip self-check)."""
    path = os.path.join(DATA_DIR, fn)
    mr.write_safetensors(path, tensors, meta)
    rmeta, rt = mr.read_safetensors(path)
    assert rmeta == OrderedDict((str(k), str(v)) for k, v in meta.items()), fn
    assert list(rt.keys()) == [n for n, _, _ in tensors], fn
    for n, dt, a in tensors:
        if dt == "F64":
            assert np.array_equal(rt[n], a), (fn, n)
        else:
            assert np.array_equal(rt[n], np.asarray(a, dtype=np.float32)), (fn, n)
    return os.path.getsize(path)


# --------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------

def apply_head(model, y):
    if model.head is None:
        return y
    layers = [model.head] if isinstance(model.head, torch.nn.Linear) else list(model.head)
    for lin, a in zip(layers, model.acts):
        y = mr.act_torch(a, lin(y))
    return y


def torch_gru(rnn, x, h0, H, L, reset_after):
    """Differentiable GRU over the parameters of an nn.GRU (rows r, z, n).

    x: [T, I]; h0: [L, H]. Returns (top-layer outputs [T, H], final states [L, H])."""
    seq = x
    hn = []
    for j in range(L):
        W_ih = getattr(rnn, "weight_ih_l%d" % j)
        W_hh = getattr(rnn, "weight_hh_l%d" % j)
        b_ih = getattr(rnn, "bias_ih_l%d" % j, None)
        b_hh = getattr(rnn, "bias_hh_l%d" % j, None)
        W_hr, W_hz, W_hn = W_hh.chunk(3, 0)
        b_hr, b_hz, b_hn = b_hh.chunk(3, 0) if b_hh is not None else (None, None, None)
        gi = F.linear(seq, W_ih, b_ih)  # [T, 3H]
        h = h0[j]
        outs = []
        for t in range(seq.shape[0]):
            i_r, i_z, i_n = gi[t].chunk(3, 0)
            r = torch.sigmoid(i_r + F.linear(h, W_hr, b_hr))
            z = torch.sigmoid(i_z + F.linear(h, W_hz, b_hz))
            if reset_after:
                n = torch.tanh(i_n + r * F.linear(h, W_hn, b_hn))
            else:
                n = torch.tanh(i_n + F.linear(r * h, W_hn, b_hn))
            h = (1.0 - z) * n + z * h
            outs.append(h)
        hn.append(h)
        seq = torch.stack(outs)
    return seq, torch.stack(hn)


def forward(model, cell, x, h0, c0, custom_gru=None):
    """x: [T, I], h0/c0: [L, H] (leaf tensors allowed). Returns (y [T, O], hn [L, H], cn or None).

    custom_gru: None (use torch.nn), or True/False = torch_gru with reset_after."""
    if cell == "gru_rb" or custom_gru is not None:
        reset_after = False if cell == "gru_rb" else bool(custom_gru)
        ys, hn = torch_gru(model.rnn, x, h0, model.rnn.hidden_size, model.rnn.num_layers, reset_after)
        return apply_head(model, ys), hn, None
    state = (h0.unsqueeze(1), c0.unsqueeze(1)) if cell == "lstm" else h0.unsqueeze(1)
    y, st = model(x.unsqueeze(0), state)
    if cell == "lstm":
        return y.squeeze(0), st[0].squeeze(1), st[1].squeeze(1)
    return y.squeeze(0), st.squeeze(1), None


def all_cases():
    out = []
    index = 0
    for cell in mr.CELLS:
        for cfg_name, cfg in mr.CONFIGS.items():
            out.append((index, cell, cfg_name, cfg))
            index += 1
    return out


def rebuild(index, cell, cfg_name, cfg):
    """mr.build_case + check that weights / inputs / states equal the stored forward references bit for bit."""
    name = "%s_%s" % (cell, cfg_name)
    seed, model, scen = mr.build_case(index, cell, cfg_name, cfg)
    wmeta, wts = mr.read_safetensors(os.path.join(DATA_DIR, "%s.weights.safetensors" % name))
    sd = model.state_dict()
    if list(wts.keys()) != list(sd.keys()):
        fail("%s: parameter names differ from the weights file" % name)
    for k, v in sd.items():
        stored = wts[k].astype(np.float32)
        mine = v.numpy().astype(np.float32)
        if stored.shape != mine.shape or stored.tobytes() != mine.tobytes() \
                or not np.array_equal(mine.astype(np.float64), v.numpy()):
            fail("%s: rebuilt %s differs from %s.weights.safetensors" % (name, k, name))
    emeta, exp = mr.read_safetensors(os.path.join(DATA_DIR, "%s.expected.safetensors" % name))
    L = cfg["L"]
    for k, T, x, h0, c0 in scen:
        pairs = [("s%d.input" % k, x)] + [("s%d.h0.l%d" % (k, j), h0[j]) for j in range(L)]
        if cell == "lstm":
            pairs += [("s%d.c0.l%d" % (k, j), c0[j]) for j in range(L)]
        for n, t in pairs:
            if exp[n].tobytes() != t.numpy().astype("<f8").tobytes():
                fail("%s: rebuilt %s differs from the expected file" % (name, n))
    for p in model.parameters():
        p.requires_grad_(True)
    return model, scen, exp, emeta


# --------------------------------------------------------------------------
# 0. check the differentiable GRU
# --------------------------------------------------------------------------

def check_torch_gru(cases):
    print("Checking torch_gru (reset-after) against torch.nn.GRU, outputs and gradients ...")
    worst = 0.0
    for index, cell, cfg_name, cfg in cases:
        if cell != "gru":
            continue
        model, scen, _, _ = rebuild(index, cell, cfg_name, cfg)
        gen = torch.Generator().manual_seed(12345 + index)
        for k, T, x, h0, c0 in scen:
            res = []
            for custom in (None, True):
                xx = x.clone().requires_grad_(True)
                hh = h0.clone().requires_grad_(True)
                model.zero_grad(set_to_none=True)
                y, hn, _ = forward(model, cell, xx, hh, None, custom_gru=custom)
                if custom is None:
                    Gc = torch.randn(y.shape, generator=gen, dtype=torch.float64)
                    Gh = torch.randn(hn.shape, generator=gen, dtype=torch.float64)
                ((y * Gc).sum() + (hn * Gh).sum()).backward()
                vals = [npy(y), npy(hn), npy(xx.grad), npy(hh.grad)] + [npy(p.grad) for p in model.parameters()]
                res.append(vals)
            d = max(float(np.max(np.abs(a - b))) for a, b in zip(*res))
            worst = max(worst, d)
            if not d < CHECK_TOL:
                fail("torch_gru(reset_after=True) differs from nn.GRU on gru_%s s%d: %.3e" % (cfg_name, k, d))
    print("  OK, worst difference %.3e (< %g)" % (worst, CHECK_TOL))

    print("Checking torch_gru (reset-before) against the numpy GRU of make_reference.py ...")
    worst = 0.0
    for index, cell, cfg_name, cfg in cases:
        if cell != "gru_rb":
            continue
        model, scen, exp, _ = rebuild(index, cell, cfg_name, cfg)
        params = {kk: v.numpy().copy() for kk, v in model.state_dict().items()}
        for k, T, x, h0, c0 in scen:
            with torch.no_grad():
                y, hn, _ = forward(model, cell, x, h0, None)
            ys_n, hn_n = mr.np_gru(params, x.numpy(), h0.numpy(), cfg["H"], cfg["L"], reset_after=False)
            y_n = mr.np_head(params, cfg["head"], ys_n)
            d = max(float(np.max(np.abs(npy(y) - y_n))), float(np.max(np.abs(npy(hn) - hn_n))),
                    float(np.max(np.abs(npy(y) - exp["s%d.output" % k]))))
            worst = max(worst, d)
            if not d < CHECK_TOL:
                fail("torch_gru(reset_after=False) differs from numpy on gru_rb_%s s%d: %.3e" % (cfg_name, k, d))
    print("  OK, worst difference %.3e (< %g)" % (worst, CHECK_TOL))


# --------------------------------------------------------------------------
# 1. gradients
# --------------------------------------------------------------------------

def loss_and_grads(model, cell, x, h0, c0, G):
    xx = x.clone().requires_grad_(True)
    hh = h0.clone().requires_grad_(True)
    cc = c0.clone().requires_grad_(True) if cell == "lstm" else None
    model.zero_grad(set_to_none=True)
    y, _, _ = forward(model, cell, xx, hh, cc)
    loss = (y * G).sum()
    loss.backward()
    grads = OrderedDict((n, npy(p.grad)) for n, p in model.named_parameters())
    return npy(y), float(loss), grads, npy(xx.grad), npy(hh.grad), (npy(cc.grad) if cc is not None else None)


def fd_check(model, cell, x, h0, c0, G, grads, gx, gh, gc, gen):
    """Directional central finite difference over all inputs of L at once."""
    names = list(grads.keys())
    dirs = OrderedDict((n, torch.randn(grads[n].shape, generator=gen, dtype=torch.float64)) for n in names)
    dx = torch.randn(x.shape, generator=gen, dtype=torch.float64)
    dh = torch.randn(h0.shape, generator=gen, dtype=torch.float64)
    dc = torch.randn(h0.shape, generator=gen, dtype=torch.float64) if cell == "lstm" else None
    analytic = sum(float((torch.from_numpy(grads[n]) * dirs[n]).sum()) for n in names)
    analytic += float((torch.from_numpy(gx) * dx).sum()) + float((torch.from_numpy(gh) * dh).sum())
    if dc is not None:
        analytic += float((torch.from_numpy(gc) * dc).sum())
    eps = 1e-6
    orig = {n: p.detach().clone() for n, p in model.named_parameters()}
    vals = []
    for s in (1.0, -1.0):
        with torch.no_grad():
            for n, p in model.named_parameters():
                p.copy_(orig[n] + s * eps * dirs[n])
            y, _, _ = forward(model, cell, x + s * eps * dx, h0 + s * eps * dh,
                              (c0 + s * eps * dc) if dc is not None else None)
            vals.append(float((y * G).sum()))
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(orig[n])
    numeric = (vals[0] - vals[1]) / (2 * eps)
    return abs(numeric - analytic) / max(1.0, abs(analytic)), analytic, numeric


def make_gradients(cases):
    print("Gradients of L = sum(y * G) ...")
    total = 0
    fd_worst = 0.0
    for index, cell, cfg_name, cfg in cases:
        name = "%s_%s" % (cell, cfg_name)
        L = cfg["L"]
        O = cfg["head"][-1][1] if cfg["head"] else cfg["H"]
        model, scen, exp, _ = rebuild(index, cell, cfg_name, cfg)
        write_k, pdtype = GRAD_POLICY[cfg_name]
        gen = torch.Generator().manual_seed(G_SEED_BASE + index)
        fd_gen = torch.Generator().manual_seed(54321 + index)
        tensors = []
        stats = []
        for k, T, x, h0, c0 in scen:
            if k not in GRAD_SCENARIOS:
                continue
            G = mr.f32_round(torch.randn(T, O, generator=gen, dtype=torch.float64))
            if k not in write_k:
                continue
            y, loss, grads, gx, gh, gc = loss_and_grads(model, cell, x, h0, c0, G)
            dy = float(np.max(np.abs(y - exp["s%d.output" % k])))
            if not dy < CHECK_TOL:
                fail("%s s%d: forward output differs from the expected file by %.3e" % (name, k, dy))
            rel, a, nmr = fd_check(model, cell, x, h0, c0, G, grads, gx, gh, gc, fd_gen)
            fd_worst = max(fd_worst, rel)
            if not rel < FD_REL_TOL:
                fail("%s s%d: finite-difference check failed: analytic %.12g numeric %.12g" % (name, k, a, nmr))
            for arr in list(grads.values()) + [gx, gh] + ([gc] if gc is not None else []):
                if not np.all(np.isfinite(arr)):
                    fail("%s s%d: non-finite gradient" % (name, k))
            tensors.append(("s%d.G" % k, "F64", G.numpy()))
            for n, g in grads.items():
                tensors.append(("s%d.grad.%s" % (k, n), pdtype, g if pdtype == "F64" else g.astype(np.float32)))
            tensors.append(("s%d.grad.input" % k, "F64", gx))
            for j in range(L):
                tensors.append(("s%d.grad.h0.l%d" % (k, j), "F64", gh[j]))
            if cell == "lstm":
                for j in range(L):
                    tensors.append(("s%d.grad.c0.l%d" % (k, j), "F64", gc[j]))
            gmax = max(float(np.max(np.abs(g))) for g in grads.values())
            stats.append("s%d L=%+.4f max|dW|=%.3g fd=%.1e" % (k, loss, gmax, rel))
        meta = OrderedDict([
            ("case", name),
            ("loss", "sum(y*G)"),
            ("scenarios", ",".join(str(k) for k in write_k)),
            ("param_grad_dtype", pdtype),
            ("g_seed", str(G_SEED_BASE + index)),
            ("generator", GENERATOR),
        ])
        size = write_checked("%s.grad.safetensors" % name, tensors, meta)
        total += size
        print("  %-12s %7d B | %s" % (name, size, "; ".join(stats)))
    print("  finite-difference checks: worst relative difference %.2e (< %g)" % (fd_worst, FD_REL_TOL))
    return total


# --------------------------------------------------------------------------
# 2. losses
# --------------------------------------------------------------------------

def value_grad(fn, x):
    xx = x.clone().requires_grad_(True)
    v = fn(xx)
    v.backward()
    return v.detach().reshape(1).numpy().copy(), npy(xx.grad)


def close(a, b, tol=1e-14):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) < tol


def make_losses():
    T, C = 6, 5
    gen = torch.Generator().manual_seed(LOSS_SEED)
    x = mr.f32_round(torch.randn(T, C, generator=gen, dtype=torch.float64) * 2.0)
    mse_t = mr.f32_round(torch.randn(T, C, generator=gen, dtype=torch.float64))
    ce_t = torch.randint(0, C, (T,), generator=gen)
    bce_t = torch.randint(0, 2, (T, C), generator=gen).double()
    bce_soft_t = mr.f32_round(torch.rand(T, C, generator=gen, dtype=torch.float64))

    mse_v, mse_g = value_grad(lambda z: F.mse_loss(z, mse_t), x)
    ce_v, ce_g = value_grad(lambda z: F.cross_entropy(z, ce_t), x)
    cel_v, cel_g = value_grad(lambda z: F.cross_entropy(z[T - 1:], ce_t[T - 1:]), x)
    bce_v, bce_g = value_grad(lambda z: F.binary_cross_entropy_with_logits(z, bce_t), x)
    bces_v, bces_g = value_grad(lambda z: F.binary_cross_entropy_with_logits(z, bce_soft_t), x)

    bb_x = torch.tensor([[80.0, -80.0, 30.0, -30.0, 0.0]], dtype=torch.float64)
    bb_t = torch.tensor([[0.0, 1.0, 1.0, 0.0, 1.0]], dtype=torch.float64)
    bb_v, bb_g = value_grad(lambda z: F.binary_cross_entropy_with_logits(z, bb_t), bb_x)
    cb_x = torch.tensor([[1000.0, 0.0, -1000.0, 500.0, 3.0]], dtype=torch.float64)
    cb_t = torch.tensor([3])
    cb_v, cb_g = value_grad(lambda z: F.cross_entropy(z, cb_t), cb_x)

    # closed-form cross-checks
    xn, tn = x.numpy(), ce_t.numpy()
    onehot = np.eye(C)[tn]
    sm = np.exp(xn - xn.max(1, keepdims=True))
    sm /= sm.sum(1, keepdims=True)
    lse = np.log(np.exp(xn - xn.max(1, keepdims=True)).sum(1)) + xn.max(1)
    sig = 1.0 / (1.0 + np.exp(-xn))
    cel_ref = np.zeros((T, C))
    cel_ref[T - 1] = sm[T - 1] - onehot[T - 1]
    checks = [
        close(mse_v, [np.mean((xn - mse_t.numpy()) ** 2)]),
        close(mse_g, 2.0 * (xn - mse_t.numpy()) / (T * C)),
        close(ce_v, [np.mean(lse - xn[np.arange(T), tn])]),
        close(ce_g, (sm - onehot) / T),
        close(cel_v, [lse[T - 1] - xn[T - 1, tn[T - 1]]]),
        close(cel_g, cel_ref),
        close(bce_g, (sig - bce_t.numpy()) / (T * C)),
        close(bces_g, (sig - bce_soft_t.numpy()) / (T * C)),
        close(bce_v, [np.mean(np.maximum(xn, 0) - xn * bce_t.numpy() + np.log1p(np.exp(-np.abs(xn))))]),
        close(bces_v, [np.mean(np.maximum(xn, 0) - xn * bce_soft_t.numpy() + np.log1p(np.exp(-np.abs(xn))))]),
        close(bb_v, [(80 + 80 + np.log1p(np.exp(-30.0)) * 2 + np.log(2.0)) / 5]),
        close(bb_g, (1.0 / (1.0 + np.exp(-bb_x.numpy())) - bb_t.numpy()) / 5),
        close(cb_v, [500.0], 1e-12),
        close(cb_g, [[1.0, 0.0, 0.0, -1.0, 0.0]], 1e-12),
    ]
    if not all(checks):
        fail("loss closed-form checks: %r" % checks)
    for a in (mse_v, ce_v, cel_v, bce_v, bces_v, bb_v, cb_v, bb_g, cb_g):
        if not np.all(np.isfinite(a)):
            fail("non-finite loss value")

    tensors = [
        ("x", "F64", xn),
        ("mse.target", "F64", mse_t.numpy()),
        ("mse.value", "F64", mse_v),
        ("mse.grad", "F64", mse_g),
        ("ce.target", "F64", ce_t.double().numpy()),
        ("ce.value", "F64", ce_v),
        ("ce.grad", "F64", ce_g),
        ("ce_last.value", "F64", cel_v),
        ("ce_last.grad", "F64", cel_g),
        ("bce.target", "F64", bce_t.numpy()),
        ("bce.value", "F64", bce_v),
        ("bce.grad", "F64", bce_g),
        ("bce_soft.target", "F64", bce_soft_t.numpy()),
        ("bce_soft.value", "F64", bces_v),
        ("bce_soft.grad", "F64", bces_g),
        ("bce_big.x", "F64", bb_x.numpy()),
        ("bce_big.target", "F64", bb_t.numpy()),
        ("bce_big.value", "F64", bb_v),
        ("bce_big.grad", "F64", bb_g),
        ("ce_big.x", "F64", cb_x.numpy()),
        ("ce_big.target", "F64", cb_t.double().numpy()),
        ("ce_big.value", "F64", cb_v),
        ("ce_big.grad", "F64", cb_g),
    ]
    meta = OrderedDict([
        ("mse", "F.mse_loss(x, target), mean over all T*C elements"),
        ("ce", "F.cross_entropy(x, target), softmax over C per row, mean over the T rows"),
        ("ce_last", "F.cross_entropy(x[T-1:], target[T-1:]), only the last row contributes"),
        ("bce", "F.binary_cross_entropy_with_logits(x, target), mean over all T*C elements"),
        ("bce_soft", "as bce with probability targets"),
        ("bce_big", "as bce on bce_big.x [1,5]"),
        ("ce_big", "as ce on ce_big.x [1,5]"),
        ("seed", str(LOSS_SEED)),
        ("generator", GENERATOR),
    ])
    size = write_checked("losses.safetensors", tensors, meta)
    print("losses.safetensors %d B: mse=%.6f ce=%.6f ce_last=%.6f bce=%.6f bce_soft=%.6f bce_big=%.6f ce_big=%.6f"
          % (size, mse_v[0], ce_v[0], cel_v[0], bce_v[0], bces_v[0], bb_v[0], cb_v[0]))
    return size


# --------------------------------------------------------------------------
# 3. optimizers
# --------------------------------------------------------------------------

def make_optimizer(spec, params):
    kw = {k: v for k, v in spec.items() if k not in ("type", "clip_max_norm", "lr_per_step")}
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    return getattr(torch.optim, spec["type"])(params, **kw)


def np_optimizer(spec, p0, gs):
    """Independent numpy implementation of the PyTorch 1.13 update rules (cross-check)."""
    p = p0.copy()
    lr0 = spec.get("lr")
    mom, damp = spec.get("momentum", 0.0), spec.get("dampening", 0.0)
    nesterov, wd = spec.get("nesterov", False), spec.get("weight_decay", 0.01 if spec["type"] == "AdamW" else 0.0)
    b1, b2 = spec.get("betas", [0.9, 0.999])
    eps = spec.get("eps", 1e-8)
    buf = m = v = None
    out, norms = [], []
    for step, g in enumerate(gs, start=1):
        g = g.copy()
        lr = spec["lr_per_step"][step - 1] if "lr_per_step" in spec else lr0
        if "clip_max_norm" in spec:
            n = np.sqrt(np.sum(g * g))
            g = g * min(1.0, spec["clip_max_norm"] / (n + 1e-6))
            norms.append(n)
        if spec["type"] == "SGD":
            if wd:
                g = g + wd * p
            if mom:
                buf = g.copy() if buf is None else mom * buf + (1 - damp) * g
                g = g + mom * buf if nesterov else buf
            p = p - lr * g
        else:
            if spec["type"] == "AdamW":
                p = p * (1 - lr * wd)
            elif wd:
                g = g + wd * p
            m = (1 - b1) * g if m is None else b1 * m + (1 - b1) * g
            v = (1 - b2) * g * g if v is None else b2 * v + (1 - b2) * g * g
            denom = np.sqrt(v) / np.sqrt(1 - b2 ** step) + eps
            p = p - (lr / (1 - b1 ** step)) * m / denom
        out.append(p.copy())
    return out, norms


def make_optimizers():
    N = 50
    gen = torch.Generator().manual_seed(OPT_SEED)
    p0 = mr.f32_round(torch.randn(N, generator=gen, dtype=torch.float64))
    gs = [mr.f32_round(torch.randn(N, generator=gen, dtype=torch.float64) * 0.3) for _ in range(3)]
    tensors = [("p0", "F64", p0.numpy())] + [("g%d" % (i + 1), "F64", g.numpy()) for i, g in enumerate(gs)]
    worst = 0.0
    resolved = OrderedDict()
    for name, spec in OPTIMIZERS.items():
        param = torch.nn.Parameter(p0.clone())
        opt = make_optimizer(spec, [param])
        # metadata: every effective hyperparameter (PyTorch defaults included), plus clip / lr schedule
        full = OrderedDict([("type", spec["type"])])
        for key in ("lr", "momentum", "dampening", "weight_decay", "nesterov", "betas", "eps", "amsgrad", "maximize"):
            if key in opt.defaults:
                val = opt.defaults[key]
                full[key] = list(val) if isinstance(val, tuple) else val
        for key in ("clip_max_norm", "lr_per_step"):
            if key in spec:
                full[key] = spec[key]
        resolved[name] = full
        ps, norms = [], []
        for step, g in enumerate(gs):
            param.grad = g.clone()
            if "clip_max_norm" in spec:
                n = torch.nn.utils.clip_grad_norm_(param, max_norm=spec["clip_max_norm"])
                norms.append(float(n))
            if "lr_per_step" in spec:
                for grp in opt.param_groups:
                    grp["lr"] = spec["lr_per_step"][step]
            opt.step()
            ps.append(npy(param))
        ref_ps, ref_norms = np_optimizer(spec, p0.numpy(), [g.numpy() for g in gs])
        d = max(float(np.max(np.abs(a - b))) for a, b in zip(ps, ref_ps))
        if norms:
            d = max(d, max(abs(a - b) for a, b in zip(norms, ref_norms)))
        worst = max(worst, d)
        if not d < 1e-14:
            fail("optimizer %s differs from the numpy re-implementation by %.3e" % (name, d))
        for i, p in enumerate(ps):
            tensors.append(("%s.p%d" % (name, i + 1), "F64", p))
        for i, n in enumerate(norms):
            tensors.append(("%s.norm%d" % (name, i + 1), "F64", np.array([n])))
    meta = OrderedDict([
        ("optimizers", json.dumps(resolved, separators=(",", ":"))),
        ("steps", "p_i = parameters after step i with gradient g_i, starting from p0"),
        ("clip", "clip_grad_norm_(param, max_norm) before each step of *_clip; norm_i = returned total norm"),
        ("seed", str(OPT_SEED)),
        ("torch_version", torch.__version__),
        ("generator", GENERATOR),
    ])
    size = write_checked("optimizers.safetensors", tensors, meta)
    print("optimizers.safetensors %d B: %d optimizers, numpy re-implementation agrees to %.1e"
          % (size, len(OPTIMIZERS), worst))
    return size


# --------------------------------------------------------------------------
# 4. end-to-end training steps
# --------------------------------------------------------------------------

def make_training(cases):
    total = 0
    by_name = {"%s_%s" % (c, n): (i, c, n, cfg) for i, c, n, cfg in cases}
    for name in TRAIN_CASES:
        index, cell, cfg_name, cfg = by_name[name]
        O = cfg["head"][-1][1] if cfg["head"] else cfg["H"]
        model, scen, exp, _ = rebuild(index, cell, cfg_name, cfg)
        k, T, x, h0, c0 = scen[TRAIN_SCENARIO]
        assert k == TRAIN_SCENARIO
        gen = torch.Generator().manual_seed(TARGET_SEED_BASE + index)
        target = mr.f32_round(torch.randn(T, O, generator=gen, dtype=torch.float64))
        opt = torch.optim.Adam(model.parameters(), lr=TRAIN_LR)
        losses, norms, snaps = [], [], []
        for step in range(2):
            opt.zero_grad(set_to_none=True)
            y, _, _ = forward(model, cell, x, h0, c0)
            if step == 0 and not float(np.max(np.abs(npy(y) - exp["s%d.output" % k]))) < CHECK_TOL:
                fail("%s: forward output differs from the expected file" % name)
            loss = F.mse_loss(y, target)
            loss.backward()
            n = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=TRAIN_MAX_NORM)
            opt.step()
            losses.append(float(loss))
            norms.append(float(n))
            snaps.append(OrderedDict((pn, npy(p)) for pn, p in model.named_parameters()))
        tensors = [("target", "F64", target.numpy()),
                   ("loss1", "F64", np.array([losses[0]])), ("loss2", "F64", np.array([losses[1]])),
                   ("norm1", "F64", np.array([norms[0]])), ("norm2", "F64", np.array([norms[1]]))]
        for i, snap in enumerate(snaps):
            for pn, v in snap.items():
                tensors.append(("step%d.%s" % (i + 1, pn), "F64", v))
        meta = OrderedDict([
            ("case", name),
            ("scenario", str(k)),
            ("loss", "mse_loss(y, target), mean over T*O"),
            ("optimizer", json.dumps(dict(type="Adam", lr=TRAIN_LR))),
            ("clip_max_norm", repr(TRAIN_MAX_NORM)),
            ("target_seed", str(TARGET_SEED_BASE + index)),
            ("generator", GENERATOR),
        ])
        fn = "train_%s.safetensors" % name
        size = write_checked(fn, tensors, meta)
        total += size
        print("%s %d B: loss1=%.6f loss2=%.6f norm1=%.4f norm2=%.4f"
              % (fn, size, losses[0], losses[1], norms[0], norms[1]))
    return total


def main():
    if not os.path.isdir(DATA_DIR) or not os.path.exists(os.path.join(DATA_DIR, "manifest.json")):
        fail("run make_reference.py first (no forward references in %s)" % DATA_DIR)
    for fn in os.listdir(DATA_DIR):
        if our_file(fn):
            os.remove(os.path.join(DATA_DIR, fn))
    cases = all_cases()
    check_torch_gru(cases)
    total = make_gradients(cases)
    total += make_losses()
    total += make_optimizers()
    total += make_training(cases)

    h = hashlib.sha256()
    files = sorted(fn for fn in os.listdir(DATA_DIR) if our_file(fn))
    for fn in files:
        with open(os.path.join(DATA_DIR, fn), "rb") as f:
            h.update(fn.encode() + b"\0" + f.read())
    print("Summary: %d files, %d bytes total" % (len(files), total))
    print("sha256 over the training files: %s" % h.hexdigest())


if __name__ == "__main__":
    main()
