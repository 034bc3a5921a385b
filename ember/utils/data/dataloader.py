"""``DataLoader`` (``torch.utils.data.dataloader``): batches from a dataset, in the main
process or in worker processes.

Arguments, defaults, their mutual-exclusion errors and ``len()`` follow PyTorch 2.13.
With ``num_workers > 0`` each worker is a separate process (``multiprocessing``; the
platform's default start method unless ``multiprocessing_context`` names one) that fetches
and collates whole batches. Tasks are dealt round robin, at most
``prefetch_factor * num_workers`` in flight, and batches are yielded in sampler order
(``in_order=False`` yields them as they arrive). Large arrays come back through shared
memory (``_transport``). A worker's exception is re-raised in the main process with the
worker's traceback in the message; a worker that dies is reported as a RuntimeError as
soon as its process ends (the main process waits on the pipes and the process sentinels
together, so it never hangs); ``timeout > 0`` bounds the wait for each batch.

``pin_memory=True`` copies each batch's tensors to CuPy's pinned host memory in the main
process (``_pin_memory``; PyTorch uses a thread); without a GPU it warns, as PyTorch does,
and yields ordinary tensors. Differences from PyTorch: workers do not limit BLAS threads.
"""
import itertools
import multiprocessing
import multiprocessing.connection
import os
import secrets
import signal
import time
import warnings
import weakref

from ... import _dtype
from ...autograd.profiler_hooks import active as _profiler_active
from ...ops.creation import empty
from . import _transport
from ._collate import default_collate, default_convert
from ._fetch import _DatasetKind
from ._worker import (MP_STATUS_CHECK_INTERVAL, ExceptionWrapper, _IterableDatasetStopIteration,
                      _ResumeIteration, _worker_loop, get_worker_info)
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: ``None`` forever (the dataset decides the end)."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Combines a dataset and a sampler and iterates over batches
    (``torch.utils.data.DataLoader``; see the module docstring for the worker processes)."""

    _DataLoader__initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; "
                             "use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in (False, None):
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process "
                                 "loading (num_workers > 0), but got "
                                 f"num_workers={self.num_workers}")
            if isinstance(multiprocessing_context, str):
                valid = multiprocessing.get_all_start_methods()
                if multiprocessing_context not in valid:
                    raise ValueError("multiprocessing_context option should specify a valid "
                                     f"start method in {valid!r}, but got "
                                     f"multiprocessing_context={multiprocessing_context!r}")
                multiprocessing_context = multiprocessing.get_context(multiprocessing_context)
            if not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context "
                                "object or a string specifying the start method, but got "
                                f"multiprocessing_context={multiprocessing_context}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler",
                                           "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or self._iterator._shutdown:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    return length // self.batch_size
                return -(-length // self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warn, as PyTorch does, when more workers are asked for than CPUs are usable."""
        if self.num_workers == 0:
            return
        try:
            max_workers = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            max_workers = os.cpu_count()
        if max_workers is not None and self.num_workers > max_workers:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in "
                          f"total. Our suggested max number of worker in current system is "
                          f"{max_workers}, which is smaller than what this DataLoader is going to "
                          "create. Please be aware that excessive worker creation might get "
                          "DataLoader running slow or even freeze, lower the worker number to "
                          "avoid potential slowness/freeze if necessary.", stacklevel=3)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._pin_memory = False
        if loader.pin_memory:
            from ... import cuda
            self._pin_memory = cuda.is_available()
            if not self._pin_memory:
                warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                              "then device pinned memory won't be used.", stacklevel=5)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(empty((), dtype=_dtype.int64)
                              .random_(generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)     # may raise StopIteration

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        if _profiler_active[0] is None:
            data = self._next_data()
        else:
            with _profiler_active[0].range(
                    f"enumerate(DataLoader)#{type(self).__name__}.__next__", "user_annotation"):
                data = self._next_data()
        if self._pin_memory:
            from ._pin_memory import pin_memory
            data = pin_memory(data)
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable
                and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be "
                   f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                   f"{self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly "
                        "configuring the IterableDataset replica at each worker.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
            self._drop_last)

    def _next_data(self):
        index = self._next_index()                      # may raise StopIteration
        return self._dataset_fetcher.fetch(index)       # may raise StopIteration


def _exit_description(proc):
    code = proc.exitcode
    if code is None:
        return "exited unexpectedly"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"exited unexpectedly: killed by signal {name}"
    return f"exited unexpectedly with exit code {code}"


# Seconds the workers get to exit on their own at shutdown before they are terminated
# (an idle worker exits at once; a busy one's result would be thrown away anyway).
SHUTDOWN_GRACE = 1.0


def _shutdown(workers, index_queues, conns, receivers, shm_prefix):
    """Stop the workers and free everything (a ``weakref.finalize`` callback: it must not
    reference the iterator)."""
    for p, q in zip(workers, index_queues):
        if p.is_alive():
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
    for c in conns:                 # a worker blocked on sending sees a broken pipe
        c.close()
    deadline = time.monotonic() + SHUTDOWN_GRACE
    for p in workers:
        p.join(timeout=max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.terminate()
            p.join()
    for q in index_queues:
        q.cancel_join_thread()
        q.close()
    for r in receivers:
        r.close()
    _transport.cleanup(shm_prefix)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Iterates once over the loader (or every epoch, with persistent workers) using
    ``num_workers`` worker processes."""

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        prefix = f"ember_dl_{os.getpid()}_{secrets.token_hex(4)}_"
        self._workers, self._index_queues, self._conns, self._receivers = [], [], [], []
        self._shutdown = False
        self._finalizer = weakref.finalize(self, _shutdown, self._workers, self._index_queues,
                                           self._conns, self._receivers, prefix)
        for wid in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()
            reader, writer = ctx.Pipe(duplex=False)
            w = ctx.Process(target=_worker_loop, daemon=True, args=(
                self._dataset_kind, self._dataset, index_queue, writer, self._auto_collation,
                self._collate_fn, self._drop_last, self._base_seed, loader.worker_init_fn, wid,
                self._num_workers, f"{prefix}{wid}_"))
            self._index_queues.append(index_queue)
            self._conns.append(reader)
            self._receivers.append(_transport.Receiver())
            w.start()
            writer.close()
            self._workers.append(w)
        self._freed = [[] for _ in range(self._num_workers)]
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0                  # index of the next task to send
        self._rcvd_idx = 0                  # index of the next batch to yield
        self._task_info = {}                # task index -> (worker,) or (worker, data)
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:                  # persistent workers: start a new epoch
            for wid in range(self._num_workers):
                self._put(wid, ("resume",))
            waiting = self._num_workers
            while waiting > 0:              # drop what is left of the previous epoch
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    waiting -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _put(self, wid, message):
        """Send a message to worker ``wid``, with the transport slots freed since the last."""
        self._index_queues[wid].put((*message, self._freed[wid]))
        self._freed[wid] = []

    def _try_put_index(self):
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            wid = next(self._worker_queue_idx_cycle)
            if self._workers_status[wid]:
                break
        else:
            return                          # every worker has finished its iterable
        self._put(wid, ("fetch", self._send_idx, index))
        self._task_info[self._send_idx] = (wid,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _worker_died(self, wid):
        w = self._workers[wid]
        w.join(timeout=1.0)
        message = f"DataLoader worker (pid {w.pid}) {_exit_description(w)}"
        self._shutdown_workers()
        raise RuntimeError(message)

    def _get_data(self):
        """The next ``(task index, data)`` any active worker sends, watching for workers
        that die and for ``timeout``."""
        timeout = self._timeout
        deadline = time.monotonic() + timeout if timeout > 0 else None
        while True:
            live = [w for w in range(self._num_workers) if self._workers_status[w]]
            conns = {self._conns[w]: w for w in live}
            sentinels = {self._workers[w].sentinel: w for w in live}
            wait = MP_STATUS_CHECK_INTERVAL if deadline is None else \
                max(0.0, deadline - time.monotonic())
            ready = multiprocessing.connection.wait([*conns, *sentinels], timeout=wait)
            for c in ready:
                if c in conns:
                    wid = conns[c]
                    try:
                        message = c.recv_bytes()
                    except (EOFError, OSError):
                        self._worker_died(wid)
                    data, slot = self._receivers[wid].loads(message)
                    if slot is not None:
                        self._freed[wid].append(slot)
                    return data
            for s in ready:                 # ended with nothing left in its pipe
                if s in sentinels:
                    self._worker_died(sentinels[s])
            if deadline is not None and time.monotonic() >= deadline:
                self._shutdown_workers()
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def _next_data(self):
        while True:
            if self._shutdown:
                raise StopIteration
            # skip tasks already yielded (in_order=False) or of workers whose iterable ended
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                    self._tasks_outstanding -= 1
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process_data(info[1])
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                self._mark_worker_as_unavailable(data.worker_id)
                del self._task_info[idx]
                self._try_put_index()
                continue
            if idx == self._rcvd_idx or not self._in_order:
                del self._task_info[idx]
                if idx == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._process_data(data)
            self._task_info[idx] += (data,)

    def _process_data(self, data):
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_as_unavailable(self, wid):
        """An IterableDataset worker is done for this epoch; without persistent workers it
        is told to exit (its process is joined at shutdown)."""
        self._workers_status[wid] = False
        if not self._persistent_workers:
            self._index_queues[wid].put(None)

    def _shutdown_workers(self):
        if not self._shutdown:
            self._shutdown = True
            self._finalizer()
