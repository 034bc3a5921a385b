"""Tensor structure tail (issue 17): storages, strides, memory formats, interop, constants,
switches and PyTorch's argument-parsing errors, each checked against torch."""
import pickle
import warnings

import numpy as np
import pytest

import ember
from helpers import torch, needs_torch


# -- argument parsing: the bad calls of issue 17, same exception type as torch ---------------
def _bad_calls(t):
    x, i = t.ones(2, 3), t.ones(2, 3, dtype=t.int64)
    return {
        "zeros_str": lambda: t.zeros("a"), "zeros_float": lambda: t.zeros(2.5),
        "zeros_tensor": lambda: t.zeros(x), "ones_str": lambda: t.ones("a"),
        "ones_list_float": lambda: t.ones([2, 1.5]), "empty_str": lambda: t.empty("a"),
        "arange_str": lambda: t.arange("a"), "arange_none": lambda: t.arange(None),
        "eye_str": lambda: t.eye("a"), "eye_float": lambda: t.eye(2.5), "eye_none": lambda: t.eye(),
        "reshape_str": lambda: t.reshape(x, "a"), "reshape_float": lambda: t.reshape(x, (2.0, 3)),
        "reshape_missing": lambda: t.reshape(x),
        "bitwise_and_float": lambda: t.bitwise_and(i, 1.5),
        "bitwise_or_str": lambda: t.bitwise_or(i, "a"),
        "bitwise_xor_missing": lambda: t.bitwise_xor(i),
        "bitwise_not_str": lambda: t.bitwise_not("a"),
        "bitwise_left_shift_str": lambda: t.bitwise_left_shift(i, "a"),
        "flip_missing": lambda: t.flip(x), "tile_missing": lambda: t.tile(x),
        "logical_and_missing": lambda: t.logical_and(x),
        "logical_or_missing": lambda: t.logical_or(x),
        "logical_xor_missing": lambda: t.logical_xor(x),
        "full_missing": lambda: t.full((2,)),
        "adaptive_avg_pool2d_2d": lambda: t.nn.functional.adaptive_avg_pool2d(t.ones(4, 6), 2),
    }


def _outcome(fn):
    try:
        fn()
        return "ok"
    except Exception as e:   # noqa: BLE001 - the type is what is compared
        return type(e).__name__


@needs_torch
@pytest.mark.parametrize("name", sorted(_bad_calls(ember)))
def test_bad_call_exception_type_matches_torch(name):
    ours, theirs = _outcome(_bad_calls(ember)[name]), _outcome(_bad_calls(torch)[name])
    assert ours == theirs, f"{name}: ember {ours}, torch {theirs}"


def test_missing_argument_message_names_function_and_argument():
    with pytest.raises(TypeError, match=r'flip\(\) missing 1 required positional arguments: "dims"'):
        ember.flip(ember.ones(2))
    with pytest.raises(TypeError, match=r"zeros\(\): argument 'size'"):
        ember.zeros("a")
    with pytest.raises(TypeError, match=r"arange\(\): argument 'end' \(position 1\) must be Number"):
        ember.arange("a")


@needs_torch
def test_embedding_bag_legacy_argument_order():
    w = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    idx, off = [0, 2, 1, 4], [0, 2]
    with pytest.warns(UserWarning, match="Argument order"):
        ours = ember.nn.functional.embedding_bag(ember.tensor(w), ember.tensor(idx), ember.tensor(off))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.functional.embedding_bag(torch.tensor(w), torch.tensor(idx),
                                                   torch.tensor(off))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# -- strides and storage offsets -------------------------------------------------------------
@needs_torch
def test_strides_and_offsets_match_torch():
    for lib_ops in [lambda t, x: x[1:, 2:], lambda t, x: x.t()[1], lambda t, x: x.unfold(1, 2, 1),
                    lambda t, x: t.as_strided(x, (2, 3), (1, 2), 3), lambda t, x: x.select(1, 2),
                    lambda t, x: t.empty_strided((2, 3), (1, 2)),
                    lambda t, x: x.new_empty_strided((2, 2), (3, 1)),
                    lambda t, x: x.contiguous().view(4, 3)[::2]]:
        a = lib_ops(ember, ember.arange(12.).reshape(3, 4))
        b = lib_ops(torch, torch.arange(12.).reshape(3, 4))
        assert a.stride() == b.stride() and tuple(a.shape) == tuple(b.shape)
        assert a.storage_offset() == b.storage_offset()
        if a.numel() and not isinstance(a, type(None)) and lib_ops.__code__.co_names[:1] != ("empty_strided",):
            pass
    a = ember.as_strided(ember.arange(12.).reshape(3, 4), (2, 3), (1, 2), 3)
    b = torch.as_strided(torch.arange(12.).reshape(3, 4), (2, 3), (1, 2), 3)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_as_strided_writes_through_and_checks_bounds():
    x = ember.zeros(6)
    v = x.as_strided((2, 2), (1, 2), 1)
    v[1, 1] = 5.0
    assert x.tolist() == [0, 0, 0, 0, 5, 0]
    with pytest.raises(RuntimeError, match="out of bounds for storage of size 24"):
        x.as_strided((3, 3), (3, 1))
    with pytest.raises(RuntimeError, match="Negative strides"):
        x.as_strided((2,), (-1,))
    y = ember.arange(6.)
    y.as_strided_((2, 2), (2, 1), 1)
    assert y.tolist() == [[1, 2], [3, 4]] and y.storage_offset() == 1


def test_as_strided_gradients():
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    src = ember.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: a.as_strided((3, 3), (1, 1), 0), (x,))   # overlap
    assert ember.autograd.gradcheck(lambda a: a.t().as_strided((2, 2), (4, 1), 1), (x,))
    assert ember.autograd.gradcheck(
        lambda a, s: ember.as_strided_scatter(a, s, (2, 2), (1, 3), 1), (x, src))
    assert ember.autograd.gradgradcheck(
        lambda a, s: ember.as_strided_scatter(a, s, (2, 2), (1, 3), 1), (x, src))
    assert x.as_strided((2, 2), (1, 1)).grad_fn.name() == "AsStridedBackward0"
    assert x.unfold(0, 2, 1).grad_fn.name() == "UnfoldBackward0"


@needs_torch
def test_view_op_errors_match_torch():
    cases = [lambda t: t.ones(3, 4).unfold(1, 5, 1), lambda t: t.ones(3, 4).unfold(1, 2, 0),
             lambda t: t.ones(3, 4).select(0, 3), lambda t: t.select(t.tensor(1.), 0, 0),
             lambda t: t.select_scatter(t.ones(3, 4), t.ones(3), 0, 0),
             lambda t: t.slice_scatter(t.ones(3, 4), t.ones(1, 4), 0, 0, 2),
             lambda t: t.ones(2, 3).sum_to_size(3), lambda t: t.hsplit(t.ones(3, 5), 2),
             lambda t: t.vsplit(t.ones(3), 1), lambda t: t.dsplit(t.ones(2, 2), 1),
             lambda t: t.ones(3).index_reduce(0, t.tensor([0]), t.ones(1), "sum"),
             lambda t: t.ones(2).resize_(-1)]
    for c in cases:
        assert _outcome(lambda: c(ember)) == _outcome(lambda: c(torch))


# -- storages -----------------------------------------------------------------------------
@needs_torch
def test_storage_matches_torch():
    x, tx = ember.arange(6.).reshape(2, 3), torch.arange(6.).reshape(2, 3)
    v, tv = x[1:, 1:], tx[1:, 1:]
    s, ts = v.untyped_storage(), tv.untyped_storage()
    assert s.nbytes() == ts.nbytes() == 24 and len(s) == len(ts) and s.tolist() == ts.tolist()
    assert s.data_ptr() == x.data_ptr() and v.data_ptr() == x.data_ptr() + 4 * v.storage_offset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        typed, ttyped = v.storage(), tv.storage()
    assert typed.size() == ttyped.size() and typed.tolist() == ttyped.tolist()
    assert typed.dtype == ember.float32 and typed[4] == ttyped[4]
    assert x.storage_type() is ember.FloatStorage
    assert ember.arange(3).storage_type() is ember.LongStorage
    assert ember.FloatStorage([1, 2]).tolist() == torch.FloatStorage([1, 2]).tolist()
    assert ember.LongStorage(3).size() == 3 and ember.BoolStorage([1, 0]).tolist() == [True, False]
    # sharing: writes through the storage show in the tensor
    typed[0] = 9.0
    assert x[0, 0].item() == 9.0
    y = ember.tensor([]).set_(x.untyped_storage(), 1, (2,), (2,))
    ty = torch.tensor([]).set_(tx.untyped_storage(), 1, (2,), (2,))
    assert y.tolist() == [1.0, 3.0] == ty.tolist()
    assert ember.tensor([]).set_(x).data_ptr() == x.data_ptr()
    over = ember.FloatTensor(x.untyped_storage())      # a legacy constructor over a storage
    over[1] = -3.0
    assert x[0, 1].item() == -3.0 and over.shape == (6,)


@needs_torch
def test_resize_new_and_legacy_constructors():
    for lib in (ember, torch):
        x = lib.arange(6.)
        x.resize_(2, 2)
        assert x.tolist() == [[0, 1], [2, 3]]
        x.resize_(3, 3)
        assert x.flatten()[:6].tolist() == [0, 1, 2, 3, 4, 5] and x.shape == (3, 3)
        y = lib.zeros(1).resize_as_(lib.ones(2, 5))
        assert tuple(y.shape) == (2, 5)
        n = lib.ones(2, dtype=lib.int32).new([1, 2, 3])
        assert n.dtype == lib.int32 and n.tolist() == [1, 2, 3]
        assert tuple(lib.ones(2).new(2, 3).shape) == (2, 3) and lib.ones(2).new().numel() == 0
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        ember.ones(2, requires_grad=True).resize_(3)


# -- interop ------------------------------------------------------------------------------
@needs_torch
def test_dlpack_round_trips_share_memory():
    x = ember.arange(6.).reshape(2, 3)
    t = torch.from_dlpack(x)
    assert t.tolist() == x.tolist()
    t[0, 0] = 7.0
    assert x[0, 0].item() == 7.0
    assert tuple(x.__dlpack_device__()) == tuple(torch.ones(1).__dlpack_device__())
    src = torch.arange(4.)
    e = ember.from_dlpack(src)
    src[1] = -1.0
    assert e.tolist() == [0.0, -1.0, 2.0, 3.0]
    a = np.arange(3, dtype=np.int32)
    assert ember.from_dlpack(a).dtype == ember.int32


@needs_torch
def test_frombuffer_matches_torch():
    buf = bytearray(np.arange(5, dtype=np.float32).tobytes())
    ours = ember.frombuffer(buf, dtype=ember.float32, count=3, offset=4)
    theirs = torch.frombuffer(buf, dtype=torch.float32, count=3, offset=4)
    assert ours.tolist() == theirs.tolist() == [1.0, 2.0, 3.0]
    ours[0] = 10.0
    assert np.frombuffer(buf, np.float32)[1] == 10.0
    for bad in (lambda t: t.frombuffer(bytearray(), dtype=t.float32),
                lambda t: t.frombuffer(bytearray(8), dtype=t.float32, offset=8),
                lambda t: t.frombuffer(bytearray(6), dtype=t.float32)):
        assert _outcome(lambda: bad(ember)) == _outcome(lambda: bad(torch)) == "ValueError"


# -- memory formats, layouts, constants, switches -----------------------------------------
@needs_torch
def test_memory_formats_match_torch():
    for lib in (ember, torch):
        x = lib.arange(120.).reshape(2, 3, 4, 5)
        cl = x.contiguous(memory_format=lib.channels_last)
        assert cl.stride() == (60, 1, 15, 3) and cl.is_contiguous(memory_format=lib.channels_last)
        assert not cl.is_contiguous() and cl.tolist() == x.tolist()
        assert x.to(memory_format=lib.channels_last).stride() == (60, 1, 15, 3)
        assert lib.empty_like(x, memory_format=lib.channels_last).stride() == (60, 1, 15, 3)
        assert lib.empty_like(cl).stride() == (60, 1, 15, 3)
        assert cl.clone(memory_format=lib.contiguous_format).stride() == (60, 20, 5, 1)
        x5 = lib.zeros(1, 2, 3, 4, 5)
        assert x5.contiguous(memory_format=lib.channels_last_3d).stride() == (120, 1, 40, 10, 2)
        assert x.layout == lib.strided
    assert repr(ember.channels_last) == "ember.channels_last"
    assert repr(ember.strided) == "ember.strided" and repr(ember.sparse_coo) == "ember.sparse_coo"
    assert pickle.loads(pickle.dumps(ember.channels_last)) is ember.channels_last
    with pytest.raises(RuntimeError, match="rank 4"):
        ember.ones(2, 3).contiguous(memory_format=ember.channels_last)


@needs_torch
def test_constants_and_switches():
    for name in ("inf", "nan", "pi", "e", "newaxis", "has_lapack", "has_spectral"):
        a, b = getattr(ember, name), getattr(torch, name)
        assert a == b or (a != a and b != b), name
    assert ember.ones(2, 3)[ember.newaxis].shape == (1, 2, 3)
    assert not ember.is_anomaly_enabled()
    ember.set_anomaly_enabled(True)
    try:
        assert ember.is_anomaly_enabled() and ember.is_anomaly_check_nan_enabled()
    finally:
        ember.set_anomaly_enabled(False)
    assert not ember.is_anomaly_enabled()
    ember.set_warn_always(True)
    assert ember.is_warn_always_enabled()
    ember.set_warn_always(False)
    x = ember.ones(2)
    assert ember.get_device(x) == x.get_device() == torch.ones(2).get_device() == -1
    assert not x.is_inference() and not ember.is_distributed(x)
    assert ember.get_default_device() == ember.device("cpu")
    with pytest.warns(UserWarning):
        r, tr = ember.range(1, 4, 0.5), torch.range(1, 4, 0.5)
    assert r.tolist() == tr.tolist() and r.dtype == ember.float32
    s = ember.scalar_tensor(3)
    assert s.dtype == ember.float32 and s.shape == () and s.item() == 3.0
    f = ember.fill(ember.ones(2, 3), 2)
    assert f.tolist() == torch.fill(torch.ones(2, 3), 2).tolist()
    z = ember.ones(2)
    assert ember.zero_(z) is z and z.tolist() == [0, 0]
    y = ember.ones(2, 3)
    assert y.swapaxes_(0, 1).shape == (3, 2)


def test_set_default_tensor_type():
    with pytest.warns(UserWarning, match="deprecated"):
        ember.set_default_tensor_type(ember.DoubleTensor)
    try:
        assert ember.ones(1).dtype == ember.float64
        with pytest.warns(UserWarning):
            ember.set_default_tensor_type("torch.FloatTensor")
        assert ember.ones(1).dtype == ember.float32
    finally:
        ember.set_default_dtype(ember.float32)


@needs_torch
def test_aten_helpers_match_torch():
    out = []
    for lib in (ember, torch):
        w = lib.ones(4, 3) * lib.arange(1., 5).unsqueeze(1)
        lib.embedding_renorm_(w, lib.tensor([1, 3, 3]), 2.0, 2.0)
        x = lib.arange(24.).reshape(2, 4, 3)
        _, m, r = lib.native_group_norm(x, None, None, 2, 4, 3, 2, 1e-5)
        rm, rv = lib.zeros(3), lib.ones(3)
        mean, var = lib.batch_norm_update_stats(lib.arange(30.).reshape(2, 3, 5), rm, rv, 0.1)
        a = lib.zeros(7, 3)
        a.fill_diagonal_(5, wrap=True)
        out.append([w, m, r, lib.norm_except_dim(lib.ones(2, 3) * 2, 2, 0), mean, var, rm, rv, a,
                    lib.resize_as_(lib.ones(6), lib.ones(2, 3))])
    for a, b in zip(*out):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5)
        assert tuple(a.shape) == tuple(b.shape)
