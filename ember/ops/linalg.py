"""Linear algebra: matmul (@) with batch broadcasting, mm, bmm, mv, dot, vdot, outer,
addmm/addmv/baddbmm, einsum, tensordot, inner, kron, trace.

PyTorch's semantics are followed: ``matmul`` dispatches on the operands' dimensions as
``torch.matmul`` does (1-D . 1-D -> 0-d dot, matrix . vector, vector . matrix, N-D batched
with broadcast batch dimensions, whose gradients are summed back), operands must share a
dtype (no promotion, RuntimeError as in PyTorch), integer products are exact, and
float16/bfloat16 products are computed in float32 and rounded back (NumPy's half GEMM is
very slow). The GEMM path is lean: one BLAS call forward, two backward, transposes as
strided views that BLAS reads directly.

Where ember differs: matmul of a 2-D matrix with an N-D batch (``(n, k) @ (B, k, m)``) shows
``UnsafeViewBackward0`` where PyTorch shows ``CloneBackward0``; einsum's graph is a single
``EinsumBackward0`` node (PyTorch decomposes it into permutes and bmm).
"""
from .. import backend
from .._dtype import BOOL_NP, COMPLEX_NP, HALF_NP, INTEGRAL_NP, NATIVE_INEXACT_NP
from .._tensor import Tensor, _make, _LEGACY_NAMES
from ..autograd.function import ArrayFunction
from ._common import check_tensor as _check_tensor, write_out as _out
from .pointwise import _make_inplace as _inplace
from ..autograd.dispatch import casting_active as _casting_active

_gam = backend.get_array_module

# dtype names as PyTorch's messages print them: "Float" (from "FloatTensor"), C++ "float"
_TITLE = {k: v[:-len("Tensor")] for k, v in _LEGACY_NAMES.items()}
_CTYPE = {"float32": "float", "float64": "double", "float16": "c10::Half",
          "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
          "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
          "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


# ---------------------------------------------------------------------------------------
# helpers

def _gemm(a, b):
    """``a @ b`` on arrays; float16/bfloat16 go through float32."""
    dt = a.dtype
    xp = _gam(a)
    if dt in HALF_NP:
        return backend.matmul(xp, a.astype(xp.float32), b.astype(xp.float32)).astype(dt)
    return backend.matmul(xp, a, b)


def _name(t, table=_TITLE):
    return table[t.dtype.name]


def _check_dtypes(a, b, style, impl):
    """Same dtype required (PyTorch does not promote in products); bool is unimplemented."""
    da, db = a._data.dtype, b._data.dtype
    if da != db and not _casting_active():   # autocast casts them before the op runs
        if style == "mm":
            msg = (f"expected m1 and m2 to have the same dtype, but got: {_name(a, _CTYPE)} != "
                   f"{_name(b, _CTYPE)}")
        elif style == "dot":
            msg = (f"{impl} : expected both vectors to have same dtype, but found {_name(a)} "
                   f"and {_name(b)}")
        elif style == "mv":
            msg = (f"mv: expected the matrix and the vector to have the same dtype, but got "
                   f"{_name(a)} and {_name(b)}")
        else:
            msg = f"expected scalar type {_name(a)} but found {_name(b)}"
        raise RuntimeError(msg)
    if da in BOOL_NP:
        raise NotImplementedError(f'"{impl}" not implemented for \'Bool\'')


def _shape_str(shape):
    return "x".join(str(s) for s in shape)


def _mT(t):
    from .shape import transpose
    return transpose(t, -2, -1)


def _mH(t):
    """Conjugate transpose (a plain transpose for real tensors): gradients of products."""
    from .pointwise import conj
    return conj(_mT(t))


def _conj(t):
    from .pointwise import conj
    return conj(t)


def _reshape(t, shape):
    from .shape import reshape
    return reshape(t, shape)


def _broadcast_batch(sa, sb):
    """Broadcast two batch shapes with PyTorch's error message."""
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


# ---------------------------------------------------------------------------------------
# the product Functions

class Mm(ArrayFunction):
    """``a @ b`` of matrices. Backward: ``g @ b^T`` and ``a^T @ g``, two GEMMs."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _gemm(a, b)

    @classmethod
    def grads(cls, g, a, b, need_a, need_b):
        return (cls.apply(g, _mH(b)) if need_a else None,
                cls.apply(_mH(a), g) if need_b else None)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return type(ctx).grads(g, a, b, need[0], need[1])

    @staticmethod
    def backward_arrays(ctx, g):
        # grads' two GEMMs on arrays: the transposes are views that BLAS reads transposed
        a, b = ctx.saved_arrays
        need = ctx.needs_input_grad
        return (_gemm(g, _mH_array(b)) if need[0] else None,
                _gemm(_mH_array(a), g) if need[1] else None)


def _mH_array(x):
    """Conjugate transpose of the last two dims of an array (a view for real dtypes)."""
    xt = x.swapaxes(-1, -2)
    return xt.conj() if x.dtype in COMPLEX_NP else xt


class Bmm(Mm):
    """Batched ``a @ b`` (``(..., n, k) @ (..., k, m)``); batch dims broadcast and the engine
    sums the gradients back over them."""

    broadcasting = True


class Mv(ArrayFunction):
    """Matrix-vector product ``(n, k) @ (k,)``."""

    @staticmethod
    def forward(ctx, m, v):
        ctx.save_for_backward(m, v)
        return _gemm(m, v)

    @staticmethod
    def grads(g, m, v, need_m, need_v):
        from .pointwise import mul
        return (mul(_reshape(g, (g.shape[0], 1)), _conj(v)) if need_m else None,
                Mv.apply(_mH(m), g) if need_v else None)

    @staticmethod
    def backward(ctx, g):
        m, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        return Mv.grads(g, m, v, need[0], need[1])


class Dot(ArrayFunction):
    """Inner product of two vectors, a 0-d result."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _gam(a).asarray(_gemm(a, b))

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (mul(g, _conj(b)) if need[0] else None, mul(g, _conj(a)) if need[1] else None)


class Vdot(ArrayFunction):
    """``sum(conj(a) * b)`` of two vectors."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        xp = _gam(a)
        if a.dtype in COMPLEX_NP:
            a = xp.conj(a)
        return xp.asarray(_gemm(a, b))

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul, conj
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (mul(conj(g), b) if need[0] else None, mul(g, a) if need[1] else None)


class _Fold(ArrayFunction):
    """Reshape of a fresh product (PyTorch's ``_unsafe_view``): not tracked as a view."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, shape=None):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return _Fold.apply(g, shape=ctx.in_shape)


class _Squeeze(_Fold):
    node_name = "SqueezeBackward4"


class Addmm(ArrayFunction):
    """``beta * input + alpha * (m1 @ m2)``; ``input`` broadcasts (the engine sums its grad).

    With ``beta == 0`` ``input`` is ignored, so nan/inf in it do not propagate (PyTorch)."""

    broadcasting = True
    product = Mm

    @staticmethod
    def forward(ctx, inp, m1, m2, beta=1, alpha=1):
        ctx.save_for_backward(m1, m2)
        ctx.beta, ctx.alpha = beta, alpha
        p = _gemm(m1, m2)
        inexact = p.dtype in NATIVE_INEXACT_NP    # a fresh float result is scaled in place
        if alpha != 1:
            if inexact:
                p *= alpha
            else:
                p = (p * alpha).astype(p.dtype)
        if beta != 0:
            term = inp if beta == 1 else inp * beta
            if inexact:
                p += term
            else:
                p = (p + term).astype(p.dtype, copy=False)
        return p

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul
        m1, m2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        beta, alpha = ctx.beta, ctx.alpha
        gi = (g if beta == 1 else mul(g, beta)) if need[0] else None
        gp = g if alpha == 1 else mul(g, alpha)
        g1, g2 = type(ctx).product.grads(gp, m1, m2, need[1], need[2])
        return gi, g1, g2


class Baddbmm(Addmm):
    product = Bmm


class Addmv(Addmm):
    product = Mv


# ---------------------------------------------------------------------------------------
# public products

def _mm_mismatch(sa, sb):
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa)} and "
                       f"{_shape_str(sb)})")


def mm(input, mat2, *, out=None):
    """``torch.mm``: 2-D matrices only (no broadcasting)."""
    _check_tensor(input, "mm", "input", 1)
    _check_tensor(mat2, "mm", "mat2", 2)
    a, b = input._data, mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        _mm_mismatch(a.shape, b.shape)
    if a.dtype != b.dtype or a.dtype in BOOL_NP:
        _check_dtypes(input, mat2, "mm", "addmm_impl_cpu_")
    return _out(Mm.apply(input, mat2), out)


def bmm(input, mat2, *, out=None):
    """``torch.bmm``: 3-D batches of equal size (no broadcasting)."""
    _check_tensor(input, "bmm", "input", 1)
    _check_tensor(mat2, "bmm", "mat2", 2)
    a, b = input._data, mat2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, "
                           f"{b.shape[1]}].")
    _check_dtypes(input, mat2, "bmm", "bmm")
    return _out(Bmm.apply(input, mat2), out)


def mv(input, vec, *, out=None):
    """``torch.mv``: matrix (n, k) times vector (k,)."""
    _check_tensor(input, "mv", "input", 1)
    _check_tensor(vec, "mv", "vec", 2)
    m, v = input._data, vec._data
    if m.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({m.shape[0]}), mat "
                           f"({_shape_str(m.shape)}), vec ({v.shape[0]})")
    _check_dtypes(input, vec, "mv", "addmv_impl_cpu")
    return _out(Mv.apply(input, vec), out)


def _check_vectors(a, b, impl):
    da, db = a._data, b._data
    if da.ndim != 1 or db.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {da.ndim}D and {db.ndim}D tensors")
    if da.shape[0] != db.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{da.shape[0]}] and src "
                           f"[{db.shape[0]}] to have the same number of elements, but got "
                           f"{da.shape[0]} and {db.shape[0]} elements respectively")
    _check_dtypes(a, b, "dot", impl)


def dot(input, tensor, *, out=None):
    """``torch.dot``: 1-D vectors of equal length and dtype; a 0-d result."""
    _check_tensor(input, "dot", "input", 1)
    _check_tensor(tensor, "dot", "tensor", 2)
    _check_vectors(input, tensor, "dot")
    return _out(Dot.apply(input, tensor), out)


def vdot(input, other, *, out=None):
    """``torch.vdot``: ``sum(conj(input) * other)`` of 1-D vectors."""
    _check_tensor(input, "vdot", "input", 1)
    _check_tensor(other, "vdot", "other", 2)
    _check_vectors(input, other, "vdot")
    return _out(Vdot.apply(input, other), out)


def matmul(input, other, *, out=None):
    """``torch.matmul`` / ``@`` with all of its cases (see the module docstring)."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        _check_tensor(input, "matmul", "input", 1)
        _check_tensor(other, "matmul", "other", 2)
    a, b = input._data, other._data
    da, db = a.ndim, b.ndim
    if da == 2 and db == 2:   # the hot path
        if a.shape[1] != b.shape[0]:
            _mm_mismatch(a.shape, b.shape)
        if a.dtype != b.dtype or a.dtype in BOOL_NP:
            _check_dtypes(input, other, "mm", "addmm_impl_cpu_")
        res = Mm.apply(input, other)
        return res if out is None else _out(res, out)
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other, out=out)
    if da == 2 and db == 1:
        return mv(input, other, out=out)
    k = a.shape[-1]
    if da >= 3 and db <= 2:
        # (..., n, k) @ (k, m) or (k,): fold the batch into the rows, one GEMM/GEMV.
        rows = _reshape(input, (-1, k))
        if db == 2:
            res = mm(rows, other)
        else:
            res = mv(rows, other)
        return _out(_Fold.apply(res, shape=a.shape[:-1] + b.shape[1:]), out)
    if da == 1 and db == 2:
        res = mm(_reshape(input, (1, k)), other)
        return _out(_Squeeze.apply(res, shape=b.shape[1:]), out)
    # batched: one operand >= 3-D, the other 1-D or 2-D (not folded above) or >= 3-D
    kb = b.shape[0] if db == 1 else b.shape[-2]
    if k != kb:
        raise RuntimeError(f"matmul: shapes cannot be multiplied ({_shape_str(a.shape)} and "
                           f"{_shape_str(b.shape)}): size {k} of the last dimension of the first "
                           f"does not match size {kb} of dimension {max(db - 2, 0)} of the second")
    _check_dtypes(input, other, "bmm", "bmm")
    batch = _broadcast_batch(a.shape[:-2], b.shape[:-2])
    lhs = input if da > 1 else _reshape(input, (1, k))
    rhs = other if db > 1 else _reshape(other, (k, 1))
    res = Bmm.apply(lhs, rhs)
    shape = batch + a.shape[-2:-1] * (da > 1) + b.shape[-1:] * (db > 1)
    return _out(_Fold.apply(res, shape=shape), out)


def outer(input, vec2):
    """``torch.outer`` (alias ``ger``): ``input[:, None] * vec2``; dtypes promote."""
    from .pointwise import mul
    _check_tensor(input, "outer", "input", 1)
    _check_tensor(vec2, "outer", "vec2", 2)
    for arg, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {arg}, but got {t._data.ndim}-D")
    return mul(_reshape(input, (input._data.shape[0], 1)), vec2)


ger = outer


def _check_add_input(inp, shape, m1, m2):
    if inp._data.dtype != m1._data.dtype and not _casting_active():
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_name(inp)} and "
                           f"{_name(m1)}")
    _check_dtypes(m1, m2, "mm", "addmm_impl_cpu_")
    s = inp._data.shape
    if len(s) > len(shape):
        raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({len(s)})")
    for i, (x, y) in enumerate(zip(s[::-1], shape[::-1])):
        if x != y and x != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({y}) must match the existing size ({x}) at "
                f"non-singleton dimension {len(shape) - 1 - i}.  Target sizes: {list(shape)}.  "
                f"Tensor sizes: {list(s)}")


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``torch.addmm``: ``beta * input + alpha * (mat1 @ mat2)``, input broadcast to the result."""
    for arg, t in (("mat1", mat1), ("mat2", mat2)):
        if t._data.ndim != 2:
            raise RuntimeError(f"{arg} must be a matrix, got {t._data.ndim}-D tensor")
    a, b = mat1._data, mat2._data
    if a.shape[1] != b.shape[0]:
        _mm_mismatch(a.shape, b.shape)
    _check_add_input(input, (a.shape[0], b.shape[1]), mat1, mat2)
    return _out(Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha), out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``torch.baddbmm``: ``beta * input + alpha * bmm(batch1, batch2)``."""
    for arg, t in (("batch1", batch1), ("batch2", batch2)):
        if t._data.ndim != 3:
            raise RuntimeError(f"{arg} must be a 3D tensor")
    a, b = batch1._data, batch2._data
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, "
                           f"{b.shape[1]}].")
    _check_add_input(input, (a.shape[0], a.shape[1], b.shape[2]), batch1, batch2)
    return _out(Baddbmm.apply(input, batch1, batch2, beta=beta, alpha=alpha), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``torch.addmv``: ``beta * input + alpha * (mat @ vec)``."""
    m, v = mat._data, vec._data
    if m.ndim != 2 or v.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                           f"{m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({m.shape[0]}), mat "
                           f"({_shape_str(m.shape)}), vec ({v.shape[0]})")
    _check_add_input(input, (m.shape[0],), mat, vec)
    return _out(Addmv.apply(input, mat, vec, beta=beta, alpha=alpha), out)


addmm_ = _inplace(addmm)
baddbmm_ = _inplace(baddbmm)
addmv_ = _inplace(addmv)


# ---------------------------------------------------------------------------------------
# einsum

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Einsum(ArrayFunction):
    """``einsum`` over a normalised explicit equation (no ellipsis, letters only).

    Backward of operand i is itself an einsum of the output gradient with the other
    operands. Repeated subscripts in one operand (diagonals) get identity matrices, and
    subscripts the result does not depend on elsewhere get ones vectors, so every equation
    form is differentiable (and twice differentiable)."""

    broadcasting = True   # size-1 dims broadcast against other operands: grads summed back

    @staticmethod
    def forward(ctx, *arrays, eq=None):
        ctx.save_for_backward(*arrays)
        ctx.eq = eq
        xp = _gam(arrays[0])
        opt = _einsum_optimize(eq, arrays)
        dt = arrays[0].dtype
        if dt in HALF_NP:
            return xp.einsum(eq, *[a.astype(xp.float32) for a in arrays], optimize=opt).astype(dt)
        return xp.einsum(eq, *arrays, optimize=opt)

    @staticmethod
    def backward(ctx, g):
        ins, out = ctx.eq.split("->")
        subs = ins.split(",")
        ops = ctx.saved_tensors
        return tuple(_einsum_grad(g, out, subs, ops, i) if need else None
                     for i, need in enumerate(ctx.needs_input_grad))


def _einsum_optimize(eq, arrays):
    """Contraction-path optimisation (and BLAS) for three or more operands or large
    products; for small ones the path search (~20 us) costs more than the direct loop."""
    if len(arrays) > 2:
        return True
    if len(arrays) == 1:
        return False
    sizes = {}
    for term, a in zip(eq.split("->")[0].split(","), arrays):
        sizes.update(zip(term, a.shape))
    cost = 1
    for n in sizes.values():
        cost *= n
    return cost > 65536


def _einsum_grad(g, out, subs, ops, i):
    xp = _gam(g._data)
    dt = g._data.dtype
    others = [(s, t) for j, (s, t) in enumerate(zip(subs, ops)) if j != i]
    sizes = {}   # the largest size each letter has outside operand i
    for s, t in [(out, g)] + others:
        for c, n in zip(s, t._data.shape):
            sizes[c] = max(sizes.get(c, 1), n)
    used = set(out).union(*(s for s, _ in others), subs[i])
    fresh = (c for c in _LETTERS if c not in used)
    target, extra = [], []
    for c, n in zip(subs[i], ops[i]._data.shape):
        if c in target:
            # repeated subscript (a diagonal): a new letter tied to c by an identity matrix
            f = next(fresh)
            target.append(f)
            extra.append((c + f, _make(xp.eye(n, dtype=dt))))
            continue
        target.append(c)
        if c not in sizes or (sizes[c] != n and n != 1):
            # not determined elsewhere (summed out, or broadcast from size 1): ones
            extra.append((c, _make(xp.ones(n, dtype=dt))))
    others = [(s, _conj(t)) for s, t in others]
    terms = [(out, g)] + others + extra
    eq = ",".join(s for s, _ in terms) + "->" + "".join(target)
    return Einsum.apply(*[t for _, t in terms], eq=eq)


def _sublist_to_str(sub):
    parts = []
    for s in sub:
        if s is Ellipsis:
            parts.append("...")
        elif isinstance(s, int) and 0 <= s < 52:
            parts.append(_LETTERS[26 + s] if s < 26 else _LETTERS[s - 26])
        else:
            raise ValueError(f"einsum(): subscript in subscript list is not within the valid "
                             f"range [0, 52), got {s}")
    return "".join(parts)


def _einsum_args(args):
    if not args:
        raise TypeError("einsum() missing required argument 'equation'")
    if isinstance(args[0], str):
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
        return eq, ops
    # sublist format: op0, sub0, op1, sub1, ..., [out]
    ops, subs = list(args[0::2]), list(args[1::2])
    out = None
    if len(ops) > len(subs):
        out = ops.pop()
        if isinstance(out, Tensor):
            raise RuntimeError("einsum(): the sublist format expects a subscript list after "
                               "each operand")
    eq = ",".join(_sublist_to_str(s) for s in subs)
    if out is not None:
        eq += "->" + _sublist_to_str(out)
    return eq, ops


def _parse_subscripts(term, what):
    """Letters of one term with '...' as None; PyTorch's messages for bad input."""
    out, i = [], 0
    while i < len(term):
        c = term[i]
        if c == ".":
            if term[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for {what} that is not part of any "
                                   "ellipsis")
            if None in out:
                raise RuntimeError(f"einsum(): found '.' for {what} for which an ellipsis was "
                                   "already found")
            out.append(None)
            i += 3
            continue
        if c not in _LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               "string, subscripts must be in [a-zA-Z]")
        out.append(c)
        i += 1
    return out


def _normalise_equation(eq, shapes):
    """An explicit, ellipsis-free equation for ``shapes`` (validated as PyTorch does)."""
    eq = eq.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    parsed = [_parse_subscripts(t, f"operand {i}") for i, t in enumerate(terms)]
    used = set(c for p in parsed for c in p if c) | set(c for c in rhs if c in _LETTERS)
    n_ell = 0
    for i, (p, s) in enumerate(zip(parsed, shapes)):
        n_sub = len([c for c in p if c])
        if None in p:
            if n_sub > len(s):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_sub}) "
                                   f"is more than the number of dimensions ({len(s)}) for "
                                   f"operand {i}")
            n_ell = max(n_ell, len(s) - n_sub)
        elif n_sub != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_sub}) does "
                               f"not match the number of dimensions ({len(s)}) for operand {i} "
                               "and no ellipsis was given")
    free = [c for c in _LETTERS if c not in used]
    if n_ell > len(free):
        raise RuntimeError("einsum(): too many dimensions for the available subscripts")
    ell = "".join(free[:n_ell])
    ins = []
    for p, s in zip(parsed, shapes):
        if None in p:
            k = len(s) - (len(p) - 1)
            ins.append("".join(ell[n_ell - k:] if c is None else c for c in p))
        else:
            ins.append("".join(p))
    # sizes must agree (or be 1) for each letter
    sizes = {}
    for i, (t, s) in enumerate(zip(ins, shapes)):
        seen = {}
        for c, n in zip(t, s):
            if c in seen and seen[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {seen[c]}")
            seen[c] = n
            prev = sizes.get(c)
            if prev is not None and prev != n and prev != 1 and n != 1:
                label = f"subscript {c}" if c not in ell else "ellipsis dimension"
                raise RuntimeError(f"einsum(): {label} has size {n} for operand {i} which does "
                                   f"not broadcast with previously seen size {prev}")
            sizes[c] = n if prev is None or prev == 1 else prev
    if arrow:
        outp = _parse_subscripts(rhs, "output")
        out = "".join(ell if c is None else c for c in outp)
        for c in outp:
            if c is None:
                continue
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            if outp.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
    else:
        counts = {}
        for t in ins:
            for c in t:
                if c not in ell:
                    counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return ",".join(ins) + "->" + out


def einsum(*args):
    """``torch.einsum(equation, *operands)``, also with a list of operands or the sublist
    format. Computed by ``xp.einsum`` (with contraction-path optimisation and BLAS for two
    or more operands); operands must share a dtype, as in PyTorch."""
    eq, ops = _einsum_args(args)
    if not ops:
        raise RuntimeError("einsum(): must provide at least one operand")
    for i, t in enumerate(ops):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' must be tuple of Tensors, but found "
                            f"element of type {type(t).__name__} at pos {i}")
    for t in ops[1:]:
        if t._data.dtype != ops[0]._data.dtype and not _casting_active():
            raise RuntimeError(f"expected scalar type {_name(ops[0])} but found {_name(t)}")
    eq = _normalise_equation(eq, [t._data.shape for t in ops])
    return Einsum.apply(*ops, eq=eq)


# ---------------------------------------------------------------------------------------
# tensordot, inner, kron, trace

def tensordot(a, b, dims=2, out=None):
    """``torch.tensordot``: contract ``dims`` (an int, or two lists of dims) of a and b."""
    from .._tensor import _wrap_dim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        da = [_wrap_dim(d, a.ndim) for d in da]
        db = [_wrap_dim(d, b.ndim) for d in db]
    if a._data.dtype != b._data.dtype and not _casting_active():
        raise RuntimeError("both inputs should have same dtype")
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    la = _LETTERS[:a.ndim]
    lb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for x, y in zip(da, db):
        lb[y] = la[x]
    lb = "".join(lb)
    res = "".join(c for i, c in enumerate(la) if i not in da) + \
        "".join(c for i, c in enumerate(lb) if i not in db)
    return _out(Einsum.apply(a, b, eq=f"{la},{lb}->{res}"), out)


def inner(input, other, *, out=None):
    """``torch.inner``: sum over the last dimension of both (a product if either is 0-d)."""
    from .pointwise import mul
    if input._data.ndim == 0 or other._data.ndim == 0:
        return _out(mul(input, other), out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, dims=([-1], [-1]), out=out)


def kron(input, other, *, out=None):
    """``torch.kron``: the Kronecker product (dtypes promote), built as a broadcast product."""
    from .pointwise import mul
    n = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (n - input._data.ndim) + input._data.shape
    sb = (1,) * (n - other._data.ndim) + other._data.shape
    a = _reshape(input, tuple(x for s in sa for x in (s, 1)))
    b = _reshape(other, tuple(x for s in sb for x in (1, s)))
    prod = mul(a, b)
    return _out(_Fold.apply(prod, shape=tuple(x * y for x, y in zip(sa, sb))), out)


class Trace(ArrayFunction):
    """Sum of the main diagonal of a matrix (integers sum to int64)."""

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        xp = _gam(x)
        dt = x.dtype
        if dt in INTEGRAL_NP:
            return xp.asarray(xp.trace(x, dtype=xp.int64))
        if dt in HALF_NP:
            return xp.asarray(xp.trace(x, dtype=xp.float32)).astype(dt)
        return xp.asarray(xp.trace(x))

    @staticmethod
    def backward(ctx, g):
        from .pointwise import mul
        xp = _gam(g._data)
        return mul(g, _make(xp.eye(*ctx.shape, dtype=g._data.dtype)))


def trace(input):
    """``torch.trace``: 2-D input only."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    if input._data.dtype in BOOL_NP:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


METHODS = ("mm", "matmul", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "addmm_",
           "baddbmm", "baddbmm_", "addmv", "addmv_", "inner", "kron", "trace")

__all__ = [
    "mm", "matmul", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "baddbmm", "addmv",
    "inner", "kron", "trace", "einsum", "tensordot",
]
