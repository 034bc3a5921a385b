"""Table entries for ember.ops.indexing: getitem/setitem, gather/scatter, index_*, masks, take/put.

Index tensors are Const(lambda lib: lib.tensor(...)) so each library gets its own.
"""
from ops.table import OpSample, Arr, Const


def _i(*data, dtype="int64"):
    """An index tensor for ``lib`` (int64 unless told)."""
    return Const(lambda lib: lib.tensor(list(data) if len(data) != 1 else data[0],
                                        dtype=getattr(lib, dtype)))


def _b(data):
    return Const(lambda lib: lib.tensor(data, dtype=lib.bool))


def _empty_index():
    return Const(lambda lib: lib.zeros(0, dtype=lib.int64))


def _setitem(key, value_from_input=False):
    """Out-of-place view of ``x[key] = v``: setitem on a clone (so grads reach x and v)."""
    def fn(lib, x, v=None):
        y = x.clone()
        y[key(lib) if callable(key) else key] = v if v is not None else 2.5
        return y
    return fn


_E = Ellipsis

SAMPLES = [
    # ---- basic indexing (views) ----
    OpSample("getitem_int", lambda t, x: x[1], [[(3, 4)], [(2, 3, 4)]]),
    OpSample("getitem_neg_int", lambda t, x: x[-1, -2], [[(3, 4)], [(2, 3, 4)]]),
    OpSample("getitem_to_0d", lambda t, x: x[1, 2], [[(3, 4)]]),
    OpSample("getitem_0d_int_tensor", lambda t, x, i: x[i], [[(3, 4), _i(2)]]),
    OpSample("getitem_slice", lambda t, x: x[1:], [[(3, 4)], [(5,)], [(0, 2)]]),
    OpSample("getitem_slice_step", lambda t, x: x[::2, 1::2], [[(5, 4)], [(3, 6)]]),
    OpSample("getitem_slice_clamped", lambda t, x: x[-10:10, 2:1], [[(3, 4)]]),
    OpSample("getitem_none_ellipsis", lambda t, x: x[None, ..., 1, None], [[(3, 4)], [(2, 3, 4)]]),
    OpSample("getitem_ellipsis_only", lambda t, x: x[...], [[(3, 4)], [()]]),
    OpSample("getitem_0d_none", lambda t, x: x[None], [[()]]),
    OpSample("getitem_mixed_basic", lambda t, x: x[1:, None, 0, ::2], [[(3, 4, 5)]]),
    OpSample("getitem_empty_tuple", lambda t, x: x[()], [[(3, 4)], [()]]),
    # ---- advanced indexing (copies) ----
    OpSample("getitem_list", lambda t, x: x[[0, 2, 0]], [[(3, 4)], [(3,)]]),
    OpSample("getitem_int_tensor", lambda t, x, i: x[i], [
        [(4, 3), _i([[0, 3], [-1, 0]])],          # 2-D index, negative and repeated entries
        [(4, 3), _empty_index()],                 # empty index
        [(4,), _i([1, 1, 1])],
    ]),
    OpSample("getitem_int32_index", lambda t, x, i: x[:, i], [[(3, 4), _i([0, 3, 3], dtype="int32")]]),
    OpSample("getitem_two_tensors", lambda t, x, i, j: x[i, j], [
        [(3, 4), _i([0, 2, 2]), _i([1, -1, 1])],
        [(3, 4, 2), _i([[0], [2]]), _i([1, 3])],   # broadcast index shapes
    ]),
    OpSample("getitem_adv_adjacent", lambda t, x, i: x[:, i, :], [[(2, 3, 4), _i([2, 0, 2])]]),
    OpSample("getitem_adv_separated", lambda t, x, i, j: x[i, :, j],
             [[(2, 3, 4), _i([1, 0]), _i([3, 3])]]),
    OpSample("getitem_int_then_adv", lambda t, x, i: x[0, :, i], [[(2, 3, 4), _i([0, 1])]]),
    OpSample("getitem_adv_none", lambda t, x, i: x[None, i, 1], [[(3, 4), _i([0, 2])]]),
    OpSample("getitem_slice_and_adv", lambda t, x, i: x[1:, i], [[(3, 4), _i([3, 0])]]),
    OpSample("getitem_bool_mask", lambda t, x, m: x[m], [
        [(3, 4), _b([[True, False, True, True], [False] * 4, [True, True, False, True]])],
        [(3, 4), _b([True, False, True])],
        [(3, 4), _b([False, False, False])],
        [(), _b(True)],
    ]),
    OpSample("getitem_bool_list", lambda t, x: x[:, [True, False, True, False]], [[(3, 4)]]),
    OpSample("getitem_mask_from_input", lambda t, x: x[x > 0], [[(3, 4)], [(0, 2)]]),
    OpSample("getitem_bool_scalar", lambda t, x: (x[True], x[False]), [[(3,)]]),
    OpSample("getitem_mask_and_int_tensor", lambda t, x, m, i: x[m, i],
             [[(3, 4), _b([True, False, True]), _i([1, 3])]]),
    # ---- setitem (through a clone, so autograd through setitem is checked too) ----
    OpSample("setitem_int_scalar", _setitem(1), [[(3, 4)]]),
    OpSample("setitem_slice_tensor", lambda t, x, v: _setitem((slice(None), slice(1, 3)))(t, x, v),
             [[(3, 4), (3, 2)], [(3, 4), (2,)], [(3, 4), ()], [(3, 4), (1, 3, 2)]]),
    OpSample("setitem_step_slice", lambda t, x, v: _setitem((slice(None, None, 2),))(t, x, v),
             [[(5, 3), (3, 3)]]),
    OpSample("setitem_adv_tensor", lambda t, x, v: _setitem(lambda lib: lib.tensor([2, 0]))(t, x, v),
             [[(3, 4), (2, 4)], [(3, 4), (4,)]]),
    OpSample("setitem_mask", lambda t, x, v: _setitem(lambda lib: lib.tensor([True, False, True]))(t, x, v),
             [[(3, 4), (2, 4)], [(3, 4), ()]]),
    OpSample("setitem_mixed", lambda t, x, v: _setitem(lambda lib: (0, slice(None), lib.tensor([1, 3])))(t, x, v),
             [[(2, 3, 4), (3, 2)]]),
    OpSample("setitem_ellipsis", lambda t, x, v: _setitem(_E)(t, x, v), [[(3, 4), (4,)]]),
    OpSample("setitem_int_dtype_cast", lambda t, x: _setitem(0)(t, (x * 4).long(), x[0] * 3),
             [[(3, 4)]], grad=False),
    OpSample("index_put_accumulate", lambda t, x, v, i: x.index_put((i,), v, accumulate=True),
             [[(3, 4), (3, 4), _i([0, 2, 0])], [(4,), (), _i([1, 1])]]),
    # ---- gather / scatter ----
    OpSample("gather", lambda t, x, i: t.gather(x, 1, i), [
        [(3, 4), _i([[0, 3, 3], [1, 0, 2], [2, 2, 2]])],
        [(3, 4), _i([[1], [0]])],                     # index smaller than input
        [(3, 4), Const(lambda lib: lib.zeros(3, 0, dtype=lib.int64))],
    ]),
    OpSample("gather_dim0_neg_dim", lambda t, x, i: x.gather(-2, i), [[(3, 4), _i([[2, 0, 1, 1]])]]),
    OpSample("gather_0d", lambda t, x, i: t.gather(x, 0, i), [[(), _i(0)], [(4,), _i(3)]]),
    OpSample("gather_int32", lambda t, x, i: t.gather(x, 0, i), [[(3,), _i([2, 2], dtype="int32")]]),
    OpSample("scatter_src", lambda t, x, i, s: t.scatter(x, 0, i, s), [
        [(3, 4), _i([[0, 1, 2, 0], [2, 0, 1, 1]]), (2, 4)],
        [(3, 4), _i([[2, 0]]), (1, 2)],
        [(), _i(0), ()],
    ]),
    OpSample("scatter_value", lambda t, x, i: x.scatter(1, i, -1.5), [[(3, 4), _i([[0, 3], [1, 1], [2, 0]])]]),
    OpSample("scatter_reduce_arg", lambda t, x, i, s: (x.scatter(0, i, s, reduce="add"),
                                                       x.scatter(0, i, s, reduce="multiply")),
             [[(3, 4), _i([[0, 0, 2, 0], [0, 1, 2, 0]]), (2, 4)]], grad=False),
    OpSample("scatter_add", lambda t, x, i, s: t.scatter_add(x, 1, i, s), [
        [(3, 4), _i([[0, 0, 3], [1, 1, 1], [2, 0, 2]]), (3, 3)],
    ]),
    # src larger than index: PyTorch's backward raises here (ember pads; see behaviour tests)
    OpSample("scatter_add_large_src", lambda t, x, i, s: t.scatter_add(x, 1, i, s),
             [[(3, 4), _i([[0, 0]]), (2, 5)]], grad=False),
    OpSample("scatter_reduce_sum_mean", lambda t, x, i, s: (
        x.scatter_reduce(0, i, s, "sum"), x.scatter_reduce(0, i, s, "mean", include_self=False)),
        [[(3, 4), _i([[0, 0, 2, 0], [0, 1, 2, 2]]), (2, 4)]]),
    OpSample("scatter_reduce_amax_amin", lambda t, x, i, s: (
        x.scatter_reduce(0, i, s, "amax"), x.scatter_reduce(0, i, s, "amin", include_self=False)),
        [[Arr((3, 4), kind="distinct"), _i([[0, 0, 2, 0], [0, 1, 2, 2]]), Arr((2, 4), kind="distinct")]]),
    OpSample("scatter_reduce_prod", lambda t, x, i, s: (
        x.scatter_reduce(0, i, s, "prod"), x.scatter_reduce(0, i, s, "prod", include_self=False)),
        [[Arr((3, 4), 0.5, 1.5), _i([[0, 0, 2, 0], [0, 1, 2, 2]]), Arr((2, 4), 0.5, 1.5)]]),
    OpSample("scatter_reduce_prod_zero", lambda t, x, i, s: x.scatter_reduce(0, i, s * 0, "prod"),
             [[(3,), _i([0, 0, 1]), (3,)]], gradcheck=False),
    OpSample("scatter_reduce_int_mean", lambda t, x, i, s: (x * 4).long().scatter_reduce(
        0, i, (s * 4).long(), "mean"), [[(4,), _i([0, 0, 3]), (3,)]], grad=False),
    # ---- index_select / index_add / index_copy / index_fill ----
    OpSample("gather_scatter_3d_last_dim", lambda t, x, i, s: (
        t.gather(x, -1, i), x.scatter(2, i, s), x.scatter_add(-1, i, s),
        x.scatter_reduce(2, i, s, "amax", include_self=False)),
        [[(2, 3, 4), _i([[[0, 2], [1, 3], [3, 0]], [[2, 1], [0, 3], [1, 2]]]), (2, 3, 2)]]),
    OpSample("index_select", lambda t, x, i: t.index_select(x, 1, i), [
        [(3, 4), _i([3, 0, 3])], [(3, 4), _empty_index()], [(3, 4), _i(2)],
        [(3, 4), _i([1, 2], dtype="int32")],
    ]),
    OpSample("index_select_0d", lambda t, x, i: t.index_select(x, 0, i), [[(), _i([0])]]),
    OpSample("index_add", lambda t, x, i, s: x.index_add(0, i, s, alpha=1.5), [
        [(3, 4), _i([2, 0, 2]), (3, 4)], [(3, 4), _empty_index(), (0, 4)],
    ]),
    OpSample("index_add_dim1", lambda t, x, i, s: t.index_add(x, 1, i, s), [[(3, 4), _i([1, 1]), (3, 2)]]),
    OpSample("index_copy", lambda t, x, i, s: x.index_copy(1, i, s), [[(3, 4), _i([3, 0]), (3, 2)]]),
    OpSample("index_fill", lambda t, x, i: x.index_fill(1, i, -2.0), [[(3, 4), _i([3, 0, -1])]]),
    OpSample("index_fill_tensor_value", lambda t, x, i, v: x.index_fill(0, i, v), [[(3, 4), _i([1]), ()]]),
    # ---- masks ----
    OpSample("masked_fill", lambda t, x, m: x.masked_fill(m, 0.5), [
        [(3, 4), Arr((3, 4), dtype="bool")], [(3, 4), Arr((4,), dtype="bool")],
        [(4,), Arr((3, 4), dtype="bool")], [(), _b(True)],
    ]),
    OpSample("masked_fill_tensor_value", lambda t, x, m, v: t.masked_fill(x, m, v),
             [[(3, 4), Arr((3, 1), dtype="bool"), ()]]),
    OpSample("masked_fill_int", lambda t, x, m: (x * 4).long().masked_fill(m, 2.7),
             [[(3, 4), Arr((3, 4), dtype="bool")]], grad=False),
    OpSample("masked_select", lambda t, x, m: t.masked_select(x, m), [
        [(3, 4), Arr((3, 4), dtype="bool")], [(3, 4), Arr((4,), dtype="bool")],
        [(4,), Arr((2, 4), dtype="bool")], [(0, 4), Arr((4,), dtype="bool")],
    ]),
    OpSample("masked_scatter", lambda t, x, m, s: x.masked_scatter(m, s), [
        [(3, 4), _b([[True, False, True, True], [False] * 4, [True] * 4]), (3, 4)],
        [(3, 4), _b([True, False, False, True]), (2, 5)],
    ]),
    # ---- nonzero / take / put ----
    OpSample("nonzero", lambda t, x: (t.nonzero(x > 0), t.argwhere(x > 0.5)),
             [[(3, 4)], [()], [(0, 3)]], grad=False),
    OpSample("nonzero_as_tuple", lambda t, x: t.nonzero(x > 0, as_tuple=True), [[(3, 4)], [()]], grad=False),
    OpSample("take", lambda t, x, i: t.take(x, i), [
        [(3, 4), _i([[0, -1], [11, 11]])], [(3, 4), _i(5)], [(3, 4), _empty_index()],
    ]),
    OpSample("take_along_dim", lambda t, x, i: t.take_along_dim(x, i, 1), [
        [(3, 4), _i([[0], [3], [3]])], [(3, 4), _i([[0, 2, 2]])],
    ]),
    # torch's dim=None form views the input, so it rejects non-contiguous inputs (ember does not)
    OpSample("take_along_dim_flat", lambda t, x, i: t.take_along_dim(x, i), [[(3, 4), _i([0, 11, 5])]],
             noncontig=False),
    OpSample("put", lambda t, x, i, s: (x.put(i, s), x.put(i * 0 + t.tensor([0, 5, 6]), s, accumulate=True)),
             [[(3, 4), _i([0, 5, -1]), (3,)]]),
    OpSample("put_accumulate_repeat", lambda t, x, i, s: x.put(i, s, accumulate=True),
             [[(3, 4), _i([0, 0, 0]), (3,)]]),
    # ---- in-place forms (on a clone) ----
    OpSample("inplace_index_ops", lambda t, x, i, s: (
        x.clone().index_add_(0, i, s), x.clone().index_copy_(0, i, s), x.clone().index_fill_(0, i, 1.0),
        x.clone().masked_fill_(x > 0, 0.0), x.clone().scatter_(0, i[:, None].expand(2, 4), s),
        x.clone().scatter_add_(0, i[:, None].expand(2, 4), s), x.clone().put_(i, s[0, :2]),
        x.clone().masked_scatter_(x > 0, s.repeat(2, 1))),
        [[(3, 4), _i([2, 0]), (2, 4)]]),
]
