"""One module of ONNX converters per op family; each exports ``CONVERTERS``: IR op name ->
``convert(ctx, node)`` that emits ONNX nodes and binds the node's outputs."""
import importlib

FAMILIES = ("pointwise", "activation", "reduction", "shape", "indexing", "linear", "conv",
            "pooling", "normalization", "sparse", "rnn", "attention", "upsampling",
            "control")

_TABLE = None


def table():
    global _TABLE
    if _TABLE is None:
        t = {}
        for fam in FAMILIES:
            t.update(importlib.import_module(f"{__name__}.{fam}").CONVERTERS)
        _TABLE = t
    return _TABLE
