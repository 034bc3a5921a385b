"""``torch._dynamo.eval_frame.OptimizedModule``: what ``torch.compile(module)`` returns."""
from ..nn.modules.module import Module


class OptimizedModule(Module):
    """Wraps ``_orig_mod`` and runs it eagerly. Attributes not found here are the
    original module's (as PyTorch's OptimizedModule forwards them); ``state_dict`` keys
    carry the ``_orig_mod.`` prefix, as in PyTorch."""

    def __init__(self, mod):
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args, **kwargs):
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name.startswith("__") or "_modules" not in self.__dict__:
                raise
            return getattr(self._modules["_orig_mod"], name)

    def __repr__(self):
        return f"OptimizedModule(\n  (_orig_mod): {repr(self._orig_mod).replace(chr(10), chr(10) + '  ')}\n)"
