"""Layers of a computational graph, each with a forward and a backward pass.

Every layer follows the same contract (the lesson's forward/backward API):

* ``forward(...)`` computes the layer's output and keeps on ``self`` whatever
  ``backward`` will need (the "cache"). The forward bodies are given.
* ``backward(d)`` receives the *upstream gradient* ``d = dL/d(output)``, the
  gradient of the final loss L with respect to this layer's output, and returns
  ``dL/d(input)`` for every input, in the order ``forward`` takes them. By the
  chain rule that is "upstream gradient times local gradient".

Sign convention. With ``L = 0.5 * sum((a - y) ** 2)`` the gradient that enters
the last layer is ``dL/da = a - y``, and gradient descent updates
``W -= lr * dL/dW``. The slides' code writes ``err = y - a`` and
``W += lr * ...``: that is the same update with both signs flipped, since
``y - a = -(a - y)``. Here, always pass ``a - y`` and subtract.

Each gradient must have exactly the shape of the input it belongs to, and
``backward`` must not modify its argument or the cached inputs in place.
"""

import numpy as np


class MultiplyLayer:
    """z = x * y, elementwise (Python floats, NumPy scalars or same-shape arrays)."""

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dz):
        """Return (dx, dy) given dz = dL/dz.

        Local gradients: dz/dx = y and dz/dy = x (the lesson's "switch").
        """
        dx = dz * self.y
        dy = dz * self.x
        return dx, dy


class AffineLayer:
    """out = x @ W + b, with x (N, D), W (D, M), b (M,) and out (N, M)."""

    def forward(self, x, W, b):
        self.x = x
        self.W = W
        self.b = b
        return x @ W + b

    def backward(self, dout):
        """Return (dx, dW, db) given dout = dL/dout of shape (N, M).

        dx has x's shape (N, D), dW has W's shape (D, M), db has b's shape (M,).
        b is added to every one of the N rows, so its gradient collects the
        upstream gradient of all of them.
        """
        dx = dout @ self.W.T
        dW = self.x.T @ dout
        db = dout.sum(axis=0)
        return dx, dW, db


class SigmoidLayer:
    """a = 1 / (1 + exp(-v)), elementwise."""

    def forward(self, v):
        self.v = v
        # exp(-v) overflows to inf for v below about -709; 1 / (1 + inf) is
        # then exactly 0, the right limit, so the warning is silenced.
        with np.errstate(over="ignore"):
            self.a = 1.0 / (1.0 + np.exp(-v))
        return self.a

    def backward(self, da):
        """Return dv given da = dL/da.

        Local gradient: da/dv = a * (1 - a), computed from the cached output a
        (the slides' "y_hat - y_hat^2").
        """
        return da * self.v * (1.0 - self.v)
