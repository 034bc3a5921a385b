"""Fuzzing the loader: truncated or byte-flipped checkpoints give a CheckpointError or the
identical content, never a silent wrong value (zip files carry CRCs; without mmap every
record read is checked) and never another exception type."""
import io
import pickle

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import ember  # noqa: E402
from ember.serialization import CheckpointError  # noqa: E402
from ckpt_util import legacy_file, tensor_pickle  # noqa: E402

_SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])


def _zip_checkpoint():
    ember.manual_seed(0)
    buf = io.BytesIO()
    ember.save({"model": ember.nn.Linear(3, 2).state_dict(), "step": 7, "name": "fuzz",
                "ints": ember.arange(5)}, buf)
    return buf.getvalue()


ZIP = _zip_checkpoint()
LEGACY = legacy_file(tensor_pickle(0, (4,), (1,), numel=4),
                     {"0": (4, np.arange(4, dtype=np.float32).tobytes())})


def _same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, ember.Tensor):
        return (isinstance(b, ember.Tensor) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a.numpy(), b.numpy()))
    return type(a) is type(b) and a == b


REFERENCE = ember.load(io.BytesIO(ZIP))


def _damage(data, cut, flips):
    out = bytearray(data[:cut])
    for pos, mask in flips:
        if out:
            out[pos % len(out)] ^= mask
    return bytes(out)


_flips = st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(1, 255)), max_size=3)


@_SETTINGS
@given(cut=st.integers(0, len(ZIP)), flips=_flips)
def test_damaged_zip_checkpoint(cut, flips):
    data = _damage(ZIP, cut, flips)
    try:
        ember.serialization.verify(io.BytesIO(data))
        verified = True
    except CheckpointError:
        verified = False
    try:
        out = ember.load(io.BytesIO(data))
    except CheckpointError:
        return
    assert _same(out, REFERENCE), "a damaged file loaded with different content"
    assert verified or data != ZIP


@_SETTINGS
@given(cut=st.integers(0, len(LEGACY)), flips=_flips)
def test_damaged_legacy_checkpoint(cut, flips):
    # the legacy format has no checksums: a flipped data byte may load (another value);
    # anything else must be one of the loader's own errors
    data = _damage(LEGACY, cut, flips)
    try:
        ember.load(io.BytesIO(data))
    except (CheckpointError, pickle.UnpicklingError):
        pass
