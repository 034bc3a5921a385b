"""safetensors files for ember tensors, with the API of ``safetensors.torch``.

``save_file(tensors, filename, metadata=None)`` / ``load_file(filename, device="cpu")``,
``save(tensors, metadata=None) -> bytes`` / ``load(data, device="cpu")``, and
``save_model(model, filename)`` / ``load_model(model, filename)`` for models with tied
weights. Files are written and parsed by the ``safetensors`` package, an optional
dependency (``pip install safetensors``, or ``pip install ember[safetensors]``); the
files are the same as those of ``safetensors.torch`` and load in PyTorch.

Differences from ``safetensors.torch``:

- a non-contiguous tensor (``w.t()``) is saved as a contiguous copy instead of raising
  (safetensors' NumPy path would silently write wrong values for one);
- ``save_file`` also writes atomically: through a temporary file renamed over
  ``filename``;
- dtypes ember lacks (U16/U32/U64, F8) load converted to a dtype that holds every value
  (int32/int64/float32), with a warning; complex128 cannot be saved (safetensors has no
  such dtype).

As in ``safetensors.torch``, ``save_file`` refuses tensors that share memory (tied
weights): use ``save_model``, which keeps one name per shared tensor and records the
others in the metadata, and ``load_model``, which ties them again.
"""
import os
import warnings

import ml_dtypes
import numpy

from .. import backend
from .._dtype import _BY_NAME
from .._tensor import Tensor, _make

__all__ = ["save", "save_file", "load", "load_file", "save_model", "load_model"]

# safetensors dtype codes -> (numpy dtype in the file, ember dtype name it loads as)
_CODES = {
    "F64": (numpy.float64, "float64"), "F32": (numpy.float32, "float32"),
    "F16": (numpy.float16, "float16"), "BF16": (ml_dtypes.bfloat16, "bfloat16"),
    "I64": (numpy.int64, "int64"), "I32": (numpy.int32, "int32"), "I16": (numpy.int16, "int16"),
    "I8": (numpy.int8, "int8"), "U8": (numpy.uint8, "uint8"), "BOOL": (numpy.bool_, "bool"),
    "C64": (numpy.complex64, "complex64"),
    "U16": (numpy.uint16, "int32"), "U32": (numpy.uint32, "int64"), "U64": (numpy.uint64, "int64"),
    "F8_E4M3": (ml_dtypes.float8_e4m3fn, "float32"), "F8_E5M2": (ml_dtypes.float8_e5m2, "float32"),
}


def _lib():
    try:
        import safetensors
    except ImportError:
        raise ImportError("ember.utils.safetensors needs the safetensors package: "
                          "pip install safetensors (or pip install ember[safetensors])") from None
    return safetensors


# -- shared memory ------------------------------------------------------------------------

def _span(arr):
    """(root id, first byte, end byte) of the memory an array covers."""
    from .._serialization.writer import _address, _root
    root = _root(arr)
    lo = hi = _address(arr)
    for n, s in zip(arr.shape, arr.strides):
        if n > 1:
            if s > 0:
                hi += (n - 1) * s
            else:
                lo += (n - 1) * s
    return id(root), lo, hi + arr.itemsize, root


def _shared_groups(tensors):
    """Sets of names whose tensors overlap in memory (tensors that are disjoint slices of
    one buffer are not shared, as in safetensors)."""
    spans = sorted((_span(t._data)[:3] + (name,) for name, t in tensors.items()
                    if t._data.size), key=lambda s: (s[0], s[1]))
    groups, current, end = [], None, None
    for root, lo, hi, name in spans:
        if current is not None and root == current[0] and lo < end:
            current[1].add(name)
            end = max(end, hi)
        else:
            current = (root, {name})
            groups.append(current)
            end = hi
    return [names for _, names in groups if len(names) > 1]


def _check(tensors):
    if not isinstance(tensors, dict):
        raise TypeError(f"Expected a dict of [str, ember.Tensor] but received {type(tensors)}")
    bad = [k for k, v in tensors.items() if not isinstance(k, str) or not isinstance(v, Tensor)]
    if bad:
        raise ValueError(f"Key `{bad[0]}` is invalid: expected str keys and ember.Tensor "
                         "values")
    failing = _shared_groups(tensors)
    if failing:
        raise RuntimeError(
            "Some tensors share memory, this will lead to duplicate memory on disk and "
            f"potential differences when loading them again: {failing}.\n"
            "A potential way to correctly save your model is to use `save_model`.\n"
            "More information at https://huggingface.co/docs/safetensors/torch_shared_tensors")


def _specs(tensors, keep_alive):
    st = _lib()
    out = {}
    for name, t in tensors.items():
        if t.dtype.name == "complex128":
            raise ValueError(f"Tensor `{name}` is complex128, which safetensors cannot store; "
                             "convert it to complex64 first")
        # Contiguous host memory: safetensors reads the buffer from its address.
        arr = backend.to_host(t._data)
        if not arr.flags.c_contiguous:
            arr = arr.copy(order="C")       # (ascontiguousarray would make 0-d arrays 1-d)
        keep_alive.append(arr)
        if hasattr(st, "TensorSpec"):
            out[name] = st.TensorSpec(dtype=t.dtype.name, shape=list(arr.shape),
                                      data_ptr=arr.ctypes.data, data_len=arr.nbytes)
        else:   # safetensors < 0.8
            out[name] = {"dtype": t.dtype.name, "shape": list(arr.shape), "data": arr.tobytes()}
    return out


def save(tensors, metadata=None):
    """The safetensors file for a dict of ember tensors, as bytes."""
    _check(tensors)
    keep = []
    return bytes(_lib().serialize(_specs(tensors, keep), metadata=metadata))


def save_file(tensors, filename, metadata=None):
    """Write a dict of ember tensors to ``filename`` (atomically) in the safetensors format.

    ``metadata``: an optional dict of str to str stored in the header.
    """
    from ..serialization import _atomic_write
    _check(tensors)
    keep = []
    specs = _specs(tensors, keep)
    _atomic_write(os.fspath(filename),
                  lambda tmp: _lib().serialize_file(specs, tmp, metadata=metadata), by_path=True)


def load(data, device="cpu"):
    """The tensors of a safetensors file given as bytes, as a dict of ember tensors."""
    out, converted = {}, set()
    for name, info in _lib().deserialize(data):
        code = info["dtype"]
        if code not in _CODES:
            raise NotImplementedError(f"Tensor `{name}` has dtype {code}, which ember cannot load")
        np_dtype, target = _CODES[code]
        arr = numpy.frombuffer(info["data"], np_dtype).reshape(info["shape"])
        if _BY_NAME[target].np != arr.dtype:
            converted.add(code)
            arr = arr.astype(_BY_NAME[target].np)
        elif not arr.flags.writeable:
            arr = arr.copy()
        t = _make(arr)
        out[name] = t if str(device) == "cpu" else t.to(device)
    for code in sorted(converted):
        warnings.warn(f"ember has no dtype for safetensors' {code}: such tensors are loaded as "
                      f"{_BY_NAME[_CODES[code][1]]} (same values)", stacklevel=3)
    return out


def load_file(filename, device="cpu"):
    """The tensors of the safetensors file ``filename`` as a dict of ember tensors."""
    with open(os.fspath(filename), "rb") as f:
        data = f.read()
    return load(data, device)


def _remove_duplicate_names(state_dict, preferred_names=()):
    """{name kept: [names dropped]} for groups of tensors that share memory; the kept name
    is one whose tensor covers its whole buffer, as in safetensors.torch."""
    from .._serialization.writer import _address
    preferred = set(preferred_names)
    out = {}
    for group in _shared_groups(state_dict):
        complete = []
        for name in group:
            arr = state_dict[name]._data
            _, lo, hi, root = _span(arr)
            if lo == _address(root) and hi - lo == root.nbytes:
                complete.append(name)
        if not complete:
            raise RuntimeError(f"Error while trying to find names to remove to save state dict, "
                               f"but found no suitable name to keep for saving amongst: {group}. "
                               "None is covering the entire storage.")
        keep = sorted(set(complete) & preferred or complete)[0]
        out[keep] = sorted(n for n in group if n != keep)
    return out


def save_model(model, filename, metadata=None, force_contiguous=False):
    """Save ``model.state_dict()``, writing tensors shared by several names (tied weights)
    once; the dropped names are recorded in the metadata."""
    state_dict = dict(model.state_dict())
    for kept, dropped in _remove_duplicate_names(state_dict).items():
        for name in dropped:
            metadata = {} if metadata is None else metadata
            metadata.setdefault(name, kept)
            del state_dict[name]
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    save_file(state_dict, filename, metadata=metadata)


def load_model(model, filename, strict=True, device="cpu"):
    """Load a file written by ``save_model`` into ``model``; returns (missing, unexpected)
    names like ``safetensors.torch.load_model``."""
    state_dict = load_file(filename, device=device)
    own = model.state_dict()
    to_remove = _remove_duplicate_names(own, preferred_names=state_dict.keys())
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing, unexpected = set(missing), list(unexpected)
    for group in to_remove.values():
        for name in group:
            if name in missing:
                missing.remove(name)
            else:
                unexpected.append(name)
    if strict and (missing or unexpected):
        msg = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
        if missing:
            msg += "\n    Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in sorted(missing))
        if unexpected:
            msg += "\n    Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in sorted(unexpected))
        raise RuntimeError(msg)
    return missing, unexpected
