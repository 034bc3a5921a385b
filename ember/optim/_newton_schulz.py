"""The Newton-Schulz orthogonalisation Muon applies to each update, in PyTorch's bfloat16.

``torch.optim.Muon`` runs its quintic Newton-Schulz iteration on a bfloat16 copy of the
update: every op (norm, divide, ``X @ X.T``, the two ``addmm``) accumulates in float32 and
rounds its result to bfloat16 once. NumPy has no bfloat16 BLAS, so this module keeps the
iterate in float32 arrays and rounds each op's result to bfloat16 in place with an integer
trick (round to nearest, ties to even, on the raw bits) - the same numbers as PyTorch's
kernels up to float32 summation order (measured bit-identical on 8x5 .. 128x32 matrices;
one bfloat16 ulp on a few elements elsewhere). It needs no ml_dtypes and runs on CuPy.
"""
from .. import backend

__all__ = ["zeropower_via_newtonschulz", "round_to_bfloat16_"]

# bits dropped when a float keeps bfloat16's 7 explicit mantissa bits
_DROP = {4: 16, 8: 45}
_UINT = {4: "uint32", 8: "uint64"}


def round_to_bfloat16_(x):
    """Round float32/float64 array ``x`` in place to the nearest bfloat16 (ties to even),
    as ``tensor.bfloat16()`` does; the array keeps its dtype and holds bfloat16 values."""
    size = x.dtype.itemsize
    drop = _DROP[size]
    u = x.view(_UINT[size])
    one = u.dtype.type(1)
    lsb = (u >> u.dtype.type(drop)) & one
    u += u.dtype.type((1 << (drop - 1)) - 1)
    u += lsb
    u &= u.dtype.type(~((1 << drop) - 1) & ((1 << (8 * size)) - 1))
    return x


def zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """``torch.optim._muon._zeropower_via_newtonschulz`` on a backend array: returns a
    float32 array of bfloat16 values (the orthogonalised update), with PyTorch's errors."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    xp = backend.get_array_module(grad)
    f32 = xp.float32
    if grad.dtype == xp.float64:
        x = round_to_bfloat16_(grad.copy()).astype(f32)   # exact: already bfloat16 values
    else:
        x = round_to_bfloat16_(grad.astype(f32, copy=True))
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = xp.ascontiguousarray(x.T)
    norm = round_to_bfloat16_(xp.sqrt(xp.sum(x * x, dtype=f32)).reshape(1))
    floor = round_to_bfloat16_(xp.array([eps], dtype=f32))
    xp.maximum(norm, floor, out=norm)
    x /= norm
    round_to_bfloat16_(x)
    m = x.shape[0]
    gram = xp.empty((m, m), f32)
    gram2 = xp.empty((m, m), f32)
    nxt = xp.empty_like(x)
    for _ in range(ns_steps):
        backend.matmul(xp, x, x.T, out=gram)
        round_to_bfloat16_(gram)
        # gram_update = addmm(gram, gram, gram, beta=b, alpha=c): one rounding
        backend.matmul(xp, gram, gram, out=gram2)
        gram2 *= c
        gram *= b
        gram2 += gram
        round_to_bfloat16_(gram2)
        # x = addmm(x, gram_update, x, beta=a): one rounding
        backend.matmul(xp, gram2, x, out=nxt)
        x *= a
        nxt += x
        round_to_bfloat16_(nxt)
        x, nxt = nxt, x
    return x.T if tall else x
