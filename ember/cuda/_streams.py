"""``torch.cuda``'s device and stream objects on CuPy: ``device`` / ``device_of`` contexts,
``Stream``, ``Event``, ``stream()``, ``current_stream``, ``default_stream``.

Each object wraps the CuPy one (``cupy.cuda.Device``, ``cupy.cuda.Stream``,
``cupy.cuda.Event``); ember's ops run on CuPy's current stream, so ``with
ember.cuda.stream(s):`` puts every op inside on ``s``, as in PyTorch. Without CuPy or a GPU,
creating a Stream or Event raises PyTorch's "Torch not compiled with CUDA enabled"
AssertionError, while ``device(-1)``/``stream(None)`` stay no-op contexts, as PyTorch's.
"""
from .. import backend

_NO_CUDA = "Torch not compiled with CUDA enabled"


def _cupy():
    if not backend.cuda_available():
        raise AssertionError(_NO_CUDA)
    import cupy
    return cupy


def _index(device):
    """A CUDA ordinal from an int, 'cuda[:N]', an ember.device or None (current: -1)."""
    if device is None:
        return -1
    if isinstance(device, int):
        return device
    if isinstance(device, str):
        from .._device import device as _dev
        device = _dev(device)
    if getattr(device, "type", "cuda") != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {device}")
    return -1 if device.index is None else device.index


class device:
    """``torch.cuda.device``: a context that makes ``device`` current (negative: no-op)."""

    def __init__(self, device):
        self.idx = _index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx < 0:
            return self
        cupy = _cupy()
        self.prev_idx = cupy.cuda.runtime.getDevice()
        if self.prev_idx != self.idx:
            cupy.cuda.runtime.setDevice(self.idx)
        return self

    def __exit__(self, *exc):
        if self.idx >= 0 and self.prev_idx != self.idx:
            import cupy
            cupy.cuda.runtime.setDevice(self.prev_idx)
        return False


class device_of(device):
    """``torch.cuda.device_of``: the device of a tensor (a CPU tensor: no-op)."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


class Stream:
    """``torch.cuda.Stream`` over ``cupy.cuda.Stream`` (non-blocking with respect to the
    default stream, as PyTorch's). ``priority`` is passed on; ``device`` picks the GPU."""

    def __init__(self, device=None, priority=0, **kwargs):
        cupy = _cupy()
        idx = _index(device)
        with cupy.cuda.Device(cupy.cuda.runtime.getDevice() if idx < 0 else idx):
            self._cupy = kwargs.pop("_wrap", None) or cupy.cuda.Stream(non_blocking=True,
                                                                     priority=priority)
            self.device_index = cupy.cuda.runtime.getDevice()

    @property
    def cuda_stream(self):
        return self._cupy.ptr

    @property
    def device(self):
        from .._device import device as _dev
        return _dev("cuda", self.device_index)

    def synchronize(self):
        self._cupy.synchronize()

    def query(self):
        return self._cupy.done

    def wait_event(self, event):
        self._cupy.wait_event(event._cupy)

    def wait_stream(self, stream):
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def __enter__(self):
        self._cupy.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cupy.__exit__(*exc)

    def __eq__(self, other):
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream

    def __hash__(self):
        return hash((self.cuda_stream, self.device_index))

    def __repr__(self):
        return (f"<ember.cuda.Stream device=cuda:{self.device_index} "
                f"cuda_stream={self.cuda_stream:#x}>")


class Event:
    """``torch.cuda.Event`` over ``cupy.cuda.Event``: record, wait, query, elapsed_time
    (milliseconds, needs ``enable_timing=True``), synchronize."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        cupy = _cupy()
        if interprocess:
            raise NotImplementedError("ember.cuda.Event(interprocess=True) is not supported")
        self.enable_timing = enable_timing
        self._cupy = cupy.cuda.Event(block=blocking, disable_timing=not enable_timing)

    def record(self, stream=None):
        self._cupy.record(None if stream is None else stream._cupy)

    def wait(self, stream=None):
        (current_stream() if stream is None else stream).wait_event(self)

    def query(self):
        return self._cupy.done

    def synchronize(self):
        self._cupy.synchronize()

    def elapsed_time(self, end_event):
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        import cupy
        return float(cupy.cuda.get_elapsed_time(self._cupy, end_event._cupy))

    def __repr__(self):
        return f"<ember.cuda.Event {self._cupy.ptr:#x}>"


def current_stream(device=None):
    """The stream ember's ops run on now (CuPy's current stream)."""
    cupy = _cupy()
    idx = _index(device)
    with cupy.cuda.Device(cupy.cuda.runtime.getDevice() if idx < 0 else idx):
        return Stream(_wrap=cupy.cuda.get_current_stream())


def default_stream(device=None):
    """The device's legacy default (null) stream."""
    cupy = _cupy()
    return Stream(device, _wrap=cupy.cuda.Stream.null)


class StreamContext:
    """``torch.cuda.StreamContext``: makes ``stream`` current inside (None: no-op)."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        if self.stream is not None:
            self.stream.__enter__()
        return self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            self.stream.__exit__(*exc)
        return False


def stream(stream):
    """``torch.cuda.stream(s)``: run the ops inside on ``s`` (None: unchanged)."""
    return StreamContext(stream)


def set_stream(stream):
    if stream is not None:
        stream._cupy.use()
