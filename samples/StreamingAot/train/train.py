#!/usr/bin/env python3
"""Trains the StreamingAot sample's model and writes the files the C# program is built from and checked against.

The model: GRU(1 -> 32) + Linear(32 -> 1) that predicts the next sample of a vibration sensor on a rotating machine
(the C# program scores each sample by how far it is from that prediction). PyTorch module names are RnnGen's
defaults (``rnn``, ``head``), so the state_dict is what ``[RecurrentModel(..., Weights = ...)]`` expects.

The signal is synthetic, and says so: there is no real recording here. Each machine's accelerometer reads

    x(t) = a1 sin(phi(t)) + a2 sin(2 phi(t) + p2) + a3 sin(3 phi(t) + p3) + white noise,
    phi(t) = 2 pi sum_{s <= t} f0 (1 + 0.04 sin(2 pi s / P + q)),

a fundamental at the shaft speed f0 (0.04-0.06 cycles per sample, i.e. 17-25 samples per revolution) that drifts
slowly by +-4 %, two harmonics with random amplitudes and phases, and sensor noise of 0.02-0.05 (units of g).
Training uses only such clean signals, from fresh random machines.

Outputs (under ../data, all small):

* ``vibration-gru.safetensors``  the trained weights (F32, rounded to float32 before anything else is computed), the
  file StreamingAot.csproj passes to the generator as AdditionalFiles: it is compiled into the binary.
* ``sensors.csv``                the demo input: 8 machines x 1500 samples, interleaved in time order as ``machine,value``
  lines (3 decimals); anomalies injected into 6 machines, listed in ``anomalies.csv``.
* ``anomalies.csv``              what was injected where (machine, first and last sample, kind).
* ``reference.safetensors``      PyTorch's float64 forward pass over machine 2 of the demo input, from PyTorch's own
  rest state (the zero-input fixed point); ``StreamingAot --verify`` compares the compiled-in model with it.

Deterministic (fixed seeds, one thread): running it twice gives byte-identical files. Takes one to a few minutes on
one core. Needs PyTorch (tested with 1.13) and numpy; no safetensors package (a minimal writer is below).

    /usr/bin/python3 samples/StreamingAot/train/train.py                  # train, then write everything
    /usr/bin/python3 samples/StreamingAot/train/train.py --keep-weights   # rewrite the data from the committed weights
"""

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import json
import math
import struct
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")

HIDDEN = 32
ITERATIONS = 1500
BATCH, WINDOW, BURN_IN = 64, 120, 30   # windows of 120 steps from a zero state; the first 30 are not scored
DEMO_MACHINES, DEMO_STEPS = 8, 1500
REFERENCE_MACHINE = 2


# ── The synthetic sensor ─────────────────────────────────────────────────────────────────────────────────────────

def machine(rng, n, speed_change=None):
    """One machine's clean vibration signal, n samples. speed_change = (t, factor) multiplies f0 from sample t on."""
    f0 = rng.uniform(0.04, 0.06)
    period, q = rng.uniform(800, 3000), rng.uniform(0, 2 * math.pi)
    f = f0 * (1 + 0.04 * np.sin(2 * math.pi * np.arange(n) / period + q))
    if speed_change is not None:
        f[speed_change[0]:] *= speed_change[1]
    phi = 2 * math.pi * np.cumsum(f) + rng.uniform(0, 2 * math.pi)
    a1 = rng.uniform(0.6, 1.2)
    a2, a3 = a1 * rng.uniform(0.1, 0.4), a1 * rng.uniform(0, 0.2)
    x = a1 * np.sin(phi) + a2 * np.sin(2 * phi + rng.uniform(0, 2 * math.pi)) + a3 * np.sin(3 * phi + rng.uniform(0, 2 * math.pi))
    noise = rng.uniform(0.02, 0.05)
    return x + rng.normal(0, noise, n), dict(f0=f0, a1=a1, noise=noise, phi=phi)


def demo_signals():
    """The demo input: 8 machines, anomalies injected into machines 1-4, 6 and 7 (0 and 5 are clean)."""
    rng = np.random.RandomState(2026)
    signals, anomalies = [], []
    for m in range(DEMO_MACHINES):
        x, info = machine(rng, DEMO_STEPS, speed_change=(800, 1.25) if m == 6 else None)
        if m == 1:                                    # a single-sample glitch
            x[600] += 2.0
            anomalies.append((m, 600, 600, "spike: one sample +2.0 g"))
        elif m == 2:                                  # a bearing defect: a ringing impulse once per revolution
            for t in range(900, 1100):
                if np.floor(info["phi"][t] / (2 * math.pi)) != np.floor(info["phi"][t - 1] / (2 * math.pi)):
                    k = np.arange(min(16, DEMO_STEPS - t))
                    x[t:t + len(k)] += 0.8 * np.exp(-k / 4.0) * np.sin(2 * math.pi * 0.3 * k + 1.0)
            anomalies.append((m, 900, 1115, "bearing defect: a ringing impulse every revolution"))
        elif m == 3:                                  # the sensor freezes
            x[700:821] = x[699]
            anomalies.append((m, 700, 820, "stuck sensor: the value holds"))
        elif m == 4:                                  # a loose connector
            x[1000:1101] += rng.normal(0, 0.25, 101)
            anomalies.append((m, 1000, 1100, "loose connector: noise x6"))
        elif m == 6:
            anomalies.append((m, 800, 800, "speed change: shaft 25 % faster from here on (not a fault)"))
        elif m == 7:                                  # the amplifier saturates
            limit = 0.5 * info["a1"]
            x[400:701] = np.clip(x[400:701], -limit, limit)
            anomalies.append((m, 400, 700, "saturation: clipped at 50 % of the amplitude"))
        signals.append(np.round(x, 3))
    return np.stack(signals), anomalies


# ── The model ────────────────────────────────────────────────────────────────────────────────────────────────────

class Predictor(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(1, HIDDEN, batch_first=True)   # rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0
        self.head = nn.Linear(HIDDEN, 1)                 # head.weight, head.bias

    def forward(self, x, h=None):
        y, h = self.rnn(x, h)
        return self.head(y), h


def train():
    torch.manual_seed(1)
    rng = np.random.RandomState(1)
    model = Predictor()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, ITERATIONS, eta_min=3e-4)
    started = time.time()
    for it in range(ITERATIONS):
        batch = np.stack([machine(rng, WINDOW + 1)[0] for _ in range(BATCH)]).astype(np.float32)
        x, target = torch.from_numpy(batch[:, :-1, None]), torch.from_numpy(batch[:, 1:, None])
        y, _ = model(x)
        loss = torch.mean((y - target)[:, BURN_IN:] ** 2)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if it % 250 == 0 or it == ITERATIONS - 1:
            print("  iteration %4d  RMS error %.4f  (%.0f s)" % (it, math.sqrt(loss.item()), time.time() - started), flush=True)
    return model.double()


def rest_state(model):
    """The zero-input fixed point, float64: step from zeros until no value moves by more than 1e-12."""
    h = torch.zeros(1, 1, HIDDEN, dtype=torch.float64)
    zero = torch.zeros(1, 1, 1, dtype=torch.float64)
    with torch.no_grad():
        for step in range(100_000):
            _, h2 = model.rnn(zero, h)
            if torch.max(torch.abs(h2 - h)) <= 1e-12:
                return h2, step + 1
            h = h2
    raise RuntimeError("no rest state: zero input does not settle")


# ── safetensors (as tests/reference/make_reference.py) ─────────────────────────────────────────────────────────

def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, "F32" | "F64", ndarray), written in that order."""
    header = OrderedDict([("__metadata__", OrderedDict((k, str(v)) for k, v in metadata.items()))])
    blobs, offset = [], 0
    for name, dtype, array in tensors:
        data = np.ascontiguousarray(array, dtype={"F32": "<f4", "F64": "<f8"}[dtype]).tobytes()
        header[name] = OrderedDict([("dtype", dtype), ("shape", list(array.shape)), ("data_offsets", [offset, offset + len(data)])])
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    return {name: np.frombuffer(raw[8 + n + t["data_offsets"][0]:8 + n + t["data_offsets"][1]],
                                dtype={"F32": "<f4", "F64": "<f8"}[t["dtype"]]).reshape(t["shape"])
            for name, t in header.items()}


def main():
    os.makedirs(DATA, exist_ok=True)
    weights_path = os.path.join(DATA, "vibration-gru.safetensors")
    if "--keep-weights" in sys.argv[1:]:
        model = Predictor().double()
        model.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in read_safetensors(weights_path).items()})
        print("using the weights in %s" % os.path.normpath(weights_path))
    else:
        print("training GRU(1 -> %d) + Linear(%d -> 1) on clean synthetic vibration signals" % (HIDDEN, HIDDEN))
        model = train()
    with torch.no_grad():
        for p in model.parameters():                  # float32-exact, so the F32 file is exactly this model
            p.copy_(p.float().double())

    # How good is the predictor? Residual RMS on 50 fresh clean machines against their own noise level.
    rng = np.random.RandomState(99)
    residual, noise = [], []
    with torch.no_grad():
        for _ in range(50):
            x, info = machine(rng, 1001)
            y, _ = model(torch.from_numpy(x[None, :-1, None]))
            residual.append(np.sqrt(np.mean((x[1:] - y[0, :, 0].numpy())[100:] ** 2)))
            noise.append(info["noise"])
    print("validation: residual RMS %.4f g (sensor noise %.4f g)" % (np.mean(residual), np.mean(noise)))

    rest, steps = rest_state(model)
    print("rest state: reached in %d steps, |h| max %.3f" % (steps, float(torch.max(torch.abs(rest)))))
    # Why RestState: a stream that starts on a quiet sensor (noise only). From h = 0 the model rings for a while; from
    # the rest state it does not.
    quiet = np.random.RandomState(5).normal(0, 0.03, 201)
    with torch.no_grad():
        from_zeros, _ = model(torch.from_numpy(quiet[None, :-1, None]))
        from_rest, _ = model(torch.from_numpy(quiet[None, :-1, None]), rest)
    for name, y in (("zeros", from_zeros), ("the rest state", from_rest)):
        y = y[0, :, 0].numpy()
        print("quiet sensor (noise 0.03 g), first 20 predictions from %s: RMS error %.3f g, largest prediction %.3f g"
              % (name, np.sqrt(np.mean((quiet[1:21] - y[:20]) ** 2)), np.max(np.abs(y[:20]))))

    weights = [(k, "F32", v.numpy().astype(np.float32)) for k, v in model.state_dict().items()]
    write_safetensors(weights_path, weights, OrderedDict([
        ("model", "GRU(1 -> %d) + Linear(%d -> 1): next sample of a (synthetic) machine vibration signal" % (HIDDEN, HIDDEN)),
        ("generator", "samples/StreamingAot/train/train.py")]))

    signals, anomalies = demo_signals()
    print("demo input: %d machines x %d samples, RMS %.3f g" % (DEMO_MACHINES, DEMO_STEPS, np.sqrt(np.mean(signals ** 2))))
    with open(os.path.join(DATA, "sensors.csv"), "w", newline="\n") as f:
        f.write("# Synthetic vibration of 8 machines (g), one line per sample: machine,value; time order, machines interleaved.\n")
        f.write("# Written by samples/StreamingAot/train/train.py; anomalies.csv lists what was injected where.\n")
        for t in range(DEMO_STEPS):
            for m in range(DEMO_MACHINES):
                f.write("%d,%.3f\n" % (m, signals[m, t]))
    with open(os.path.join(DATA, "anomalies.csv"), "w", newline="\n") as f:
        f.write("machine,first,last,kind\n")
        for m, first, last, kind in anomalies:
            f.write("%d,%d,%d,%s\n" % (m, first, last, kind))

    # The reference: machine 2's samples as the C# program parses them (float32), through PyTorch in float64.
    x = signals[REFERENCE_MACHINE].astype(np.float32)
    with torch.no_grad():
        y, _ = model(torch.from_numpy(x.astype(np.float64))[None, :, None], rest)
        zero_start, _ = model(torch.from_numpy(x.astype(np.float64))[None, :, None])
    y, zero_start = y[0, :, 0].numpy(), zero_start[0, :, 0].numpy()
    first = lambda out: float(np.sqrt(np.mean((x[1:21] - out[:20]) ** 2)))
    print("machine %d, first 20 predictions: RMS error %.3f from the rest state, %.3f from zeros"
          % (REFERENCE_MACHINE, first(y), first(zero_start)))
    write_safetensors(os.path.join(DATA, "reference.safetensors"), [
        ("input", "F32", x.reshape(-1, 1)),
        ("rest_state", "F64", rest.reshape(-1).numpy()),
        ("output", "F64", y.reshape(-1, 1)),
    ], OrderedDict([("machine", REFERENCE_MACHINE), ("generator", "samples/StreamingAot/train/train.py")]))
    print("wrote %s" % os.path.normpath(DATA))


if __name__ == "__main__":
    main()
