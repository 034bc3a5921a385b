"""``DistributedDataParallel`` (``torch.nn.parallel.DistributedDataParallel``).

Every rank holds a replica of the module and runs it on its own share of the batch; the
gradients are averaged across ranks during ``backward``, so that every replica takes the
same optimizer step:

- construction checks that the ranks' parameters have the same shapes, then broadcasts
  parameters and buffers from rank 0;
- parameters are grouped into buckets of about ``bucket_cap_mb`` megabytes, in reverse
  registration order (the order backward produces gradients), one dtype per bucket;
- a post-accumulate-grad hook on each parameter copies its gradient into the bucket
  (with ``gradient_as_bucket_view=True`` the ``.grad`` *is* the bucket slice, via
  ``nn.utils.flat_views``); when a bucket is complete a non-blocking ``all_reduce``
  (MPI_Iallreduce) starts, buckets always in the same order on every rank, so
  communication overlaps the rest of backward; the hook of the last parameter waits for
  all buckets and writes the averages back into ``.grad``;
- ``no_sync()`` skips the reduction: gradients accumulate locally and the first backward
  outside the context reduces the accumulated sums;
- ``broadcast_buffers=True`` broadcasts rank 0's buffers (BatchNorm statistics) before
  each forward, as one flat message per dtype;
- ``find_unused_parameters=True`` walks the autograd graph from the forward's outputs and
  marks parameters that did not take part as ready; without it a module that leaves
  parameters unused fails at the next forward with PyTorch's error.

``static_graph`` is accepted (the reduction is the same). Differences from PyTorch: no
communication hooks, no ``join()``; gradients of parameters unused on every rank are left
as they were (PyTorch leaves them None as well when they were None).
"""
from contextlib import contextmanager

import numpy as np

from ..modules.module import Module
from ..._tensor import Tensor, _make

__all__ = ["DistributedDataParallel"]

_UNFINISHED = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by \n"
    "making sure all `forward` function outputs participate in calculating loss. \n"
    "If you already have done the above, then the distributed data parallel module wasn't "
    "able to locate the output tensors in the return value of your module's `forward` "
    "function. Please include the loss function and the structure of the return value of "
    "`forward` of your module when reporting this issue (e.g. list, dict, iterable).\n"
    "Parameter indices which did not receive grad for rank {rank}: {indices}")


class _Bucket:
    """Consecutive parameters (reverse registration order) reduced by one all_reduce."""

    def __init__(self, params, indices, as_view):
        self.params = params
        self.indices = indices            # positions in DDP's parameter list
        self.slot = {id(p): i for i, p in enumerate(params)}
        sizes = [p._data.size for p in params]
        self.offsets = list(np.cumsum([0] + sizes[:-1]))
        self.sizes = sizes
        self.view = None
        if as_view:
            from ..utils.flat_view import flat_views
            self.view = flat_views(params, kind="grad")
            self.buffer = self.view.buffer
        else:
            from ...ops.creation import zeros
            self.buffer = zeros(sum(sizes), dtype=params[0].dtype, device=params[0].device)
        self.pending = 0
        self.work = None

    def slice(self, i):
        off, n = self.offsets[i], self.sizes[i]
        return self.buffer._data[off:off + n].reshape(self.params[i]._data.shape)


def _same_memory(a, b):
    """Whether arrays ``a`` and ``b`` are the same memory with the same shape."""
    return a.shape == b.shape and (a.size == 0 or _make(a).data_ptr() == _make(b).data_ptr())


def _tensors_in(obj, out):
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            _tensors_in(x, out)
    elif isinstance(obj, dict):
        for x in obj.values():
            _tensors_in(x, out)
    return out


def _reachable_leaves(outputs):
    """ids of the leaf tensors the autograd graph of ``outputs`` leads to."""
    seen, leaves = set(), set()
    stack = []
    for t in outputs:
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif t.requires_grad:
            leaves.add(id(t))
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for e in getattr(node, "_edges", ()) or ():
            if e is None:
                continue
            nxt = e[0]
            if isinstance(nxt, Tensor):
                leaves.add(id(nxt))
            elif id(nxt) not in seen:
                stack.append(nxt)
    return leaves


class DistributedDataParallel(Module):
    """Data parallelism across the ranks of a process group; see the module docstring."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        from ... import distributed as dist
        for name, value in (("delay_all_reduce_named_params", delay_all_reduce_named_params),
                            ("param_to_hook_all_reduce", param_to_hook_all_reduce),
                            ("mixed_precision", mixed_precision),
                            ("device_mesh", device_mesh)):
            if value is not None:
                raise NotImplementedError(f"DistributedDataParallel({name}=...) is not "
                                          f"supported by ember")
        params = [p for p in module.parameters() if p.requires_grad]
        if not any(True for _ in module.parameters()) or not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        devices = {p.device for p in module.parameters()}
        if device_ids is not None and all(d.type == "cpu" for d in devices):
            raise ValueError(f"DistributedDataParallel device_ids and output_device arguments "
                             f"only work with single-device/multiple-device GPU modules or "
                             f"CPU modules, but got device_ids {list(device_ids)}, "
                             f"output_device {output_device}, and module parameters "
                             f"{devices}.")
        self.module = module
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        object.__setattr__(self, "process_group",
                           process_group if process_group is not None else
                           dist.distributed_c10d._default_pg())
        object.__setattr__(self, "_dist", dist)
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb)
                                    * 1024 * 1024)
        object.__setattr__(self, "_params", params)
        self._world = dist.get_world_size(self.process_group)
        self._rank = dist.get_rank(self.process_group)
        self._verify_shapes()
        if init_sync:
            self._sync_module_states()
        object.__setattr__(self, "_buckets", self._make_buckets())
        object.__setattr__(self, "_bucket_of", {})
        for b in self._buckets:
            for p in b.params:
                self._bucket_of[id(p)] = b
        object.__setattr__(self, "_hooks_handles",
                           [p.register_post_accumulate_grad_hook(self._grad_ready)
                            for p in params])
        self._reset_iteration(active=False)

    # -- construction ----------------------------------------------------------------------
    def _verify_shapes(self):
        shapes = [(tuple(p.shape), str(p.dtype)) for p in self.module.parameters()]
        everyone = [None] * self._world
        self._dist.all_gather_object(everyone, shapes, group=self.process_group)
        for r, other in enumerate(everyone):
            if other != shapes:
                raise RuntimeError(f"DDP expects same model across all ranks, but Rank "
                                   f"{self._rank} has {len(shapes)} params, while rank {r} "
                                   f"has inconsistent {len(other)} params (or shapes).")

    def _coalesced_broadcast(self, tensors):
        """Broadcast ``tensors`` from rank 0 as one flat message per dtype."""
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype, []).append(t)
        for dtype in sorted(by_dtype, key=str):
            group = by_dtype[dtype]
            flat = np.concatenate([np.asarray(t._data).reshape(-1) for t in group]) \
                if all(isinstance(t._data, np.ndarray) for t in group) else None
            if flat is None:
                for t in group:
                    self._dist.broadcast(t, src=self.process_group._ranks[0],
                                         group=self.process_group)
                continue
            ft = _make(flat)
            self._dist.broadcast(ft, src=self.process_group._ranks[0],
                                 group=self.process_group)
            off = 0
            for t in group:
                n = t._data.size
                t._data[...] = flat[off:off + n].reshape(t._data.shape)
                off += n

    def _sync_module_states(self):
        if self._world == 1:
            return
        tensors = [p for p in self.module.parameters()] + \
                  [b for b in self.module.buffers() if b is not None]
        self._coalesced_broadcast(tensors)

    def _make_buckets(self):
        order = list(range(len(self._params)))[::-1]
        buckets, current, idx, size, dtype = [], [], [], 0, None
        for i in order:
            p = self._params[i]
            nbytes = p._data.nbytes
            if current and (p._data.dtype != dtype or size + nbytes > self.bucket_bytes_cap):
                buckets.append(_Bucket(current, idx, self.gradient_as_bucket_view))
                current, idx, size = [], [], 0
            current.append(p)
            idx.append(i)
            size += nbytes
            dtype = p._data.dtype
        if current:
            buckets.append(_Bucket(current, idx, self.gradient_as_bucket_view))
        return buckets

    # -- iteration state ---------------------------------------------------------------------
    def _reset_iteration(self, active):
        self._active = active          # a reduction is expected in the coming backward
        self._next_launch = 0
        self._ready = set()
        self._unused = set()
        for b in self._buckets:
            b.pending = len(b.params)
            b.work = None

    def _mark_ready(self, p):
        b = self._bucket_of[id(p)]
        b.pending -= 1
        if b.pending == 0:
            self._launch_ready()

    def _launch_ready(self):
        while self._next_launch < len(self._buckets) and \
                self._buckets[self._next_launch].pending == 0:
            b = self._buckets[self._next_launch]
            b.work = self._dist.all_reduce(b.buffer, group=self.process_group, async_op=True)
            self._next_launch += 1
        if self._next_launch == len(self._buckets):
            self._finish_reduction()
        else:
            for b in self._buckets[:self._next_launch]:
                if b.work is not None:
                    b.work.is_completed()      # lets MPI progress the reductions in flight

    def _grad_ready(self, p):
        if not self._active:
            return
        if id(p) in self._ready:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. This error is caused by one of "
                f"the following reasons: 1) Use of a module parameter outside the `forward` "
                f"function. 2) Reused parameters in multiple reentrant backward passes. "
                f"Parameter index {self._params.index(p)} has been marked as ready twice.")
        self._ready.add(id(p))
        b = self._bucket_of[id(p)]
        i = b.slot[id(p)]
        sl = b.slice(i)
        if b.view is None:
            sl[...] = p.grad._data
        elif not _same_memory(p.grad._data, sl):
            # the .grad was replaced (zero_grad(set_to_none=True)): copy in and re-point it
            sl[...] = p.grad._data
            p.grad._data = sl
        self._mark_ready(p)

    def _finish_reduction(self):
        inv = 1.0 / self._world
        unused_everywhere = None
        if self.find_unused_parameters:
            flags = np.zeros(len(self._params), np.int32)
            for i, p in enumerate(self._params):
                if id(p) in self._unused:
                    flags[i] = 1
            ft = _make(flags)
            self._dist.all_reduce(ft, group=self.process_group)
            unused_everywhere = {id(self._params[i]) for i in np.nonzero(flags == self._world)[0]}
        for b in self._buckets:
            b.work.wait()
            data = b.buffer._data
            data *= inv
            for i, p in enumerate(b.params):
                if unused_everywhere is not None and id(p) in unused_everywhere:
                    continue
                sl = b.slice(i)
                if p.grad is None:
                    p.grad = _make(sl.copy() if b.view is None else sl)
                elif not _same_memory(p.grad._data, sl):
                    p.grad._data[...] = sl
        self._active = False

    # -- forward -----------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        from ...autograd.grad_mode import is_grad_enabled
        if self._active and self.require_backward_grad_sync and self._ready:
            missing = [i for i, p in enumerate(self._params)
                       if id(p) not in self._ready and id(p) not in self._unused]
            raise RuntimeError(_UNFINISHED.format(rank=self._rank, indices=missing))
        if self.broadcast_buffers and self.require_forward_param_sync and self._world > 1:
            bufs = [b for b in self.module.buffers() if b is not None]
            if bufs:
                self._coalesced_broadcast(bufs)
        out = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self._prepare_for_backward(out)
        else:
            self._active = False
        return out

    def _prepare_for_backward(self, out):
        self._reset_iteration(active=True)
        if self.find_unused_parameters:
            used = _reachable_leaves(_tensors_in(out, []))
            for p in self._params:
                if id(p) not in used:
                    self._unused.add(id(p))
                    b = self._bucket_of[id(p)]
                    b.slice(b.slot[id(p)])[...] = 0 if p.grad is None else p.grad._data
                    b.pending -= 1
            if self._buckets[0].pending == 0:
                self._launch_ready()

    # -- API -----------------------------------------------------------------------------------
    @contextmanager
    def no_sync(self):
        """Gradients accumulate locally inside; the next synced backward reduces them."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def _get_ddp_logging_data(self):
        return {"world_size": self._world, "bucket_cap_bytes": self.bucket_bytes_cap,
                "num_buckets": len(self._buckets),
                "find_unused_parameters": self.find_unused_parameters}

    def register_comm_hook(self, state, hook):
        raise NotImplementedError("DistributedDataParallel.register_comm_hook is not "
                                  "supported by ember")

    def join(self, *args, **kwargs):
        raise NotImplementedError("DistributedDataParallel.join (uneven inputs) is not "
                                  "supported by ember")

    def __getstate__(self):
        raise RuntimeError("DistributedDataParallel is not picklable; save "
                           "ddp.module.state_dict() (or ddp.state_dict()) instead")
