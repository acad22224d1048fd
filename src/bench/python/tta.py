#!/usr/bin/env python3
"""Time to accuracy on Fashion-MNIST for scripts/bench (section tta): scikit-learn's
MLPClassifier or PyTorch on the CPU, with sparkprop's network and optimizer: 784-256-128-10,
relu hidden layers, softmax + cross-entropy, Adam (lr 0.001, betas 0.9/0.999, eps 1e-8), batches
of 256 reshuffled every epoch, no weight decay; features standardised per pixel with the
training set's mean and population standard deviation (1 for a constant pixel), as sparkprop's
standardize-features does. Prints one JSON object per line: the preparation (read the IDX files
and scale), then one per epoch with the epoch's training seconds, the test evaluation's seconds
and the test accuracy. Run by the benchmark (src/bench/java/.../TimeToAccuracy.java)."""
import argparse
import gzip
import json
import os
import struct
import sys
import time


def read_idx(path):
    with gzip.open(path, "rb") as f:
        magic = struct.unpack(">i", f.read(4))[0]
        dims = [struct.unpack(">i", f.read(4))[0] for _ in range(magic & 0xFF)]
        data = f.read()
    return dims, data


def load(directory, limit, test_limit, np):
    def pair(prefix, n):
        dims, images = read_idx(os.path.join(directory, prefix + "-images-idx3-ubyte.gz"))
        _, labels = read_idx(os.path.join(directory, prefix + "-labels-idx1-ubyte.gz"))
        x = np.frombuffer(images, dtype=np.uint8).reshape(dims[0], dims[1] * dims[2])
        y = np.frombuffer(labels, dtype=np.uint8).astype(np.int64)
        if n:
            x, y = x[:n], y[:n]
        return x.astype(np.float64) / 255.0, y
    x, y = pair("train", limit)
    xt, yt = pair("t10k", test_limit)
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std[std <= 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return (x - mean) / std, y, (xt - mean) / std, yt


def emit(**kv):
    print(json.dumps(kv), flush=True)


def run_sklearn(args):
    import numpy as np
    from sklearn.neural_network import MLPClassifier
    t = time.perf_counter()
    x, y, xt, yt = load(args.fashion_dir, args.limit, args.test_limit, np)
    emit(kind="prep", seconds=time.perf_counter() - t, rows=len(y))
    clf = MLPClassifier(hidden_layer_sizes=(256, 128), activation="relu", solver="adam",
                        learning_rate_init=0.001, batch_size=256, alpha=0.0, shuffle=True,
                        random_state=args.seed)
    classes = np.arange(10)
    for epoch in range(1, args.epochs + 1):
        t = time.perf_counter()
        clf.partial_fit(x, y, classes=classes)  # one pass over the shuffled rows
        train = time.perf_counter() - t
        t = time.perf_counter()
        acc = float((clf.predict(xt) == yt).mean())
        emit(kind="epoch", epoch=epoch, seconds=train, eval_seconds=time.perf_counter() - t,
             accuracy=acc)


def run_torch(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    import numpy as np
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    t = time.perf_counter()
    x, y, xt, yt = load(args.fashion_dir, args.limit, args.test_limit, np)
    x = torch.tensor(x, dtype=dtype)
    y = torch.tensor(y)
    xt = torch.tensor(xt, dtype=dtype)
    yt = torch.tensor(yt)
    emit(kind="prep", seconds=time.perf_counter() - t, rows=len(y))
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                              torch.nn.Linear(256, 128), torch.nn.ReLU(),
                              torch.nn.Linear(128, 10)).to(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(y)
    for epoch in range(1, args.epochs + 1):
        t = time.perf_counter()
        perm = torch.randperm(n)
        for i in range(0, n, 256):
            idx = perm[i:i + 256]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        train = time.perf_counter() - t
        t = time.perf_counter()
        with torch.no_grad():
            acc = float((net(xt).argmax(dim=1) == yt).double().mean())
        emit(kind="epoch", epoch=epoch, seconds=train, eval_seconds=time.perf_counter() - t,
             accuracy=acc)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--system", choices=["sklearn", "torch"], required=True)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--fashion-dir", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--test-limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    if args.system == "sklearn":
        run_sklearn(args)
    else:
        run_torch(args)


if __name__ == "__main__":
    sys.exit(main())
