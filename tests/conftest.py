import os
import sys

# EMBER_TEST_HIDE_TORCH=1 runs the suite as on a machine without the reference libraries
# (README promises a plain `pytest` passes there): importing them raises ImportError, so
# `pytest.importorskip` and helpers.needs_torch skip. Installed before anything imports them.
HIDDEN_REFERENCES = ("torch", "torchvision", "torchaudio", "captum", "functorch")


class _HideReferences:
    """A meta-path finder that makes the reference libraries unimportable."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".", 1)[0] in HIDDEN_REFERENCES:
            raise ModuleNotFoundError(f"No module named '{name}' (hidden by "
                                      "EMBER_TEST_HIDE_TORCH=1)", name=name)
        return None


if os.environ.get("EMBER_TEST_HIDE_TORCH", "") not in ("", "0"):
    sys.meta_path.insert(0, _HideReferences())
    for _name in list(sys.modules):
        if _name.split(".", 1)[0] in HIDDEN_REFERENCES:
            del sys.modules[_name]

import numpy as np  # noqa: E402
import pytest  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def split_calls(monkeypatch):
    """The list of host-thread splits run from here on (``ember/ops/_host_threads``), one
    entry per half handed to the helper thread."""
    from ember.ops import _host_threads as ht
    calls = []
    real = ht._Helper.submit
    monkeypatch.setattr(ht._Helper, "submit", lambda self, fn: calls.append(1) or real(self, fn))
    return calls


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` (pyproject's markers) need CuPy and a visible GPU: skipped
    without one, so the same suite passes on a CPU machine and checks the GPU on one."""
    marked = [item for item in items if item.get_closest_marker("cuda") is not None]
    if not marked:
        return
    import ember
    try:
        ready = ember.cuda.is_available()
    except Exception:   # CuPy installed without a usable driver
        ready = False
    if ready:
        return
    skip = pytest.mark.skip(reason="needs CuPy and a CUDA GPU (pip install 'ember[cuda12]')")
    for item in marked:
        item.add_marker(skip)
