"""One sigmoid neuron trained by gradient descent: the lesson's first half.

The neuron computes, for every sample (row) x of X,

    v = x . w + b          (the weighted sum)
    y_hat = sigmoid(v)     (the prediction, between 0 and 1)

and is judged on the whole dataset by the half sum of squared errors

    L = 0.5 * sum((y_hat - y) ** 2).

Shapes: X is (N, D), one sample per row; y is (N,); w is (D,); b is a number.

Sign convention. ``dL/dy_hat = y_hat - y`` and gradient descent *subtracts*:
``w = w - lr * dL/dw``. (Writing the error as ``y - y_hat`` flips its sign,
and the update must then add: the same step, easy to get half wrong.)

Run it from this folder: ``python neuron.py`` trains on the slides' four
samples with the defaults and prints the predictions.
"""

import numpy as np

# The slides' dataset: four samples of two features, and their classes.
X = np.array([[-0.1, 0.2], [0.1, 0.8], [0.9, -0.2], [0.8, 0.8]])
Y = np.array([0.0, 0.0, 0.0, 1.0])

# The slides' starting point: weights (0.5, 0.7), bias 0.
W_START = np.array([0.5, 0.7])
B_START = 0.0

# lr = 2 and 1000 epochs bring every linearly separable labelling of these
# four inputs, from any start in [-1, 1), within 0.1 of its targets by epoch
# ~510 (measured by the tests): a margin of two.
DEFAULT_LR = 2.0
DEFAULT_EPOCHS = 1000


def sigmoid(v):
    """1 / (1 + exp(-v)), elementwise."""
    # exp(-v) overflows to inf for v below about -709; 1 / (1 + inf) is
    # exactly 0 there, the right limit, so the warning is silenced.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-v))


def predict(X, w, b):
    """The forward pass: y_hat = sigmoid(X @ w + b), one prediction per sample, shape (N,)."""
    return sigmoid(X @ w + b)


def loss(X, y, w, b):
    """L = 0.5 * sum((y_hat - y) ** 2) over all samples, as a float."""
    return float(0.5 * np.sum((predict(X, w, b) - y) ** 2))


def gradients(X, y, w, b):
    """The backward pass: return (dw, db), the gradients dL/dw and dL/db.

    By the chain rule, for each sample: dL/dy_hat = y_hat - y, then
    dy_hat/dv = y_hat * (1 - y_hat) (the slides' "y_hat - y_hat^2"), then
    dv/dw = x and dv/db = 1. L sums over the samples, so the gradients do
    too (a sum, not a mean). dw has w's shape (D,); db is a number.
    Do not modify X, y or w.
    """
    y_hat = predict(X, w, b)
    dv = (y_hat - y) * y_hat * (1.0 - y_hat)
    dw = X.T @ dv
    db = float(np.sum(dv))
    return dw, db


def update(w, b, dw, db, lr):
    """One gradient descent step: return the new (w, b).

    The slides' weight update W = W - alpha * dL/dW, for w and for b.
    Return a new array for w: the caller's w and dw must stay as they were.
    """
    w -= lr * dw
    return w, b - lr * db


def train(X, y, w, b, lr=DEFAULT_LR, epochs=DEFAULT_EPOCHS):
    """Full-batch gradient descent from (w, b); return (w, b, losses).

    Each epoch: append ``loss(X, y, w, b)`` to ``losses`` (so losses[t] is
    the loss *before* update t), compute the gradients over all samples with
    ``gradients``, then take one step with ``update``. ``len(losses) ==
    epochs``; the w you are given must not be modified.
    """
    losses = []
    for _ in range(epochs):
        losses.append(loss(X, y, w, b))
        dw, db = gradients(X, y, w, b)
        w, b = update(w, b, dw, db, lr)
    return w, b, losses


if __name__ == "__main__":
    w, b, losses = train(X, Y, W_START, B_START)
    print(f"loss: {losses[0]:.4f} -> {losses[-1]:.4f}")
    print("predictions:", np.round(predict(X, w, b), 3), "targets:", Y)
