"""What runs inside a DataLoader worker process (``torch.utils.data._utils.worker``).

A worker seeds its random number generators, runs ``worker_init_fn``, then loops: take a
task (batch index, sampler indices) from its index queue, fetch and collate the batch,
send ``(index, batch)`` back through its data pipe (``_transport``). A failure is sent
back as an ``ExceptionWrapper`` that the main process re-raises with the worker's
traceback in the message; an exhausted IterableDataset sends
``_IterableDatasetStopIteration``.

Seeding (as PyTorch): ``seed = base_seed + worker_id`` seeds Python's ``random`` and
ember's default generator. NumPy's global generator is seeded with a 128-bit key derived
from the same seed (``SeedSequence(seed).generate_state(4)``; PyTorch uses its own hash):
seeding it with the seed itself would make it repeat Python's ``random`` stream, since
both are MT19937 initialised the same way.
"""
import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy

from ..._random import manual_seed
from . import _transport
from ._fetch import _DatasetKind

# How often (seconds) a worker waiting for work checks that the main process is alive.
MP_STATUS_CHECK_INTERVAL = 5.0

_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker."""
    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """In a DataLoader worker: its ``WorkerInfo`` (``id``, ``num_workers``, ``seed``, and
    ``dataset``, this process's copy of the dataset). In the main process: None."""
    return _worker_info


class ExceptionWrapper:
    """An exception and its formatted traceback, picklable, to re-raise in another process."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_type_name = exc_info[0].__name__
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def __reduce__(self):
        try:    # a class that cannot be pickled (defined in a function) comes back as None
            exc_type = pickle.loads(pickle.dumps(self.exc_type))
        except Exception:
            exc_type = None
        return (_rebuild_exception_wrapper,
                (exc_type, self.exc_type_name, self.exc_msg, self.where))

    def reraise(self):
        """Raise the original exception type with ``Caught <Type> <where>.\\nOriginal
        Traceback ...`` as its message (RuntimeError when the type cannot be rebuilt)."""
        msg = f"Caught {self.exc_type_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is None:
            raise RuntimeError(msg)
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


def _rebuild_exception_wrapper(exc_type, name, msg, where):
    w = ExceptionWrapper.__new__(ExceptionWrapper)
    w.exc_type, w.exc_type_name, w.exc_msg, w.where = exc_type, name, msg, where
    return w


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows the traceback readably."""

    def __repr__(self):
        return self


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to (and echoed by) persistent workers at the start of a new epoch."""


def seed_worker(seed):
    """Seed Python's ``random``, ember's default generator and NumPy's global generator."""
    random.seed(seed)
    manual_seed(seed)
    numpy.random.seed(numpy.random.SeedSequence(seed).generate_state(4))


def _worker_loop(dataset_kind, dataset, index_queue, data_conn, auto_collation, collate_fn,
                 drop_last, base_seed, init_fn, worker_id, num_workers, shm_prefix):
    global _worker_info
    sender = _transport.Sender(data_conn, shm_prefix)
    try:
        seed = base_seed + worker_id
        seed_worker(seed)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                  collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        iteration_end = False
        parent = os.getppid()
        while True:
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:      # the main process is gone
                    break
                continue
            if r is None:
                break
            sender.release(r[-1])
            if r[0] == "resume":
                iteration_end = False
                if init_exception is None:
                    fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset,
                                                          auto_collation, collate_fn, drop_last)
                sender.send((_ResumeIteration(), None))
                continue
            if iteration_end:
                continue
            _, idx, index, _ = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(where=where)
            try:
                message = sender.dumps((idx, data))
            except Exception:       # the batch cannot be pickled: report that instead
                message = sender.dumps((idx, ExceptionWrapper(where=where)))
            del data
            data_conn.send_bytes(message)
    except (KeyboardInterrupt, BrokenPipeError, EOFError, OSError):
        pass        # the main process closed the pipe or is shutting down
    finally:
        sender.close()
