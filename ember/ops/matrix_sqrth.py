"""``torch.linalg.matrix_sqrth``: the principal square root of a symmetric (Hermitian)
positive-definite matrix, batched.

Forward is one eigendecomposition of the lower triangle (``ember._lapack``'s syevd/heevd,
as ``linalg.eigh``): ``X = V diag(sqrt(max(L, 0))) V^H``. Like PyTorch, eigenvalues below
zero (an indefinite input) are clamped to 0 rather than reported, so ``-I`` gives 0.

Backward solves the Sylvester equation ``X gA + gA X = sym(gX)`` in the eigenbasis of X:
``gA = V [(V^H sym(gX) V) / (s_i + s_j)] V^H`` with ``s`` the eigenvalues of X. The
symmetrisation is PyTorch's convention (the gradient of a function of a Hermitian matrix
is Hermitian, as eigh's). The eigenbasis comes from ``Eigh`` applied to the output X, so
the backward is made of differentiable ember ops and double backward works; where
``s_i + s_j = 0`` (a singular or clamped input) the gradient is inf/nan, as PyTorch's.
``solve_sylvester_eigbasis`` is shared with ``ember.ops.polar``.
"""
from .. import _lapack, backend
from ..autograd.function import ArrayFunction
from .decomposition import Eigh, _mH, _mm

__all__ = ["matrix_sqrth", "solve_sylvester_eigbasis", "check_linalg_input"]

_LOW_PRECISION = {"float16": "Half", "bfloat16": "BFloat16"}
_INT_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
              "uint8": "Byte", "bool": "Bool"}


def check_linalg_input(a, fname, square=True, low_precision="error"):
    """PyTorch's linalg argument checks: a Tensor of at least 2 dimensions, square
    matrices when ``square``, a floating or complex dtype; half types raise RuntimeError
    (``low_precision='error'``, the meta function's message) or NotImplementedError
    (``'kernel'``: the LAPACK kernel's, as for SVD-based ops)."""
    from .._tensor import Tensor
    if not isinstance(a, Tensor):
        raise TypeError(f"linalg_{fname}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(a).__name__}")
    if a.dim() < 2:
        raise RuntimeError(f"linalg.{fname}: The input tensor A must have at least 2 "
                           "dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{fname}: A must be batches of square matrices, but they "
                           f"are {a.shape[-2]} by {a.shape[-1]} matrices")
    name = str(a.dtype).replace("ember.", "")
    if not (a.is_floating_point() or a.is_complex()):
        raise RuntimeError(f"linalg.{fname}: Expected a floating point or complex tensor as "
                           f"input. Got {_INT_NAMES.get(name, name)}")
    if name in _LOW_PRECISION:
        if low_precision == "error":
            raise RuntimeError(f"linalg.{fname}: Low precision dtypes not supported. Got "
                               f"{_LOW_PRECISION[name]}")
        raise NotImplementedError(f"\"linalg_svd_cpu\" not implemented for "
                                  f"'{_LOW_PRECISION[name]}'")


def solve_sylvester_eigbasis(v, w, m):
    """Y with ``H Y + Y H = M`` for Hermitian ``H = V diag(w) V^H`` (ember ops, batched)."""
    core = _mm(_mH(v), _mm(m, v)) / (w.unsqueeze(-1) + w.unsqueeze(-2))
    return _mm(v, _mm(core, _mH(v)))


class MatrixSqrth(ArrayFunction):
    node_name = "LinalgMatrixSqrthBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = backend.get_array_module(a)
        if a.size == 0:
            out = xp.zeros(a.shape, dtype=a.dtype)
        else:
            w, v = _lapack.for_(xp).eigh(a, UPLO="L")
            s = xp.sqrt(xp.maximum(w, 0)).astype(v.real.dtype, copy=False)
            out = xp.matmul(v * s[..., None, :], xp.conj(xp.swapaxes(v, -1, -2)))
            out = xp.ascontiguousarray(out).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if x.numel() == 0:
            return g * 0
        s, v = Eigh.apply(x)
        return solve_sylvester_eigbasis(v, s, 0.5 * (g + _mH(g)))


def matrix_sqrth(A):
    """``torch.linalg.matrix_sqrth(A)``: the Hermitian positive-(semi)definite X with
    ``X @ X = A`` for Hermitian positive-definite ``A`` (*, n, n); only A's lower triangle
    is read. float32/float64/complex64/complex128; half types raise as in PyTorch."""
    check_linalg_input(A, "matrix_sqrth")
    return MatrixSqrth.apply(A)
