#!/usr/bin/env python3
"""Turns a `capplan generate` scenario into one whose curves differ minute by minute, so no
two steps of its week are alike (capplan then cannot merge steps; the floor program's
matrix is the same size). Each hourly value v of curve t becomes, at minute m of the hour,
v * (1 + 0.05 * sin(2 pi m / 60 + t)), clipped to [0, 1], in `c<t>.csv` beside the scenario.

Usage: minute_curves.py IN.toml OUT_DIR    (writes OUT_DIR/planning-minutes.toml and CSVs)
"""
import math
import os
import re
import sys

source, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
text = open(source).read()


def replace(match):
    name, values = match.group(1), [float(v) for v in match.group(2).split(",")]
    t = int(name[1:])
    with open(os.path.join(out, f"{name}.csv"), "w") as csv:
        csv.write("share\n")
        for hour, v in enumerate(values):
            for m in range(60):
                share = min(1.0, max(0.0, v * (1 + 0.05 * math.sin(2 * math.pi * m / 60 + t))))
                csv.write(f"{share:.6f}\n")
    return f'[curve.{name}]\nfile = "{name}.csv"\n'


text = re.sub(r"\[curve\.(c\d+)\]\nweek = \[([^\]]*)\]\n", replace, text)
open(os.path.join(out, "planning-minutes.toml"), "w").write(text)
