#!/usr/bin/env python3
"""Draws the sample's picture (../streaming-aot.svg) from what the C# program computed, as plain SVG (no matplotlib).

    StreamingAot --trace trace.csv                                  # the native binary or dotnet run: one line per sample
    /usr/bin/python3 samples/StreamingAot/train/plot.py trace.csv   # needs numpy only

For each machine: the signal (grey), with the injected anomaly shaded (from data/anomalies.csv), and below it the
anomaly score with the alert threshold 4; the spans where the program had an alert open are drawn in red.
"""

import csv
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
FIRST, LAST = 300, 1300                 # the window shown (every anomaly is in it)
MACHINES = [0, 1, 2, 3, 4, 6, 7]        # machine 5 is clean like machine 0
WIDTH, LEFT, RIGHT = 960, 150, 12
SIGNAL_H, SCORE_H, GAP = 56, 44, 16
RAISE = 4.0                             # AnomalyDetector.Raise


def main():
    trace = sys.argv[1] if len(sys.argv) > 1 else "trace.csv"
    rows = {}
    with open(trace) as f:
        for r in csv.DictReader(f):
            rows.setdefault(int(r["machine"]), []).append((int(r["sample"]), float(r["value"]), float(r["score"]), int(r["alert"])))
    injected = {}
    with open(os.path.join(ROOT, "data", "anomalies.csv")) as f:
        for r in csv.DictReader(f):
            injected[int(r["machine"])] = (int(r["first"]), int(r["last"]), r["kind"])

    plot_w = WIDTH - LEFT - RIGHT
    sx = plot_w / (LAST - FIRST)
    panel = SIGNAL_H + SCORE_H + GAP
    height = 30 + panel * len(MACHINES) + 20
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">'
           % (WIDTH, height, WIDTH, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="13">StreamingAot --trace: signal and anomaly score of 7 of the 8 demo machines, '
           'samples %d-%d</text>' % (LEFT, FIRST, LAST)]

    def path(xs, ys):
        d = ["M%.1f %.1f" % (xs[0], ys[0])]
        d += ["l%.1f %.1f" % (dx, dy) for dx, dy in zip(np.diff(xs), np.diff(ys))]
        return "".join(d).replace(" -", "-").replace("l0.0 ", "l0 ").replace(".0 ", " ")

    for i, m in enumerate(MACHINES):
        top = 30 + i * panel
        data = np.array([r for r in rows[m] if FIRST <= r[0] <= LAST])
        t, value, score, alert = data[:, 0], data[:, 1], data[:, 2], data[:, 3]
        x = LEFT + (t - FIRST) * sx
        if m in injected:
            a, b, kind = injected[m]
            out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#fde2c8"/>'
                       % (LEFT + (a - FIRST) * sx - 1, top, max(2.0, (b - a) * sx + 2), SIGNAL_H))
        else:
            kind = "no anomaly"
        out.append('<text x="6" y="%d" font-weight="bold">machine %d</text>' % (top + 14, m))
        for j, line in enumerate(wrap(kind, 24)):
            out.append('<text x="6" y="%d" fill="#555">%s</text>' % (top + 28 + 12 * j, line))
        out.append('<text x="6" y="%d" fill="#555">score</text>' % (top + SIGNAL_H + SCORE_H - 4))
        mid = top + SIGNAL_H / 2
        out.append('<path d="%s" fill="none" stroke="#777" stroke-width="0.8"/>' % path(x, mid - value * (SIGNAL_H / 2) / 2.2))
        base = top + SIGNAL_H + SCORE_H
        s = np.minimum(score, 20.0)
        sy = base - s * SCORE_H / 20.0
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d33" stroke-dasharray="3 3" stroke-width="0.7"/>'
                   % (LEFT, WIDTH - RIGHT, base - RAISE * SCORE_H / 20.0, base - RAISE * SCORE_H / 20.0))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#ccc"/>' % (LEFT, WIDTH - RIGHT, base, base))
        out.append('<text x="%d" y="%.1f" fill="#d33" font-size="9" text-anchor="end">4</text>'
                   % (LEFT - 3, base - RAISE * SCORE_H / 20.0 + 3))
        out.append('<path d="%s" fill="none" stroke="#2a6fb0" stroke-width="1"/>' % path(x, sy))
        for a, b in spans(t, alert):
            out.append('<rect x="%.1f" y="%d" width="%.1f" height="3" fill="#d33"/>' % (LEFT + (a - FIRST) * sx, base + 2, max(2.0, (b - a) * sx)))
    y = 30 + panel * len(MACHINES) + 6
    out.append('<text x="%d" y="%d" fill="#555">grey: signal (g), shaded where an anomaly was injected; blue: score '
               '(0-20, dashed: alert threshold 4); red bar: alert open</text>' % (LEFT, y))
    out.append("</svg>")
    target = os.path.join(ROOT, "streaming-aot.svg")
    with open(target, "w", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s (%d bytes)" % (os.path.normpath(target), os.path.getsize(target)))


def spans(t, flag):
    """The (first, last) samples of each run where flag is set."""
    result, start = [], None
    for ti, f in zip(t, flag):
        if f and start is None:
            start = ti
        elif not f and start is not None:
            result.append((start, ti))
            start = None
    return result + [(start, t[-1])] if start is not None else result


def wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = (line + " " + word).strip()
    return lines + [line] if line else lines


if __name__ == "__main__":
    main()
