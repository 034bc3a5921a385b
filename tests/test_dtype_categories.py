"""Dtype categories, the compute-dtype policy and quantized dtypes come from the dtype table."""
import ml_dtypes
import numpy
import pytest

import ember
from ember import _dtype


def test_category_sets_partition_the_table():
    float8 = {ember.float8_e4m3fn, ember.float8_e5m2, ember.float8_e4m3fnuz,
              ember.float8_e5m2fnuz, ember.float8_e8m0fnu}
    assert _dtype.FLOATING == {ember.float16, ember.bfloat16, ember.float32, ember.float64} | float8
    assert _dtype.COMPLEX == {ember.complex64, ember.complex128}
    assert _dtype.INTEGRAL == {ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
                               ember.uint16, ember.uint32, ember.uint64, ember.int1, ember.int2,
                               ember.int4, ember.uint1, ember.uint2, ember.uint4}
    assert _dtype.DIFFERENTIABLE == _dtype.FLOATING | _dtype.COMPLEX
    assert _dtype.QUANTIZED == {ember.qint8, ember.quint8, ember.qint32, ember.quint4x2}
    assert _dtype.FLOATING_NP == {d.np for d in _dtype.FLOATING}


@pytest.mark.parametrize("d", [ember.float16, ember.bfloat16, ember.float32, ember.float64])
def test_predicates_accept_ember_and_numpy_dtypes(d):
    assert _dtype.is_floating(d) and _dtype.is_floating(d.np)
    assert _dtype.is_differentiable(d) and not _dtype.is_integral(d)
    assert not _dtype.is_quantized(d)


def test_ml_dtypes_void_kinds_are_not_floating():
    # int4 / float8 share NumPy kind 'V' with bfloat16; the table does not confuse them
    for t in (ml_dtypes.int4, ml_dtypes.uint4):
        assert not _dtype.is_floating(numpy.dtype(t)) and _dtype.is_integral(numpy.dtype(t))
        assert not _dtype.is_differentiable(numpy.dtype(t))
    assert _dtype.is_floating(numpy.dtype(ml_dtypes.float8_e4m3fn))   # torch: floating point
    assert not _dtype.is_floating(numpy.dtype([("a", "i4")]))


def test_storage_only_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    for d in _dtype._LIMITED:
        t = getattr(torch, d.name)
        assert (d.is_floating_point, d.is_signed, d.itemsize) == (
            t.is_floating_point, t.is_signed, t.itemsize), d
    for a, b in [("float8_e4m3fn", "float32"), ("float8_e4m3fn", "float8_e5m2"),
                 ("uint16", "int32"), ("uint64", "int64"), ("uint32", "float32"),
                 ("float16", "uint16")]:
        try:
            want = str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
        except RuntimeError as e:
            with pytest.raises(RuntimeError) as got:
                ember.promote_types(getattr(ember, a), getattr(ember, b))
            assert str(got.value) == str(e)
        else:
            assert str(ember.promote_types(getattr(ember, a), getattr(ember, b))) == \
                want.replace("torch", "ember")
    x = ember.tensor([0.5, -2.0, 448.0], dtype=ember.float8_e4m3fn)
    assert repr(x) == repr(torch.tensor([0.5, -2.0, 448.0], dtype=torch.float8_e4m3fn)
                           ).replace("torch", "ember")
    assert x.float().tolist() == [0.5, -2.0, 448.0]
    u = numpy.array([0, 65535], numpy.uint16)
    assert ember.from_numpy(u).dtype is ember.uint16 and torch.from_numpy(u).dtype is torch.uint16


def test_integral_and_bool():
    assert not _dtype.is_integral(ember.bool)
    assert _dtype.is_integral(ember.bool, include_bool=True)
    assert _dtype.is_integral(numpy.dtype(numpy.bool_), include_bool=True)
    assert _dtype.is_integral(ember.int64) and _dtype.is_integral(numpy.dtype("int32"))
    assert _dtype.is_complex(ember.complex64) and _dtype.is_complex(numpy.dtype("complex128"))


def test_compute_dtype_policy():
    assert _dtype.compute_dtype(ember.float16) is ember.float32
    assert _dtype.compute_dtype(ember.bfloat16) is ember.float32
    assert _dtype.compute_dtype(ember.float64) is ember.float64
    assert _dtype.compute_dtype(ember.int32) is ember.int32
    assert _dtype.compute_dtype(numpy.dtype(ml_dtypes.bfloat16)) == numpy.float32
    assert _dtype.compute_dtype(numpy.dtype("float64")) == numpy.float64


def test_quantized_dtypes_print_and_do_not_promote():
    assert repr(ember.qint8) == "ember.qint8"
    assert [str(d) for d in (ember.quint8, ember.qint32, ember.quint4x2)] == [
        "ember.quint8", "ember.qint32", "ember.quint4x2"]
    assert not ember.qint8.is_floating_point and not ember.quint8.is_signed
    with pytest.raises(RuntimeError, match="Promotion for Quantized types"):
        ember.promote_types(ember.qint8, ember.float32)
    # an int8 array stays an int8 tensor
    assert ember.tensor([1], dtype=ember.int8).dtype is ember.int8


def test_quantized_tensor_reports_its_dtype():
    q = ember.quantize_per_tensor(ember.tensor([0.5, -1.0]), 0.5, 0, ember.qint8)
    assert q.dtype is ember.qint8 and q.dtype is _dtype.qint8 and q.is_quantized
    assert _dtype.is_quantized(q.dtype) and not q.is_floating_point()
    assert (ember.qint8.qmin, ember.qint8.qmax) == (-128, 127)
    assert not ember.zeros(2).is_quantized


def test_categories_match_torch():
    torch = pytest.importorskip("torch")
    for d in _dtype._ALL + _dtype._LIMITED:
        t = getattr(torch, d.name)
        assert _dtype.is_floating(d) == t.is_floating_point, d
        assert _dtype.is_complex(d) == t.is_complex, d
    for name in ("qint8", "quint8", "qint32", "quint4x2"):
        assert str(getattr(ember, name)) == str(getattr(torch, name)).replace("torch", "ember")


@pytest.mark.parametrize("make", [
    lambda: ember.zeros(2, dtype=ember.qint8), lambda: ember.tensor([1], dtype=ember.quint8),
    lambda: ember.ones(2).to(ember.qint32), lambda: ember.as_tensor(numpy.zeros(2, numpy.int8),
                                                                    dtype=ember.qint8)])
def test_quantized_dtypes_are_not_made_by_creation_or_casts(make):
    # torch raises too (empty_strided / zero_ not supported on quantized tensors)
    with pytest.raises(RuntimeError, match="created by quantization"):
        make()
