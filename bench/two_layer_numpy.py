"""``two_layer``'s 500 Adam steps written straight in NumPy: the floor under ember's row.

The ember side does the arithmetic of ember's step and nothing else: the same GEMMs
through ``ember.backend.matmul`` (its BLAS thread policy), the bias adds, clamp, MSE-sum
gradient and bias sums, and Adam's element-wise passes in PyTorch's order (the thirteen
in-place ufuncs per parameter that ``ember.optim.Adam`` runs, its numbers passed as 0-d
arrays of the parameter's dtype as ``backend.scalar_operands`` gives them). The PyTorch side is
``two_layer``'s own step. Next to the ``two_layer`` row, (ember - this) / PyTorch is the
share of the ratio spent in ember's per-call work (Tensor, autograd graph, modules,
optimizer bookkeeping) rather than in NumPy and BLAS.
"""
from bench import two_layer

DESCRIPTION = "two_layer's step in raw NumPy (the floor) vs PyTorch's two_layer"
NUMBER = 1
N, D_IN, H, D_OUT = 64, 1000, 100, 10
STEPS = 500


def _adam_(p, g, m, v, t1, t2, step, lr=1e-4, beta1=0.9, beta2=0.999, eps=1e-8):
    import numpy as np
    from ember import backend
    k = backend.scalar_operands(p)
    np.subtract(g, m, out=t1)           # exp_avg.lerp_(g, 1 - beta1)
    t1 *= k[1 - beta1]
    m += t1
    v *= k[beta2]                       # exp_avg_sq.mul_(beta2).addcmul_(g, g, 1 - beta2)
    np.multiply(g, k[1 - beta2], out=t1)
    t1 *= g
    v += t1
    np.sqrt(v, out=t1)                  # denom = sqrt(v) / sqrt(bias2) + eps
    t1 /= k[(1 - beta2 ** step) ** 0.5]
    t1 += k[eps]
    np.multiply(m, k[-(lr / (1 - beta1 ** step))], out=t2)   # p.addcdiv_(m, denom, -step_size)
    t2 /= t1
    p += t2


def make(lib):
    if lib.__name__ != "ember":
        return two_layer.make(lib)
    import numpy as np
    from ember import backend

    def mm(a, b):
        return backend.matmul(np, a, b)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, D_IN), dtype=np.float32)
    y = rng.standard_normal((N, D_OUT), dtype=np.float32)

    def run():
        w1 = (rng.random((H, D_IN), dtype=np.float32) - 0.5) * (2 / D_IN ** 0.5)
        w2 = (rng.random((D_OUT, H), dtype=np.float32) - 0.5) * (2 / H ** 0.5)
        params = [w1, np.zeros(H, np.float32), w2, np.zeros(D_OUT, np.float32)]
        state = [[np.zeros_like(p) for _ in range(4)] for p in params]
        for step in range(1, STEPS + 1):
            h = mm(x, params[0].T)
            h += params[1]
            relu = np.clip(h, 0, None)
            out = mm(relu, params[2].T)
            out += params[3]
            diff = out - y
            float((diff * diff).sum())             # the loss, as the step computes it
            g_out = diff * 2.0
            g_w2, g_b2 = mm(g_out.T, relu), g_out.sum(0)
            g_h = mm(g_out, params[2])
            g_h = g_h * (h >= 0)
            g_w1, g_b1 = mm(g_h.T, x), g_h.sum(0)
            for p, g, s in zip(params, (g_w1, g_b1, g_w2, g_b2), state):
                _adam_(p, g, *s, step)
    return run
