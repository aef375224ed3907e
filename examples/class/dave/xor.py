"""A 2-layer network (Affine, Sigmoid, Affine, Sigmoid) trained on XOR.

Run it from this folder: ``python xor.py`` trains with the defaults and prints
the predictions.
"""

import numpy as np
from layers import AffineLayer, SigmoidLayer

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])

# With the loss 0.5 * sum over the 4 samples, lr = 2 and 2000 epochs bring
# every one of the seeds 0..99 to max|a2 - y| < 0.1 (measured by the tests).
DEFAULT_LR = 2.0
DEFAULT_EPOCHS = 2000


def init_params(n_in=2, n_hidden=4, n_out=1, seed=0):
    """Weights uniform in [-1, 1) (the slides' ``2 * rand - 1``), biases zero."""
    rng = np.random.default_rng(seed)
    return {
        "W1": 2 * rng.random((n_in, n_hidden)) - 1,
        "b1": np.zeros(n_hidden),
        "W2": 2 * rng.random((n_hidden, n_out)) - 1,
        "b2": np.zeros(n_out),
    }


def predict(X, params):
    """Forward pass only: the network's output probabilities, shape (N, n_out)."""
    with np.errstate(over="ignore"):
        a1 = 1.0 / (1.0 + np.exp(-(X @ params["W1"] + params["b1"])))
        return 1.0 / (1.0 + np.exp(-(a1 @ params["W2"] + params["b2"])))


def train_xor(X, y, params, lr=DEFAULT_LR, epochs=DEFAULT_EPOCHS):
    """Full-batch gradient descent; return (trained_params, losses).

    Build the network from AffineLayer and SigmoidLayer. Each epoch:
      1. forward pass: a2 = sigmoid(affine(sigmoid(affine(X, W1, b1)), W2, b2));
      2. loss L = 0.5 * sum((a2 - y) ** 2) over all samples; append float(L)
         to ``losses`` (so losses[t] is the loss *before* update t);
      3. backward pass, starting from dL/da2 = a2 - y, through the four
         layers in reverse order;
      4. only then update all four parameters: p -= lr * dL/dp.

    ``trained_params`` is a new dict with keys W1, b1, W2, b2; the arrays in
    ``params`` must not be modified (copy them before updating in place).
    ``len(losses) == epochs``.
    """
    p = {name: np.array(value, dtype=float) for name, value in params.items()}
    hidden, hidden_act = AffineLayer(), SigmoidLayer()
    output, output_act = AffineLayer(), SigmoidLayer()
    losses = []
    for _ in range(epochs):
        a1 = hidden_act.forward(hidden.forward(X, p["W1"], p["b1"]))
        a2 = output_act.forward(output.forward(a1, p["W2"], p["b2"]))
        losses.append(float(0.5 * np.sum((a2 - y) ** 2)))

        da1, dW2, db2 = output.backward(output_act.backward(a2 - y))
        _, dW1, db1 = hidden.backward(hidden_act.backward(da1))

        grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
        p = {name: p[name] - lr * grads[name] for name in p}
    return p, losses


if __name__ == "__main__":
    trained, losses = train_xor(XOR_X, XOR_Y, init_params())
    print(f"loss: {losses[0]:.4f} -> {losses[-1]:.4f}")
    print(np.round(predict(XOR_X, trained), 3))
