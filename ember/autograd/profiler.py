"""``ember.autograd.profiler``: the legacy profiler API (``torch.autograd.profiler``).

``profile`` records as ``ember.profiler.profile`` does (one recorder on the dispatch
hook) and exposes the legacy surface: ``function_events``, ``key_averages``, ``table``,
``total_average``, ``self_cpu_time_total``, ``export_chrome_trace``.
"""
from ..profiler._events import EventList, FunctionEvent, FunctionEventAvg  # noqa: F401
from ..profiler._recorder import Recorder, record_function  # noqa: F401


class profile:
    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False,
                 with_modules=False, use_kineto=False, use_cpu=True,
                 experimental_config=None, acc_events=False, custom_trace_id_callback=None):
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_flops = with_flops
        self.with_stack = with_stack
        self.with_modules = with_modules
        self._recorder = None
        self._events = None

    def __enter__(self):
        if self.enabled:
            self._recorder = Recorder(self.record_shapes, self.profile_memory, self.with_stack,
                                      self.with_flops, self.with_modules)
            self._recorder.start()
        return self

    def __exit__(self, *exc):
        if self._recorder is not None:
            self._recorder.stop()
        return False

    def _check_finish(self):
        if self._recorder is None:
            raise RuntimeError("Profiler didn't finish running")

    @property
    def function_events(self):
        self._check_finish()
        if self._events is None:
            self._events = EventList(self._recorder.events, profile_memory=self.profile_memory,
                                     with_flops=self.with_flops,
                                     python_events=self._recorder.python_events,
                                     trace_meta={"baseTimeNanoseconds":
                                                 self._recorder.base_time_ns})
        return self._events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        return self.function_events.key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False):
        return self.function_events.table(
            sort_by=sort_by, row_limit=row_limit, max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width, header=header,
            top_level_events_only=top_level_events_only)

    def total_average(self):
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self):
        return self.function_events.self_cpu_time_total

    def export_chrome_trace(self, path):
        return self.function_events.export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        return self.function_events.export_stacks(path, metric)

    def __str__(self):
        return self.table()
