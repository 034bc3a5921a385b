"""``ember.profiler.profile`` and its schedule, as ``torch.profiler``.

``profile`` follows PyTorch's state machine exactly: ``schedule(step)`` gives a
``ProfilerAction`` per step; the transition from the previous step's action to the
current one runs PyTorch's list of actions (prepare / start / stop the trace, call
``on_trace_ready``), so the same schedule records the same steps and fires
``on_trace_ready`` at the same calls of ``step()``. With a schedule, every step is a
``ProfilerStep#N`` range, as in PyTorch.

ember records CPU activity only: ``ProfilerActivity.CUDA`` is accepted (a program that
lists it runs) and adds no device events; ``supported_activities()`` lists CPU alone.
Warmup steps run without recording (PyTorch's warmup exists to start its device
tracers; ember's recorder needs none).
"""
import enum
import os
import socket
import time
import warnings
from functools import partial

from ._events import EventList
from ._recorder import Recorder, record_function


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 2
    XPU = 1
    MTIA = 3
    PrivateUse1 = 4


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities():
    return {ProfilerActivity.CPU}


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """``torch.profiler.schedule``: skip ``skip_first`` steps, then cycles of ``wait``,
    ``warmup`` and ``active`` steps (``repeat`` cycles; 0 = until the end)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), "
            f"warmup={warmup} (need >= 0), active={active} (need > 0), repeat={repeat} "
            f"(need >= 0), skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)

    def schedule_fn(step):
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        return (ProfilerAction.RECORD if mod_step < num_steps - 1
                else ProfilerAction.RECORD_AND_SAVE)

    return schedule_fn


def _default_schedule_fn(_):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False,
                              use_python_export=False):
    """An ``on_trace_ready`` that writes ``<worker>.<time_ns>.pt.trace.json[.gz]`` into
    ``dir_name``, the layout TensorBoard's profiler plugin reads; ``worker_name``
    defaults to ``<hostname>_<pid>``."""

    def handler_fn(prof):
        nonlocal worker_name
        if not os.path.isdir(dir_name):
            try:
                os.makedirs(dir_name, exist_ok=True)
            except Exception as e:
                raise RuntimeError("Can't create directory: " + dir_name) from e
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker_name}.{time.time_ns()}.pt.trace.json"
        if use_gzip:
            file_name += ".gz"
        prof.export_chrome_trace(os.path.join(dir_name, file_name))

    return handler_fn


def _check_activities(activities):
    if activities is None:
        return set(supported_activities())
    out = set()
    for a in activities:
        if isinstance(a, dict):
            out.update(a.keys())
        elif isinstance(a, ProfilerActivity):
            out.add(a)
        else:
            raise TypeError(f"activities must be ProfilerActivity values, got {a!r}")
    if not out:
        raise AssertionError("No valid profiler activities found")
    return out


class _KinetoProfile:
    """The recording part of ``profile`` (PyTorch's base class of the same name)."""

    def __init__(self, *, activities=None, record_shapes=False, profile_memory=False,
                 with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None,
                 acc_events=False, custom_trace_id_callback=None,
                 post_processing_timeout_s=None):
        self.activities = _check_activities(activities)
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.acc_events = acc_events
        self.custom_trace_id_callback = custom_trace_id_callback
        self.profiler = None            # the Recorder of the current / last cycle
        self._events = None

    def prepare_trace(self):
        if self.profiler is None or not self.acc_events:
            self.profiler = Recorder(self.record_shapes, self.profile_memory,
                                     self.with_stack, self.with_flops, self.with_modules)

    def start_trace(self):
        if self.profiler is None:
            self.prepare_trace()
        self.profiler.start()

    def stop_trace(self):
        if self.profiler is not None:
            self.profiler.stop()
            self._events = None

    def start(self):
        self.prepare_trace()
        self.start_trace()

    def stop(self):
        self.stop_trace()

    def events(self):
        """The events of the last recorded cycle (an EventList)."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before getting events")
        if self._events is None or self.profiler._recording:
            for evt in self.profiler.events:
                # PyTorch lists every step range as "ProfilerStep*" (the trace keeps #N).
                if evt.trace_name is None and evt.name.startswith("ProfilerStep#"):
                    evt.trace_name, evt.name = evt.name, "ProfilerStep*"
            self._events = EventList(
                self.profiler.events, profile_memory=self.profile_memory,
                with_flops=self.with_flops, python_events=self.profiler.python_events,
                trace_meta={"baseTimeNanoseconds": self.profiler.base_time_ns,
                            "profile_memory": int(self.profile_memory),
                            "record_shapes": int(self.record_shapes),
                            "host_name": socket.gethostname(),
                            "traceName": "ember"})
        return self._events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        if group_by_stack_n > 0 and not self.with_stack:
            raise AssertionError("with_stack must be True to use group_by_stack_n")
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path, use_python_export=False):
        return self.events().export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        if not self.with_stack:
            raise AssertionError("Stacks are collected only with with_stack=True")
        return self.events().export_stacks(path, metric)

    def export_memory_timeline(self, path, device=None):
        raise NotImplementedError("ember.profiler: export_memory_timeline is not implemented "
                                  "(use profile_memory=True and key_averages())")

    def add_metadata(self, key, value):
        if self.profiler is not None:
            self._metadata = getattr(self, "_metadata", {})
            self._metadata[key] = value

    def add_metadata_json(self, key, value):
        self.add_metadata(key, value)


def _unreachable(prev, cur):
    raise AssertionError(f"Unreachable profiler transition {prev} -> {cur}")


class profile(_KinetoProfile):
    """``torch.profiler.profile``: a context manager (or ``start()``/``stop()``) that
    records the ops run inside it; ``step()`` advances ``schedule``."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes=False, profile_memory=False, with_stack=False,
                 with_flops=False, with_modules=False, experimental_config=None,
                 execution_trace_observer=None, acc_events=False,
                 use_cuda=None, custom_trace_id_callback=None,
                 post_processing_timeout_s=None):
        if use_cuda is not None:
            warnings.warn("`use_cuda` is deprecated, use `activities` argument instead",
                          FutureWarning, stacklevel=2)
        super().__init__(activities=activities, record_shapes=record_shapes,
                         profile_memory=profile_memory, with_stack=with_stack,
                         with_flops=with_flops, with_modules=with_modules,
                         acc_events=acc_events)
        if schedule:
            self.schedule = schedule
            self.record_steps = True
        else:
            self.schedule = _default_schedule_fn
            self.record_steps = False
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self.step_rec_fn = None
        A = ProfilerAction
        self.action_map = {
            (A.NONE, A.NONE): [],
            (A.NONE, A.WARMUP): [self.prepare_trace],
            (A.NONE, A.RECORD): [self.prepare_trace, self.start_trace],
            (A.NONE, A.RECORD_AND_SAVE): [self.prepare_trace, self.start_trace],
            (A.WARMUP, A.NONE): [partial(warnings.warn, "Incorrect schedule: WARMUP followed by NONE"),
                                 self.start_trace, self.stop_trace],
            (A.WARMUP, A.WARMUP): [],
            (A.WARMUP, A.RECORD): [self.start_trace],
            (A.WARMUP, A.RECORD_AND_SAVE): [self.start_trace],
            (A.RECORD, A.NONE): [partial(warnings.warn, "Incorrect schedule: RECORD followed by NONE"),
                                 self.stop_trace],
            (A.RECORD, A.WARMUP): [partial(warnings.warn, "Incorrect schedule: RECORD followed by WARMUP"),
                                   self.stop_trace],
            (A.RECORD, A.RECORD): [],
            (A.RECORD, A.RECORD_AND_SAVE): [],
            (A.RECORD_AND_SAVE, A.NONE): [self.stop_trace, self._trace_ready],
            (A.RECORD_AND_SAVE, A.WARMUP): [self.stop_trace, self._trace_ready,
                                            self.prepare_trace],
            (A.RECORD_AND_SAVE, A.RECORD): [self.stop_trace, self._trace_ready,
                                            self.prepare_trace, self.start_trace],
            (A.RECORD_AND_SAVE, A.RECORD_AND_SAVE): [self.stop_trace, self._trace_ready,
                                                     self.prepare_trace, self.start_trace],
            (A.WARMUP, None): [self.start_trace, self.stop_trace],
            (A.RECORD, None): [self.stop_trace, self._trace_ready],
            (A.RECORD_AND_SAVE, None): [self.stop_trace, self._trace_ready],
        }

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.stop()
        return False

    def start(self):
        self._transit_action(ProfilerAction.NONE, self.current_action)
        if self.record_steps:
            self.step_rec_fn = record_function("ProfilerStep#" + str(self.step_num))
            self.step_rec_fn.__enter__()

    def stop(self):
        if self.record_steps and self.step_rec_fn:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None
        self._transit_action(self.current_action, None)

    def step(self):
        """Signal that the next step has started: advance the schedule."""
        if self.record_steps and self.step_rec_fn:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None
        prev_action = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit_action(prev_action, self.current_action)
        if self.record_steps:
            self.step_rec_fn = record_function("ProfilerStep#" + str(self.step_num))
            self.step_rec_fn.__enter__()

    def _trace_ready(self):
        if self.on_trace_ready:
            self.on_trace_ready(self)

    def _transit_action(self, prev_action, current_action):
        for action in self.action_map.get((prev_action, current_action), ()):
            action()
