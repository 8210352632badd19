#!/usr/bin/python3
"""Inputs for bench/scan-pickle/run.mjs, written to .cache/bench/scan-pickle/ (never committed).

    /usr/bin/python3 bench/scan-pickle/generate.py [--dir-gb 5] [--files 200]

- state-dict-500mb.pt: torch.save of a state_dict holding 500 MB of float32 tensors (zip format);
- mixed/: FILES model files totalling about DIR_GB GB: torch zip and legacy state dicts, joblib (raw and zlib)
  scikit-learn pipelines with large arrays, .npy/.npz and safetensors, sizes spread over two orders of magnitude.
"""
import argparse
import io
import json
import os
import struct

import joblib
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".cache", "bench", "scan-pickle")


def state_dict(total_bytes, layers=64):
    per = max(1, total_bytes // 4 // layers)
    side = int(per ** 0.5)
    return {f"layer{i}.weight": torch.full((side, max(1, per // side)), float(i)) for i in range(layers)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir-gb", type=float, default=5.0)
    ap.add_argument("--files", type=int, default=200)
    a = ap.parse_args()
    os.makedirs(os.path.join(ROOT, "mixed"), exist_ok=True)
    big = os.path.join(ROOT, "state-dict-500mb.pt")
    if not os.path.exists(big):
        torch.save(state_dict(500 * 1024 * 1024, layers=200), big)
    budget = int(a.dir_gb * 1024**3)
    weights = [1.5 ** (i % 12) for i in range(a.files)]
    scale = budget / sum(weights)
    X = np.random.RandomState(0).randn(200, 8)
    y = (X[:, 0] > 0).astype(int)
    pipe = Pipeline([("s", StandardScaler()), ("c", LogisticRegression())]).fit(X, y)
    for i, w in enumerate(weights):
        size = int(w * scale)
        kind = i % 6
        path = os.path.join(ROOT, "mixed", f"m{i:03d}")
        if kind == 0:
            torch.save(state_dict(size), path + ".pt")
        elif kind == 1:
            torch.save(state_dict(size), path + ".bin", _use_new_zipfile_serialization=False)
        elif kind == 2:
            joblib.dump({"pipe": pipe, "emb": np.ones(size // 8)}, path + ".joblib")
        elif kind == 3:
            joblib.dump({"pipe": pipe, "emb": np.ones(min(size, 256 * 1024**2) // 8)}, path + ".joblib", compress=("zlib", 1))
        elif kind == 4:
            np.save(path + ".npy", np.ones(size // 8))
        else:
            data = b"\0" * (size - size % 4)
            h = json.dumps({"w": {"dtype": "F32", "shape": [len(data) // 4], "data_offsets": [0, len(data)]}}).encode()
            with open(path + ".safetensors", "wb") as f:
                f.write(struct.pack("<Q", len(h)) + h)
                f.write(data)
    print("written to", os.path.abspath(ROOT))


if __name__ == "__main__":
    main()
