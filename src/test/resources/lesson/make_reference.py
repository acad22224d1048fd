#!/usr/bin/env python3
"""Reference values for LessonReproductionTest, made by the seed lesson's own numpy code.

Runs the lesson (/work/shared/origin/backprop-numpy-lesson.md, section "동작 테스트") with a
fixed seed and writes reference.json next to this script:

  x, y                     the sample, drawn as the lesson draws it
  initial_weights[l]       layer l's W as the lesson stores it, shape (in, out): the lesson
                           computes W^T x + b, so this is the TRANSPOSE of sparkprop's
                           row-major [out, in] layout
  initial_biases[l]        zeros, shape (out,)
  losses[e]                the number the lesson prints at epoch e (0..99):
                           1/2 * mean_k (h_k - y_k)^2 at the parameters the step starts from
  final_weights[l], final_biases[l]   after 100 gradient-descent steps with alpha = 0.01

Seed: np.random.seed(20260101) (numpy's legacy global RandomState, whose normal() stream numpy
keeps stable across versions), set once before the lesson's draws of x, y and the weights, in
the lesson's order. All floats are written with Python's repr, which round-trips exactly.

Regenerate (from the repository root):
    python3 src/test/resources/lesson/make_reference.py
Running it again on the same numpy build reproduces reference.json byte for byte.
"""
import json
import os

import numpy as np

SEED = 20260101
HIDDEN_DEPTH = 5
NUM_NEURON = 32
INPUT = 10
OUTPUT = 2
EPOCHS = 100
ALPHA = 0.01


# ---------------------------------------------------------------------------------------------
# BEGIN verbatim copy of the lesson's code (backprop-numpy-lesson.md): _t, _m, Sigmoid,
# MeanSquaredError, Neuron, DNN and gradient_descent, unchanged apart from this comment block.
# ---------------------------------------------------------------------------------------------
def _t(x):
    return np.transpose(x)

def _m(A, B):
    return np.matmul(A, B)


class Sigmoid:
    def __init__(self):
        self.last_o = 1

    def __call__(self, x):
        self.last_o = 1 / (1.0 + np.exp(-x))
        return self.last_o

    def grad(self): # sigmoid(x)(1-sigmoid(x))
        return self.last_o * (1 - self.last_o)


class MeanSquaredError:
    def __init__(self):
        # gradient
        self.dh = 1
        self.last_diff = 1        

    def __call__(self, h, y): # 1/2 * mean ((h - y)^2)
        self.last_diff = h - y
        return 1 / 2 * np.mean(np.square(h - y))

    def grad(self): # h - y
        return self.last_diff


class Neuron:
    def __init__(self, W, b, a_obj):
        # Model parameters
        self.W = W
        self.b = b
        self.a = a_obj()
        
        # gradient
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.dh = np.zeros_like(_t(self.W))
        
        self.last_x = np.zeros((self.W.shape[0]))
        self.last_h = np.zeros((self.W.shape[1]))

    def __call__(self, x):
        self.last_x = x
        self.last_h = _m(_t(self.W), x) + self.b
        return self.a(self.last_h)

    def grad(self): # dy/dh = W
        return self.W * self.a.grad()

    def grad_W(self, dh):
        grad = np.ones_like(self.W)
        grad_a = self.a.grad()
        for j in range(grad.shape[1]): # dy/dw = x
            grad[:, j] = dh[j] * grad_a[j] * self.last_x
        return grad

    def grad_b(self, dh): # dy/dh = 1
        return dh * self.a.grad()


class DNN:
    def __init__(self, hidden_depth, num_neuron, input, output, activation=Sigmoid):
        def init_var(i, o):
            return np.random.normal(0.0, 0.01, (i, o)), np.zeros((o,))

        self.sequence = list()
        # First hidden layer
        W, b = init_var(input, num_neuron)
        self.sequence.append(Neuron(W, b, activation))

        # Hidden Layers
        for index in range(hidden_depth):
            W, b = init_var(num_neuron, num_neuron)
            self.sequence.append(Neuron(W, b, activation))

        # Output Layer
        W, b = init_var(num_neuron, output)
        self.sequence.append(Neuron(W, b, activation))

    def __call__(self, x):
        for layer in self.sequence:
            x = layer(x)
        return x

    def calc_gradient(self, loss_obj):
        loss_obj.dh = loss_obj.grad()
        self.sequence.append(loss_obj)
        
        # back-prop loop
        for i in range(len(self.sequence) - 1, 0, -1):
            l1 = self.sequence[i]
            l0 = self.sequence[i - 1]
            
            l0.dh = _m(l0.grad(), l1.dh)
            l0.dW = l0.grad_W(l1.dh)
            l0.db = l0.grad_b(l1.dh)
        
        self.sequence.remove(loss_obj)


def gradient_descent(network, x, y, loss_obj, alpha=0.01):
    loss = loss_obj(network(x), y)  # Forward inference
    network.calc_gradient(loss_obj)  # Back-propagation
    for layer in network.sequence:
        layer.W += -alpha * layer.dW
        layer.b += -alpha * layer.db
    return loss
# ---------------------------------------------------------------------------------------------
# END verbatim copy of the lesson's code.
# ---------------------------------------------------------------------------------------------


def _floats(a):
    """A numpy array as nested lists of Python floats (repr-exact in JSON)."""
    return np.asarray(a, dtype=np.float64).tolist()


def main():
    np.random.seed(SEED)

    # The lesson's "동작 테스트" cell, in the lesson's order (x, y, then the network).
    x = np.random.normal(0.0, 1.0, (10,))
    y = np.random.normal(0.0, 1.0, (2,))
    dnn = DNN(hidden_depth=HIDDEN_DEPTH, num_neuron=NUM_NEURON, input=INPUT, output=OUTPUT,
              activation=Sigmoid)
    # gradient_descent updates W and b in place, so copy the starting point now.
    initial_weights = [_floats(layer.W.copy()) for layer in dnn.sequence]
    initial_biases = [_floats(layer.b.copy()) for layer in dnn.sequence]

    loss_obj = MeanSquaredError()
    losses = []
    for epoch in range(EPOCHS):
        loss = gradient_descent(dnn, x, y, loss_obj, alpha=ALPHA)
        losses.append(float(loss))

    ref = {
        "description": "seed lesson (backprop-numpy-lesson.md) run by make_reference.py; "
                       "weights are the lesson's (in, out) W, the transpose of sparkprop's "
                       "[out, in]; losses are the lesson's printed 1/2*mean_k (h_k - y_k)^2",
        "seed": SEED,
        "numpy_version": np.__version__,
        "hidden_depth": HIDDEN_DEPTH,
        "num_neuron": NUM_NEURON,
        "input": INPUT,
        "output": OUTPUT,
        "epochs": EPOCHS,
        "alpha": ALPHA,
        "x": _floats(x),
        "y": _floats(y),
        "initial_weights": initial_weights,
        "initial_biases": initial_biases,
        "losses": losses,
        "final_weights": [_floats(layer.W) for layer in dnn.sequence],
        "final_biases": [_floats(layer.b) for layer in dnn.sequence],
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(_dumps(ref))
    print("wrote {} ({} epochs, first loss {!r}, last loss {!r})".format(
        out, EPOCHS, losses[0], losses[-1]))


def _dumps(ref):
    """JSON with one matrix row (or vector) per line: deterministic and diff-friendly."""
    lines = ["{"]
    keys = list(ref)
    for n, key in enumerate(keys):
        value = ref[key]
        comma = "," if n + 1 < len(keys) else ""
        if key in ("initial_weights", "final_weights"):
            lines.append("  {}: [".format(json.dumps(key)))
            for l, w in enumerate(value):
                lines.append("    [")
                for r, row in enumerate(w):
                    lines.append("      {}{}".format(json.dumps(row), "," if r + 1 < len(w) else ""))
                lines.append("    ]{}".format("," if l + 1 < len(value) else ""))
            lines.append("  ]{}".format(comma))
        elif key in ("initial_biases", "final_biases"):
            lines.append("  {}: [".format(json.dumps(key)))
            for l, b in enumerate(value):
                lines.append("    {}{}".format(json.dumps(b), "," if l + 1 < len(value) else ""))
            lines.append("  ]{}".format(comma))
        else:
            lines.append("  {}: {}{}".format(json.dumps(key), json.dumps(value), comma))
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
