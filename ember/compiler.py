"""``torch.compiler``: the user-facing switches around ``torch.compile`` (see ember._dynamo)."""
from ._dynamo import allow_in_graph, assume_constant_result, disable, is_compiling, reset

__all__ = ["compile", "reset", "allow_in_graph", "assume_constant_result", "disable",
           "is_compiling", "is_dynamo_compiling", "is_exporting"]


def compile(*args, **kwargs):
    from ._dynamo import compile as _compile
    return _compile(*args, **kwargs)


def is_dynamo_compiling():
    return False


def is_exporting():
    return False
