"""Version strings (``torch.version``).

``ember`` is ember's own version; ``torch_api`` is the PyTorch release whose API ember
follows. ``__version__`` is ember's version, except while :mod:`ember.compat` is
installed: then ``ember.__version__`` / ``torch.__version__`` and this module's
``__version__`` report the PyTorch-compatible :data:`compat_version` (``"2.14.1+ember0.1.0"``),
so that libraries' checks such as ``packaging.version.parse(torch.__version__) >=
Version("2.0")`` or ``torch.__version__ >= "1.9"`` pass. ``cuda``, ``hip`` and
``git_version`` are None: ember is not built against CUDA (it reaches GPUs through CuPy).
"""
import re

ember = "0.1.0"
torch_api = "2.14.1"
cuda = None
hip = None
xpu = None
git_version = None
debug = False

_PART = re.compile(r"(\d+)")


def _release(v):
    """The leading numeric release of a version string or tuple, as a tuple of ints."""
    if isinstance(v, (tuple, list)):
        return tuple(int(p) for p in v)
    out = []
    for piece in str(v).split("+", 1)[0].split("."):
        m = _PART.match(piece)
        if m is None:
            break
        out.append(int(m.group(1)))
        if m.end() != len(piece):   # "0a1", "0rc2": pre-releases stop the release part
            break
    return tuple(out)


class TorchVersion(str):
    """A version string that compares as a version (``torch.torch_version.TorchVersion``):
    ``TorchVersion("2.14.1+ember0.1.0") >= "2.0"`` and ``>= (2, 0)`` are True; local
    labels (``+ember...``) are ignored in comparisons, as PEP 440 does for ``>=``."""

    def _cmp(self, other):
        try:
            from packaging.version import Version
        except ImportError:
            Version = None
        if Version is not None and not isinstance(other, (tuple, list)):
            try:
                a, b = Version(str(self)), Version(str(other))
                a, b = Version(a.public), Version(b.public)
                return (a > b) - (a < b)
            except Exception:  # noqa: BLE001  (not a PEP 440 string: compare releases)
                pass
        a, b = _release(self), _release(other)
        n = max(len(a), len(b))
        a, b = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
        return (a > b) - (a < b)

    def __lt__(self, other):
        return self._cmp(other) < 0

    def __le__(self, other):
        return self._cmp(other) <= 0

    def __gt__(self, other):
        return self._cmp(other) > 0

    def __ge__(self, other):
        return self._cmp(other) >= 0

    def __eq__(self, other):
        if isinstance(other, (tuple, list)):
            return self._cmp(other) == 0
        return str.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


compat_version = TorchVersion(f"{torch_api}+ember{ember}")
__version__ = ember
