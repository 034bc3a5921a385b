"""``ember.amp.GradScaler``: dynamic loss scaling, as ``torch.amp.GradScaler``.

The protocol is PyTorch's: ``scale(loss)`` multiplies by the current scale (a float32
0-d tensor created on first use); ``unscale_(opt)`` multiplies every gradient of the
optimizer by ``1/scale`` (the reciprocal taken in float64 and rounded to float32, as
torch does) and records whether any was inf/nan; ``step(opt)`` unscales if the user did
not, then runs ``opt.step()`` only when no inf/nan was found; ``update()`` backs the scale
off (``scale * backoff_factor``, growth tracker reset) after a step with inf/nan, or
counts a successful step and grows the scale by ``growth_factor`` after
``growth_interval`` consecutive ones (only if the grown scale is finite), all in
float32 arithmetic like ``torch._amp_update_scale_``. The optimizer states move
READY -> UNSCALED -> STEPPED with torch's errors for calls out of order.

Where ember differs: ``device="cuda"`` without a GPU disables the scaler with torch's
warning, as torch does on a CPU-only machine; there is no asynchronous device sync to
avoid, so the found-inf flags are host values.
"""
import warnings
from collections import defaultdict
from enum import Enum

from .. import _dtype
from .._tensor import Tensor
from .. import backend


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state():
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    """``torch.amp.GradScaler(device="cuda", init_scale=2.**16, growth_factor=2.0,
    backoff_factor=0.5, growth_interval=2000, enabled=True)``."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled and not backend.cuda_available():
            warnings.warn("ember.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    # -- state --------------------------------------------------------------------------
    def _check_scale_growth_tracker(self, funcname):
        fix = ("This may indicate your script did not use scaler.scale(loss or outputs) "
               "earlier in the iteration.")
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + fix)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self, like):
        from ..ops.creation import full
        dev = like.device if isinstance(like, Tensor) else None
        self._scale = full((), self._init_scale, dtype=_dtype.float32, device=dev)
        self._growth_tracker = full((), self._init_growth_tracker, dtype=_dtype.int32,
                                    device=dev)

    # -- the protocol -------------------------------------------------------------------
    def scale(self, outputs):
        """Multiply a tensor or an iterable of tensors by the scale factor."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs)
            return outputs * self._scale.to(outputs.device)

        def apply_scale(val):
            if isinstance(val, Tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(val)
                return val * self._scale.to(val.device)
            if isinstance(val, (list, tuple)):
                out = [apply_scale(v) for v in val]
                return type(val)(out) if isinstance(val, tuple) else out
            if hasattr(val, "__iter__") and not isinstance(val, (str, bytes)):
                return map(apply_scale, val)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")
        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale, allow_fp16):
        """grad *= inv_scale for every grad; returns {device: found_inf (0-d float32)}."""
        found = {}
        for group in optimizer.param_groups:
            for param in group["params"]:
                g = param.grad
                if g is None:
                    continue
                if not allow_fp16 and g.dtype == _dtype.float16:
                    raise ValueError("Attempting to unscale FP16 gradients.")
                arr = g._data
                xp = backend.get_array_module(arr)
                dev = str(g.device)
                bad = not bool(xp.isfinite(arr).all())
                found[dev] = found.get(dev, False) or bad
                arr *= inv_scale.astype(arr.dtype) if arr.dtype != inv_scale.dtype else inv_scale
        from ..ops.creation import tensor
        return {d: tensor(1.0 if f else 0.0) for d, f in found.items()}

    def unscale_(self, optimizer):
        """Divide the optimizer's gradients by the scale (once per step per optimizer)."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        s = self._scale._data
        xp = backend.get_array_module(s)
        inv_scale = (1.0 / s.astype(xp.float64)).astype(xp.float32)
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, False)
        state["stage"] = OptState.UNSCALED

    def _maybe_opt_step(self, optimizer, state, *args, **kwargs):
        if not sum(v.item() for v in state["found_inf_per_device"].values()):
            return optimizer.step(*args, **kwargs)
        return None

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step()`` unless inf/nan gradients were found (then skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = self._maybe_opt_step(optimizer, state, *args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None):
        """Back off or grow the scale from this iteration's inf/nan checks."""
        if not self._enabled:
            return
        _scale, _tracker = self._check_scale_growth_tracker("update")
        s = _scale._data
        xp = backend.get_array_module(s)
        if new_scale is not None:
            if isinstance(new_scale, float):
                s[...] = new_scale
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                          "torch.FloatTensor with requires_grad=False.")
                if (not isinstance(new_scale, Tensor) or new_scale.device.type != self._device
                        or new_scale.numel() != 1 or new_scale.requires_grad):
                    raise AssertionError(reason)
                s[...] = new_scale._data.reshape(())
        else:
            found = [f for st in self._per_optimizer_states.values()
                     for f in st["found_inf_per_device"].values()]
            if len(found) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            found_inf = sum(float(f.item()) for f in found)
            f32 = xp.float32
            if found_inf:
                s[...] = s * f32(self._backoff_factor)
                _tracker._data[...] = 0
            else:
                successful = int(_tracker._data) + 1
                if successful == self._growth_interval:
                    grown = s * f32(self._growth_factor)
                    if bool(xp.isfinite(grown)):
                        s[...] = grown
                    _tracker._data[...] = 0
                else:
                    _tracker._data[...] = successful
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    # -- queries ------------------------------------------------------------------------
    def _get_scale_async(self):
        return self._scale

    def get_scale(self):
        if self._enabled:
            return self._init_scale if self._scale is None else self._scale.item()
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None \
                else self._growth_tracker.item()
        return 0

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        if self._enabled:
            return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                    "backoff_factor": self._backoff_factor,
                    "growth_interval": self._growth_interval,
                    "_growth_tracker": self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale._data[...] = self._init_scale
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker._data[...] = self._init_growth_tracker

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise RuntimeError("A GradScaler instance may only be pickled at the beginning "
                                   "of an iteration, or at the end after scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
