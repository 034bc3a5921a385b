"""repr/str of tensors against PyTorch's, with 'torch' replaced by 'ember'."""
import ml_dtypes
import numpy as np
import pytest

import ember
from ember import _printing

torch = pytest.importorskip("torch")

bf16 = ml_dtypes.bfloat16


def _rng():
    return np.random.default_rng(0)


def _randn(*shape, dtype=np.float32, scale=1.0):
    return (_rng().standard_normal(shape) * scale).astype(dtype)


def _complex(*shape, dtype=np.complex64):
    r = _rng()
    return (r.standard_normal(shape) + 1j * r.standard_normal(shape)).astype(dtype)


def _f32(values):
    return np.array(values, dtype=np.float32)


NAN, INF = float("nan"), float("inf")

# name -> numpy array; each is printed by ember and by torch.from_numpy.
CASES = {
    # whole-number floats (integer mode)
    "int_mode": _f32([1.0, 2.0, 3.0]),
    "int_mode_negative": _f32([-1.0, 20.0, -300.0]),
    "int_mode_2d": _f32([[1, 2], [30, -4]]),
    "zeros": np.zeros(3, np.float32),
    "neg_zero": _f32([-0.0, 0.0, 1.0]),
    "neg_zero_only": _f32([-0.0]),
    # fixed point, many magnitudes
    "fixed": _f32([1.5, 2.25, -0.125]),
    "fixed_point_one": _f32([0.1, 0.2, 0.3]),
    "fixed_wide": _f32([123456.789, 0.5]),
    "min_boundary_1e-4": _f32([1e-4, 0.05]),
    "ratio_1000": np.array([0.1, 100.0]),
    "randn_2d": _randn(3, 4),
    "randn_scaled": _randn(4, 3, scale=50.0),
    # scientific notation
    "sci_small": _f32([1e-5, 2e-5]),
    "sci_large": _f32([1e9, 2.5e9]),
    "sci_ratio": _f32([0.01, 100.5]),
    "sci_mixed_sign": _f32([-1e-7, 3.0, 4e3]),
    "sci_int_mode": _f32([1.0, 1e10]),
    "sci_float64_extreme": np.array([1e-300, 1e300, -2.5]),
    "sci_with_nan": _f32([1e-8, NAN, INF, 0.0]),
    # non-finite
    "nan_inf": _f32([NAN, INF, -INF, 1.0]),
    "nan_inf_fixed": _f32([NAN, 0.5, -INF]),
    "all_nan": _f32([NAN, NAN]),
    # 0-d
    "scalar_int_mode": np.array(3.0, np.float32),
    "scalar_fixed": np.array(3.14159, np.float32),
    "scalar_sci": np.array(1.5e-9, np.float32),
    "scalar_nan": np.array(NAN, np.float32),
    "scalar_neg_zero": np.array(-0.0, np.float32),
    "scalar_int64": np.array(7),
    "scalar_bool": np.array(True),
    "scalar_float64": np.array(2.5),
    "scalar_complex": np.array(1 - 2j, np.complex64),
    # integers and bools
    "int64": np.arange(10),
    "int64_negative": np.array([-5, 100, 3]),
    "int64_2d": np.array([[1, -22], [333, 4]]),
    "int32": np.array([1, 2], np.int32),
    "int16": np.array([-300, 2], np.int16),
    "int8": np.array([-128, 127], np.int8),
    "uint8": np.array([0, 255], np.uint8),
    "int64_wrap": np.arange(100) * 1000,
    "bool": np.array([True, False]),
    "bool_2d": np.array([[True, False, True], [False, False, True]]),
    # other float dtypes
    "float64": np.array([1.0, 2.0]),
    "float64_randn": _randn(3, 4, dtype=np.float64),
    "float16": np.array([0.1, 1.5, -3.0], np.float16),
    "float16_inf": np.array([65504.0, INF, 1.0], np.float16),
    "bfloat16": np.array([0.1, 1.5, -3.0], bf16),
    "bfloat16_int_mode": np.array([1.0, 256.0], bf16),
    # complex
    "complex64": np.array([1 + 2j, 3 - 4j], np.complex64),
    "complex64_fixed": _complex(2, 3),
    "complex128": _complex(4, dtype=np.complex128),
    "complex_nan": np.array([complex(NAN, 1.0), 2 - 0j, complex(0.0, -0.0)], np.complex64),
    "complex_sci": np.array([1e-6 + 1j, 5e3 - 2e-3j], np.complex64),
    # empty
    "empty": np.zeros(0, np.float32),
    "empty_2d": np.zeros((0, 3), np.float32),
    "empty_3d": np.zeros((2, 0, 3), np.float32),
    "empty_int64": np.zeros(0, np.int64),
    "empty_bool": np.zeros((1, 0), bool),
    "empty_float64": np.zeros(0),
    "empty_float16": np.zeros(0, np.float16),
    # shapes, wrapping
    "shape_1x1": _f32([[5.5]]),
    "shape_5x1": _randn(5, 1),
    "wide_rows": _randn(3, 30),
    "wide_vector": _randn(1000),
    "wrap_sci": _randn(40, dtype=np.float64, scale=1e6),
    "wrap_complex": _complex(30),
    "3d": _randn(2, 3, 4),
    "4d": _randn(2, 2, 2, 2),
    "3d_int": np.arange(24).reshape(2, 3, 4),
    # summarised
    "sum_1d": _randn(1001),
    "sum_1d_int": np.arange(10000),
    "sum_2d": _randn(100, 20),
    "sum_2d_int": np.arange(2000).reshape(100, 20),
    "sum_tall": _randn(2000, 2),
    "sum_wide": _randn(2, 2000),
    "sum_3d": _randn(10, 20, 30),
    "sum_4d": _randn(8, 8, 8, 8, dtype=np.float64),
    "sum_complex": _complex(40, 40),
    "sum_bfloat16": _randn(50, 50).astype(bf16),
    "sum_bool": _rng().standard_normal((40, 40)) > 0,
    "sum_edge_values": np.concatenate([_f32([1e-6]), np.ones(2000, np.float32), _f32([1e6])]),
}


def _torch_tensor(arr):
    if arr.dtype == bf16:
        return torch.from_numpy(arr.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(arr.copy())


def _expected(t):
    return repr(t).replace("torch", "ember")


@pytest.fixture(autouse=True)
def _restore_printoptions():
    yield
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def test_case_table_is_large():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_matches_torch(name):
    arr = CASES[name]
    t = ember.from_numpy(arr.copy())
    expected = _expected(_torch_tensor(arr))
    assert repr(t) == expected
    assert str(t) == expected


def test_bfloat16_matches_torch_values():
    # bfloat16 rounding of 0.1 shows at precision 4 (0.1001), as in PyTorch.
    t = ember.from_numpy(np.array([0.1], bf16))
    assert repr(t) == "tensor([0.1001], dtype=ember.bfloat16)"


@pytest.mark.parametrize("opts", [
    dict(precision=2),
    dict(precision=8),
    dict(precision=0),
    dict(threshold=5),
    dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0),
    dict(edgeitems=1),
    dict(linewidth=40),
    dict(linewidth=200),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(sci_mode=True, precision=2),
    dict(profile="short"),
    dict(profile="full"),
    dict(profile="short", precision=6),
])
@pytest.mark.parametrize("name", ["fixed", "int_mode", "randn_2d", "sci_small", "int64_wrap",
                                  "wide_vector", "sum_2d", "sum_3d", "complex64_fixed",
                                  "scalar_fixed", "empty_2d", "nan_inf", "bool_2d"])
def test_printoptions_match_torch(opts, name):
    ember.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    assert ember.get_printoptions() == torch._tensor_str.get_printoptions()
    arr = CASES[name]
    assert repr(ember.from_numpy(arr.copy())) == _expected(_torch_tensor(arr))


def test_set_printoptions_semantics():
    assert ember.get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3,
                                            linewidth=80, sci_mode=None)
    ember.set_printoptions(precision=2, sci_mode=True)
    assert ember.get_printoptions()["precision"] == 2
    assert ember.get_printoptions()["sci_mode"] is True
    # Like PyTorch, a call that omits sci_mode resets it to automatic.
    ember.set_printoptions(threshold=10)
    assert ember.get_printoptions()["sci_mode"] is None
    assert ember.get_printoptions()["precision"] == 2
    ember.set_printoptions(profile="full")
    assert ember.get_printoptions()["threshold"] == float("inf")
    ember.set_printoptions(profile="default")
    assert ember.get_printoptions()["threshold"] == 1000
    # round trip through get_printoptions
    ember.set_printoptions(edgeitems=5, linewidth=60)
    saved = ember.get_printoptions()
    ember.set_printoptions(profile="short")
    ember.set_printoptions(**saved)
    assert ember.get_printoptions() == saved


def test_printoptions_context_manager():
    with _printing.printoptions(precision=1):
        assert repr(ember.tensor([1.25, 2.5])) == "tensor([1.2, 2.5])"
    assert repr(ember.tensor([1.25, 2.5])) == "tensor([1.2500, 2.5000])"


def test_requires_grad_and_grad_fn_suffixes():
    pairs = [
        (ember.tensor([1.0, 2.0], requires_grad=True),
         torch.tensor([1.0, 2.0], requires_grad=True)),
        (ember.tensor(3.5, requires_grad=True), torch.tensor(3.5, requires_grad=True)),
        (ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True),
         torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)),
    ]
    for e, t in pairs:
        assert repr(e) == _expected(t)
        assert repr(e * 2) == _expected(t * 2)
        assert repr(e + 1) == _expected(t + 1)
        assert repr(e.sum()) == _expected(t.sum())
    assert repr(ember.tensor([1.0, 2.0], requires_grad=True) * 2) == \
        "tensor([2., 4.], grad_fn=<MulBackward0>)"
    with ember.no_grad():
        assert repr(ember.tensor([1.0, 2.0], requires_grad=True) * 2) == "tensor([2., 4.])"
    assert repr((ember.tensor([1.0, 2.0], requires_grad=True) * 2).detach()) == "tensor([2., 4.])"


def test_suffixes_wrap_to_new_line():
    # The last line is long enough that the suffix goes on its own line.
    arr = _randn(2, 8, dtype=np.float64)
    e = ember.from_numpy(arr.copy()).requires_grad_()
    t = torch.from_numpy(arr.copy()).requires_grad_()
    assert "\n" in repr(t).split("]]")[-1]
    assert repr(e) == _expected(t)
    assert repr(e * 2) == _expected(t * 2)
    arr = _randn(9, dtype=np.float64)
    assert repr(ember.from_numpy(arr.copy())) == _expected(torch.from_numpy(arr.copy()))


def test_default_dtype_float64():
    old_e, old_t = ember.get_default_dtype(), torch.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for name in ["float64", "int_mode", "complex64", "complex128", "empty", "empty_float64",
                     "int64", "bfloat16"]:
            arr = CASES[name]
            assert repr(ember.from_numpy(arr.copy())) == _expected(_torch_tensor(arr)), name
    finally:
        ember.set_default_dtype(old_e)
        torch.set_default_dtype(old_t)


def test_device_suffix(monkeypatch):
    monkeypatch.setattr(ember.Tensor, "device", property(lambda self: ember.device("cuda", 0)))
    assert repr(ember.tensor([1.0, 2.0])) == "tensor([1., 2.], device='cuda:0')"
    assert repr(ember.tensor([1.0, 2.0], requires_grad=True)) == \
        "tensor([1., 2.], device='cuda:0', requires_grad=True)"
    assert repr(ember.tensor([1, 2])) == "tensor([1, 2], device='cuda:0')"


def test_subclass_prefix():
    class MyTensor(ember.Tensor):
        pass

    t = ember.tensor([1.0, 2.0])
    sub = object.__new__(MyTensor)
    sub._data = t._data
    assert repr(sub) == "MyTensor([1., 2.])"


def test_tensor_contents():
    t = ember.tensor([1.0, 2.0], dtype=ember.float64)
    assert _printing.tensor_repr(t, tensor_contents="[...]") == "tensor([...], dtype=ember.float64)"


def test_summarised_print_is_cheap_on_large_tensor():
    # Only the shown corners are formatted: a 4M-element tensor prints its 3x3 corners.
    t = ember.zeros(2000, 2000)
    assert repr(t) == _expected(torch.zeros(2000, 2000))


def test_random_tensors_and_options_match_torch():
    # Seeded sweep over dtypes, shapes, magnitudes, non-finite values and print options.
    rng = np.random.default_rng(1)
    dtypes = [np.float32, np.float64, np.float16, bf16, np.int64, np.int32, np.uint8, bool,
              np.complex64, np.complex128]
    for _ in range(300):
        nd = int(rng.integers(0, 5))
        shape = tuple(int(rng.integers(0, 14 if nd > 2 else 60)) for _ in range(nd))
        npd = dtypes[rng.integers(0, len(dtypes))]
        x = rng.standard_normal(shape) * 10.0 ** rng.integers(-10, 12)
        if rng.random() < 0.3:
            x = np.round(x)
        if rng.random() < 0.2 and x.size:
            x.flat[rng.integers(0, x.size)] = rng.choice([NAN, INF, -INF, -0.0])
        if np.dtype(npd).kind == "c":
            x = x + 1j * rng.standard_normal(shape) * 10.0 ** rng.integers(-5, 5)
        if np.dtype(npd).kind in "iu":
            x = np.nan_to_num(x, posinf=0, neginf=0) % 200
        with np.errstate(all="ignore"):
            arr = np.asarray(x).astype(npd)
        opts = {}
        if rng.random() < 0.3:
            opts = dict(precision=int(rng.integers(0, 8)), threshold=int(rng.integers(0, 2000)),
                        edgeitems=int(rng.integers(0, 5)), linewidth=int(rng.integers(10, 150)),
                        sci_mode=[None, True, False][rng.integers(0, 3)])
        ember.set_printoptions(profile="default", **opts)
        torch.set_printoptions(profile="default", **opts)
        assert repr(ember.from_numpy(arr.copy())) == _expected(_torch_tensor(arr)), (shape, npd, opts)
