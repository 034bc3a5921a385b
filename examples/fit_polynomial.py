"""Fit y = sin(x) on [-pi, pi] with a cubic polynomial, using only tensors and autograd.

This is PyTorch's tutorial "Tensors and autograd" (Learning PyTorch with Examples) run
unchanged except for the import: ``import ember as torch``. The four coefficients are
leaf tensors with ``requires_grad=True``; every step builds the prediction, computes the
squared-error loss, calls ``loss.backward()`` and takes a plain gradient-descent step inside
``torch.no_grad()``. It prints the loss every 100 steps and the fitted polynomial at the end.

The random start comes from ember's generator (NumPy PCG64), so the numbers differ from a
PyTorch run with the same seed; the loss falls the same way, to about 10 after 2000 steps.

    python examples/fit_polynomial.py [--steps 2000] [--seed 0]
"""
import argparse
import math

import ember as torch


def fit(steps=2000, seed=0, learning_rate=1e-6, log_every=100, log=print):
    torch.manual_seed(seed)
    dtype = torch.float
    device = torch.device("cpu")

    # Input and target: 2000 points of sin(x).
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)

    # Random starting weights; requires_grad=True asks autograd for their gradients.
    a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    d = torch.randn((), device=device, dtype=dtype, requires_grad=True)

    for t in range(steps):
        # Forward pass: the polynomial's prediction and the sum of squared errors.
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % log_every == log_every - 1:
            log(t, loss.item())

        # Backward pass: fills a.grad, b.grad, c.grad and d.grad.
        loss.backward()

        # Gradient descent on the weights, outside the graph; then clear the gradients.
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return (a, b, c, d), loss.item()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    (a, b, c, d), _ = fit(args.steps, args.seed)
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")


if __name__ == "__main__":
    main()
