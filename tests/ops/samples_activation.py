"""Table entries for ember.ops.activation: the element-wise activations and the dim-wise
ones (glu, softmax, log_softmax, softmin).

``ELEMENTWISE`` and ``STRUCTURED`` map a name to ``fn(F, x)`` with F a functional namespace
(``ember.nn.functional``, ``ember.ops.activation`` or ``torch.nn.functional``); tests/nn/
test_activation.py runs them on edge values, large inputs and double backward, and the op
table below on (4, 6) uniform values in [-4, 4] (gradcheck's 1e-6 steps do not reach a kink
at such points).
"""
import sys

from ops.table import OpSample, Arr


def _dt(F, name):
    """The dtype ``name`` of the library F belongs to."""
    return getattr(sys.modules[F.__name__.split(".")[0]], name)


# name -> fn(F, x) with F the functional namespace (ember.ops.activation or torch's)
ELEMENTWISE = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x),
    "hardtanh": lambda F, x: F.hardtanh(x),
    "hardtanh_opts": lambda F, x: F.hardtanh(x, -0.5, 2.5),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu_slope": lambda F, x: F.leaky_relu(x, 0.2),
    "leaky_relu_neg_slope": lambda F, x: F.leaky_relu(x, -1.5),
    "elu": lambda F, x: F.elu(x),
    "elu_alpha": lambda F, x: F.elu(x, 0.5),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x),
    "celu_alpha": lambda F, x: F.celu(x, 2.5),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_opts": lambda F, x: F.softplus(x, beta=2, threshold=5),
    "softplus_beta_half": lambda F, x: F.softplus(x, beta=0.5, threshold=10),
    "softsign": lambda F, x: F.softsign(x),
    "threshold": lambda F, x: F.threshold(x, 0.1, 20.0),
    "threshold_neg": lambda F, x: F.threshold(x, -1.0, -7.0),
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softshrink": lambda F, x: F.softshrink(x),
    "softshrink_lambd": lambda F, x: F.softshrink(x, 1.0),
    "hardshrink": lambda F, x: F.hardshrink(x),
    "hardshrink_lambd": lambda F, x: F.hardshrink(x, 1.0),
    "rrelu_eval": lambda F, x: F.rrelu(x),
    "rrelu_eval_opts": lambda F, x: F.rrelu(x, 0.2, 0.4),
}

# dim-wise and parametric ones (shape-aware: the input is (4, 10))
STRUCTURED = {
    "glu": lambda F, x: F.glu(x),
    "glu_dim0": lambda F, x: F.glu(x, 0),
    "softmax": lambda F, x: F.softmax(x, 1),
    "softmax_dim0": lambda F, x: F.softmax(x, 0),
    "softmax_neg": lambda F, x: F.softmax(x, -2),
    "softmax_f64": lambda F, x: F.softmax(x, 1, dtype=_dt(F, "float64")),
    "log_softmax": lambda F, x: F.log_softmax(x, 1),
    "log_softmax_dim0": lambda F, x: F.log_softmax(x, 0),
    "log_softmax_f64": lambda F, x: F.log_softmax(x, -1, dtype=_dt(F, "float64")),
    "softmin": lambda F, x: F.softmin(x, 1),
    "softmin_f64": lambda F, x: F.softmin(x, 0, dtype=_dt(F, "float64")),
}


_X = Arr((4, 6), -4.0, 4.0)
# (sample names get an "F." prefix: pointwise.py has its own relu, sigmoid, tanh)
SAMPLES = [OpSample(f"F.{name}", (lambda f: lambda lib, x: f(lib.nn.functional, x))(fn), [[_X]],
                    rtol=1e-4 if "f64" in name else 1e-5)
           for name, fn in {**ELEMENTWISE, **STRUCTURED}.items()]
