"""``ember.autograd.graph``: the Node type of ``grad_fn`` objects."""
from .function import Function as Node  # noqa: F401
