"""Writes src/data/lesson.json: the seed lesson's single training sample.

The lesson (../shared/origin/backprop-numpy-lesson.md) draws x ~ N(0, 1) with 10 values and
y ~ N(0, 1) with 2 values and trains on that one sample. This draws them the lesson's way
with a fixed seed and writes one JSON line {"x": [...], "y": [...]} for conf/lesson.conf.
Run from the repository root: python3 src/data/make_lesson.py
"""
import json

import numpy as np

np.random.seed(20261130)
x = np.random.normal(0.0, 1.0, (10,))
y = np.random.normal(0.0, 1.0, (2,))
with open("src/data/lesson.json", "w") as f:
    f.write(json.dumps({"x": [float(v) for v in x], "y": [float(v) for v in y]}) + "\n")
