"""Random number generation: ``ember.Generator``, the default generator, ``manual_seed``.

ember draws from NumPy's PCG64, not PyTorch's Mersenne Twister / Philox, so the same seed
gives different numbers than PyTorch (documented in docs/differences.md); the
distributions and the reproducibility guarantees are the same.
"""
import contextlib

import numpy

from . import backend


class Generator:
    """``torch.Generator``: an independent random stream with its own seed and state."""

    def __init__(self, device="cpu"):
        from ._device import as_device
        self.device = as_device(device)
        self._seed = 67280421310721  # PyTorch's default initial seed
        self._np = numpy.random.Generator(numpy.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            seed &= (1 << 64) - 1
        self._seed = seed
        self._np = numpy.random.Generator(numpy.random.PCG64(seed))
        return self

    def seed(self):
        """Re-seed from OS entropy and return the new seed."""
        seed = int(numpy.random.SeedSequence().entropy) & ((1 << 63) - 1)
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator state as a uint8 tensor (opaque, as in PyTorch; JSON bytes inside,
        so a state read from an untrusted file cannot run code when set)."""
        import json
        from ._tensor import _make
        raw = json.dumps([self._seed, self._np.bit_generator.state]).encode()
        return _make(numpy.frombuffer(raw, dtype=numpy.uint8).copy())

    def set_state(self, new_state):
        import json
        arr = backend.to_host(new_state._data) if hasattr(new_state, "_data") else new_state
        try:
            seed, state = json.loads(numpy.asarray(arr, dtype=numpy.uint8).tobytes())
        except ValueError:
            raise RuntimeError("Invalid generator state: not a state from get_state()") from None
        self._seed = seed
        self._np.bit_generator.state = state
        return self

    # The NumPy Generator that draws the numbers.
    @property
    def numpy_generator(self):
        return self._np


default_generator = Generator()


def _gen(generator):
    return (default_generator if generator is None else generator)._np


def manual_seed(seed):
    """Seed the default generator (``torch.manual_seed``); returns it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, **kwargs):
    """Restore the default generator's state on exit (``torch.random.fork_rng``)."""
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)
