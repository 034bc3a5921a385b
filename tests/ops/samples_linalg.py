"""Table entries for ember.ops.linalg."""
from ops.table import OpSample, Arr

_MATMUL = [
    [(3,), (3,)],                  # dot -> 0-d
    [(2, 3), (3,)],                # matrix . vector
    [(3,), (3, 4)],                # vector . matrix
    [(2, 3), (3, 4)],              # mm
    [(5, 2, 3), (3, 4)],           # folded batch
    [(5, 2, 3), (3,)],             # folded batch . vector
    [(2, 3), (5, 3, 4)],           # matrix . batch
    [(3,), (5, 3, 4)],             # vector . batch
    [(5, 2, 3), (5, 3, 4)],        # bmm
    [(5, 1, 2, 3), (7, 3, 4)],     # broadcast batch dims
    [(1, 2, 3), (4, 3, 2)],        # size-1 batch broadcast
    [(0, 3), (3, 4)],              # empty rows
    [(2, 0), (0, 4)],              # empty inner dimension
    [(0, 2, 3), (3, 4)],           # empty batch
]

_EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba,ac", [(2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(5, 1, 2, 3), (4, 3, 2)]),
    ("...i,...i->...", [(2, 3), (3,)]),
    ("i...->...", [(2, 3, 4)]),
    ("ij,ij->ij", [(1, 3), (4, 3)]),
    ("ij,ij->j", [(4, 3), (1, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ij,kj->", [(2, 0), (3, 0)]),
]

SAMPLES = [
    OpSample("matmul", lambda t, a, b: t.matmul(a, b), _MATMUL),
    OpSample("matmul_operator", lambda t, a, b: a @ b, [[(2, 3), (3, 4)], [(4, 2, 3), (3,)]]),
    OpSample("matmul_int64", lambda t, a, b: a @ b,
             [[Arr((2, 3), -5, 5, "int64"), Arr((3, 4), -5, 5, "int64")],
              [Arr((2, 2, 3), -5, 5, "int64"), Arr((3,), -5, 5, "int64")],
              [Arr((3,), -5, 5, "int32"), Arr((3,), -5, 5, "int32")]], grad=False),
    OpSample("matmul_half", lambda t, a, b: (a.half() @ b.half()).float(),
             [[(4, 8), (8, 3)], [(2, 4, 8), (2, 8, 3)]], rtol=1e-2, atol=1e-2, gradcheck=False),
    OpSample("matmul_bfloat16", lambda t, a, b: (a.bfloat16() @ b.bfloat16()).float(),
             [[(4, 8), (8, 3)]], rtol=5e-2, atol=5e-2, gradcheck=False),
    OpSample("matmul_float64", lambda t, a, b: a.double() @ b.double(), [[(2, 3), (3, 4)]]),
    OpSample("mm", lambda t, a, b: t.mm(a, b), [[(2, 3), (3, 4)], [(1, 1), (1, 5)], [(0, 2), (2, 3)]]),
    OpSample("mm_method", lambda t, a, b: a.mm(b), [[(4, 3), (3, 2)]]),
    OpSample("bmm", lambda t, a, b: t.bmm(a, b), [[(3, 2, 4), (3, 4, 5)], [(0, 2, 4), (0, 4, 5)]]),
    OpSample("mv", lambda t, a, b: t.mv(a, b), [[(2, 3), (3,)], [(0, 3), (3,)]]),
    OpSample("dot", lambda t, a, b: t.dot(a, b), [[(5,), (5,)], [(0,), (0,)]]),
    OpSample("vdot", lambda t, a, b: t.vdot(a, b), [[(5,), (5,)]]),
    OpSample("outer", lambda t, a, b: t.outer(a, b), [[(3,), (4,)], [(0,), (2,)]]),
    OpSample("ger", lambda t, a, b: t.ger(a, b), [[(3,), (4,)]]),
    OpSample("outer_promotes", lambda t, a, b: t.outer(a, b), [[Arr((3,), 0, 5, "int64"), (2,)]]),
    OpSample("addmm", lambda t, c, a, b: t.addmm(c, a, b), [[(2, 4), (2, 3), (3, 4)],
                                                            [(4,), (2, 3), (3, 4)],
                                                            [(2, 1), (2, 3), (3, 4)],
                                                            [(), (2, 3), (3, 4)]]),
    OpSample("addmm_beta_alpha", lambda t, c, a, b: t.addmm(c, a, b, beta=0.5, alpha=-2.0),
             [[(2, 4), (2, 3), (3, 4)], [(4,), (2, 3), (3, 4)]]),
    OpSample("addmm_beta0", lambda t, c, a, b: t.addmm(c, a, b, beta=0),
             [[(2, 4), (2, 3), (3, 4)]]),
    OpSample("addmm_method", lambda t, c, a, b: c.addmm(a, b, alpha=3), [[(2, 4), (2, 3), (3, 4)]]),
    OpSample("addmv", lambda t, c, a, b: t.addmv(c, a, b, beta=2, alpha=0.5),
             [[(2,), (2, 3), (3,)], [(), (2, 3), (3,)]]),
    OpSample("baddbmm", lambda t, c, a, b: t.baddbmm(c, a, b, beta=0.3, alpha=1.5),
             [[(2, 3, 5), (2, 3, 4), (2, 4, 5)], [(5,), (2, 3, 4), (2, 4, 5)]]),
    OpSample("addmm_int", lambda t, c, a, b: t.addmm(c, a, b, beta=2, alpha=3),
             [[Arr((2, 4), -5, 5, "int64"), Arr((2, 3), -5, 5, "int64"),
               Arr((3, 4), -5, 5, "int64")]], grad=False),
    OpSample("einsum_list_operands", lambda t, a, b: t.einsum("ij,jk->ik", [a, b]),
             [[(2, 3), (3, 4)]]),
    OpSample("einsum_sublist", lambda t, a, b: t.einsum(a, [0, 1], b, [1, 2], [0, 2]),
             [[(2, 3), (3, 4)]]),
    OpSample("einsum_sublist_ellipsis",
             lambda t, a, b: t.einsum(a, [Ellipsis, 0, 1], b, [1, 2], [Ellipsis, 0, 2]),
             [[(5, 2, 3), (3, 4)]]),
    OpSample("einsum_spaces", lambda t, a, b: t.einsum(" ij , jk -> ik ", a, b), [[(2, 3), (3, 4)]]),
    OpSample("einsum_int", lambda t, a, b: t.einsum("ij,jk->ik", a, b),
             [[Arr((2, 3), -5, 5, "int64"), Arr((3, 4), -5, 5, "int64")]], grad=False),
    OpSample("einsum_half", lambda t, a, b: t.einsum("ij,jk->ik", a.half(), b.half()).float(),
             [[(2, 8), (8, 4)]], rtol=1e-2, atol=1e-2, gradcheck=False),
    OpSample("tensordot", lambda t, a, b: t.tensordot(a, b, dims=2), [[(2, 3, 4), (3, 4, 5)]]),
    OpSample("tensordot_lists", lambda t, a, b: t.tensordot(a, b, dims=([1, 2], [1, 0])),
             [[(2, 3, 4), (4, 3, 5)]]),
    OpSample("tensordot_0", lambda t, a, b: t.tensordot(a, b, dims=0), [[(2, 3), (4,)]]),
    OpSample("inner", lambda t, a, b: t.inner(a, b), [[(2, 3), (4, 3)], [(3,), (3,)], [(), (2, 3)]]),
    OpSample("kron", lambda t, a, b: t.kron(a, b), [[(2, 3), (4, 2)], [(2, 2), ()]]),
    # torch 2.13 raises a view error for non-contiguous operands of different ndim: contiguous only
    OpSample("kron_mixed_ndim", lambda t, a, b: t.kron(a, b), [[(2, 3), (4,)], [(2,), (3, 2, 2)]],
             noncontig=False),
    OpSample("trace", lambda t, a: t.trace(a), [[(3, 3)], [(3, 5)], [(4, 2)]]),
    OpSample("trace_int", lambda t, a: t.trace(a), [[Arr((3, 3), -5, 5, "int32")]], grad=False),
    OpSample("linear_like", lambda t, x, w, b: x @ w.transpose(0, 1) + b, [[(8, 5), (3, 5), (3,)]]),
]


def _einsum_sample(eq, shapes):
    return OpSample(f"einsum[{eq}]", lambda t, *ops: t.einsum(eq, *ops), [list(shapes)])


SAMPLES += [_einsum_sample(eq, shapes) for eq, shapes in _EINSUM]
