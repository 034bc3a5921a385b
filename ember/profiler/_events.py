"""Profiler events and their summaries, in the shapes of ``torch.autograd.profiler_util``.

``FunctionEvent`` is one timed range (an op call, a backward node, a ``record_function``
range, an optimizer step ...); ``EventList.key_averages`` groups them into
``FunctionEventAvg`` rows, and ``EventList.table`` prints those rows with PyTorch's
columns and layout (Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg,
CPU Mem, Self CPU Mem, # of Calls, Input Shapes, Source Location, Total FLOPs).

Times are microseconds (floats), as in PyTorch. Memory is the bytes of backend arrays
the range allocated (positive) and freed (negative) while it was the innermost range.
"""
import gzip
import json
import math
import os


class FunctionEvent:
    """One recorded range. ``cpu_children`` are the ranges directly inside it."""

    __slots__ = ("id", "name", "start_us", "end_us", "thread", "cpu_parent", "cpu_children",
                 "input_shapes", "stack", "flops", "self_cpu_memory_usage", "category",
                 "sequence_nr", "concrete_inputs", "input_types", "scope", "trace_name")

    def __init__(self, id, name, start_us, thread, category="cpu_op", input_shapes=None,
                 stack=None, flops=0, concrete_inputs=None, input_types=None, sequence_nr=-1,
                 scope=0):
        self.id = id
        self.name = name
        self.start_us = start_us
        self.end_us = start_us
        self.thread = thread
        self.cpu_parent = None
        self.cpu_children = []
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.flops = flops
        self.self_cpu_memory_usage = 0
        self.category = category
        self.sequence_nr = sequence_nr
        self.concrete_inputs = concrete_inputs
        self.input_types = input_types
        self.scope = scope
        self.trace_name = None      # the name in the trace file when it differs (ProfilerStep#N)

    # PyTorch's FunctionEvent attributes
    @property
    def key(self):
        return self.name

    @property
    def time_range(self):
        return (self.start_us, self.end_us)

    @property
    def cpu_time_total(self):
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_time(self):
        return self.cpu_time_total

    @property
    def cpu_memory_usage(self):
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    @property
    def count(self):
        return 1

    @property
    def is_user_annotation(self):
        return self.category == "user_annotation"

    is_async = False
    device_type = "CPU"
    node_id = -1
    overload_name = ""

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} "
                f"cpu_time={_format_time(self.cpu_time_total)} "
                f"start_us={self.start_us:.3f} end_us={self.end_us:.3f} "
                f"cpu_children={[c.id for c in self.cpu_children]} "
                f"input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage}>")


class FunctionEventAvg:
    """A ``key_averages`` row: the events of one key (and shape / stack group) added up."""

    def __init__(self, key, input_shapes=None, stack=None):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.flops = 0
        self.input_shapes = input_shapes
        self.stack = stack if stack is not None else []
        self.cpu_parent = None
        self.is_user_annotation = False

    is_async = False
    node_id = -1
    overload_name = ""
    device_type = "CPU"

    def add(self, evt):
        self.count += evt.count
        self.cpu_time_total += evt.cpu_time_total
        self.self_cpu_time_total += evt.self_cpu_time_total
        self.cpu_memory_usage += evt.cpu_memory_usage
        self.self_cpu_memory_usage += evt.self_cpu_memory_usage
        self.flops += evt.flops
        self.is_user_annotation = evt.is_user_annotation
        if self.input_shapes is None:
            self.input_shapes = evt.input_shapes
        if not self.stack:
            self.stack = evt.stack
        return self

    @property
    def cpu_time(self):
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_format_time(self.self_cpu_time_total)} "
                f"cpu_time={_format_time(self.cpu_time)} input_shapes={self.input_shapes} "
                f"cpu_memory_usage={self.cpu_memory_usage}>")


class EventList(list):
    """A list of events with PyTorch's summaries: key_averages, table, total_average,
    export_chrome_trace, export_stacks, self_cpu_time_total."""

    def __init__(self, *args, profile_memory=False, with_flops=False, trace_meta=None,
                 python_events=()):
        super().__init__(*args)
        self._profile_memory = profile_memory
        self._with_flops = with_flops
        self._trace_meta = trace_meta or {}
        self._python_events = list(python_events)   # module ranges: trace only

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        groups = {}
        for evt in self:
            key = [evt.key]
            if group_by_input_shapes:
                key.append(str(evt.input_shapes))
            if group_by_stack_n > 0:
                key.append(tuple(evt.stack[:group_by_stack_n]))
            key = tuple(key)
            row = groups.get(key)
            if row is None:
                row = groups[key] = FunctionEventAvg(
                    evt.key, evt.input_shapes if group_by_input_shapes else None,
                    evt.stack[:group_by_stack_n] if group_by_stack_n > 0 else None)
            row.add(evt)
        out = EventList(groups.values(), profile_memory=self._profile_memory,
                        with_flops=self._with_flops)
        if not group_by_input_shapes:
            for row in out:
                row.input_shapes = None     # PyTorch shows shapes only when grouped by them
        return out

    def total_average(self):
        total = FunctionEventAvg("Total")
        for evt in self:
            total.add(evt)
        total.key = "Total"
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False, time_unit=None):
        return build_table(self, sort_by=sort_by, header=header, row_limit=row_limit,
                           max_src_column_width=max_src_column_width,
                           max_name_column_width=max_name_column_width,
                           max_shapes_column_width=max_shapes_column_width,
                           with_flops=self._with_flops, profile_memory=self._profile_memory,
                           top_level_events_only=top_level_events_only, time_unit=time_unit)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Chrome-trace JSON (``traceEvents`` of complete events), as PyTorch writes it;
        a path ending in ``.gz`` is gzip-compressed. Perfetto, chrome://tracing and
        TensorBoard's profiler plugin open it."""
        write_chrome_trace(list(self) + self._python_events, path, self._trace_meta)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        """Folded stacks for flamegraph.pl / speedscope, as PyTorch writes them: per event
        with a stack, its frames outermost first joined by ``;`` (spaces, tabs and
        semicolons in a frame become ``_``), a space, and the metric's integer value."""
        if metric not in ("self_cpu_time_total", "self_cuda_time_total",
                          "self_device_time_total"):
            raise ValueError(f"metric should be one of self_cpu_time_total, "
                             f"self_device_time_total, got {metric!r}")
        table = str.maketrans(" ;\t\n", "____")
        with open(path, "w") as f:
            for evt in self:
                if not evt.stack:
                    continue
                # ember records CPU activity only: device metrics are zero.
                value = int(evt.self_cpu_time_total) if metric == "self_cpu_time_total" else 0
                if value > 0:
                    frames = [s.translate(table) for s in reversed(evt.stack)]
                    f.write(";".join(frames) + f" {value}\n")


def _format_time(time_us):
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_time_share(time_us, total_us):
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


def _format_memory(nbytes):
    kb, mb, gb = 1024, 1024 ** 2, 1024 ** 3
    if abs(nbytes) >= gb:
        return f"{nbytes * 1.0 / gb:.2f} GB"
    if abs(nbytes) >= mb:
        return f"{nbytes * 1.0 / mb:.2f} MB"
    if abs(nbytes) >= kb:
        return f"{nbytes * 1.0 / kb:.2f} KB"
    return str(nbytes) + " B"


_SORT_KEYS = ("cpu_time", "cpu_time_total", "self_cpu_time_total", "cpu_memory_usage",
              "self_cpu_memory_usage", "count", "flops", "cuda_time", "cuda_time_total",
              "self_cuda_time_total", "device_time", "device_time_total",
              "self_device_time_total", "cuda_memory_usage", "self_cuda_memory_usage",
              "device_memory_usage", "self_device_memory_usage")


def _sort_value(evt, sort_by):
    if sort_by not in _SORT_KEYS:
        raise AttributeError(f"'{type(evt).__name__}' object has no attribute '{sort_by}'")
    # ember records CPU activity only: device columns sort as zeros.
    return getattr(evt, sort_by, 0)


def _time_text(us, time_unit):
    if time_unit == "s":
        return f"{us / 1e6:.3f}s"
    if time_unit == "ms":
        return f"{us / 1e3:.3f}ms"
    if time_unit == "us":
        return f"{us:.3f}us"
    return _format_time(us)


def _trim_path(path, width):
    if len(path) > width:
        path = path[len(path) - width:]
        if len(path) > 3:
            path = "..." + path[3:]
    return path


def build_table(events, sort_by=None, header=None, row_limit=100, max_src_column_width=75,
                max_name_column_width=55, max_shapes_column_width=80, with_flops=False,
                profile_memory=False, top_level_events_only=False, time_unit=None):
    """PyTorch's ``_build_table`` layout for CPU-only events."""
    if len(events) == 0:
        return ""
    has_shapes = any(e.input_shapes is not None and len(e.input_shapes) > 0 for e in events)
    if sort_by is not None:
        events = sorted(events, key=lambda e: _sort_value(e, sort_by), reverse=True)
    name_w = max(len(e.key) for e in events) + 4
    if max_name_column_width is not None:
        name_w = min(name_w, max_name_column_width)
    shapes_w = max(len(str(e.input_shapes)) for e in events) + 4
    if max_shapes_column_width is not None:
        shapes_w = min(shapes_w, max_shapes_column_width)
    stacks = [e.stack for e in events if e.stack]
    src_w = None
    if stacks:
        src_w = max(max(len(s) for s in st) for st in stacks) + 4
        if max_src_column_width is not None:
            src_w = min(src_w, max_src_column_width)

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
    headers.append("# of Calls")
    fmt, sep, line_len = "", "", -2

    def add_column(width, align=">"):
        nonlocal fmt, sep, line_len
        fmt += "{: " + align + str(width) + "}  "
        sep += "-" * width + "  "
        line_len += width + 2

    add_column(name_w)
    for _ in headers[1:]:
        add_column(12)
    if has_shapes:
        headers.append("Input Shapes")
        add_column(shapes_w)
    if stacks:
        headers.append("Source Location")
        add_column(src_w, "<")
    flops_scale = None
    if with_flops:
        raw = [e.flops for e in events if e.flops > 0]
        if raw:
            names = ["FLOPs", "KFLOPs", "MFLOPs", "GFLOPs", "TFLOPs", "PFLOPs"]
            log = max(0, min(math.log10(min(raw)) / 3, float(len(names) - 1)))
            flops_scale = pow(10, math.floor(log) * -3.0)
            headers.append(f"Total {names[int(log)]}")
            add_column(12)

    out = []

    def append(s):
        out.append(s)
        out.append("\n")

    total_self = sum(e.self_cpu_time_total for e in events)
    if header is not None:
        append("=" * line_len)
        append(header)
    if top_level_events_only:
        append("=" * line_len)
        append("This report only display top-level ops statistics")
    append(sep)
    append(fmt.format(*headers))
    append(sep)
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_events_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        row = [name, _format_time_share(e.self_cpu_time_total, total_self),
               _time_text(e.self_cpu_time_total, time_unit),
               _format_time_share(e.cpu_time_total, total_self),
               _time_text(e.cpu_time_total, time_unit), _time_text(e.cpu_time, time_unit)]
        if profile_memory:
            row += [_format_memory(e.cpu_memory_usage), _format_memory(e.self_cpu_memory_usage)]
        row.append(e.count)
        if has_shapes:
            row.append(str(e.input_shapes)[:shapes_w])
        if stacks:
            row.append(_trim_path(e.stack[0], src_w) if e.stack else "")
        if flops_scale is not None:
            row.append("--" if e.flops <= 0 else f"{e.flops * flops_scale:8.3f}")
        append(fmt.format(*row))
        if stacks:
            blanks = [""] * (len(headers) - 1)
            for entry in e.stack[1:]:
                append(fmt.format(*(blanks + [_trim_path(entry, src_w)])))
            append(fmt.format(*(blanks + [""])))
    append(sep)
    append(f"Self CPU time total: {_time_text(total_self, time_unit)}")
    return "".join(out)


def write_chrome_trace(events, path, meta):
    """Write events as Chrome-trace JSON; ``meta`` adds top-level keys (PyTorch's
    schemaVersion, baseTimeNanoseconds ...)."""
    pid = os.getpid()
    trace = []
    threads = sorted({e.thread for e in events})
    trace.append({"ph": "M", "name": "process_name", "ts": 0, "pid": pid, "tid": 0,
                  "args": {"name": "python"}})
    trace.append({"ph": "M", "name": "process_labels", "ts": 0, "pid": pid, "tid": 0,
                  "args": {"labels": "CPU"}})
    for t in threads:
        trace.append({"ph": "M", "name": "thread_name", "ts": 0, "pid": pid, "tid": t,
                      "args": {"name": f"thread {t} (python)"}})
    for e in events:
        args = {"External id": e.id}
        if e.input_shapes:
            args["Input Dims"] = e.input_shapes
        if e.input_types is not None:
            args["Input type"] = e.input_types
        if e.concrete_inputs is not None:
            args["Concrete Inputs"] = e.concrete_inputs
        if e.sequence_nr >= 0:
            args["Sequence number"] = e.sequence_nr
        if e.flops:
            args["flops"] = e.flops
        if e.stack:
            args["Call stack"] = ";".join(e.stack)
        trace.append({"ph": "X", "cat": e.category, "name": e.trace_name or e.name, "pid": pid,
                      "tid": e.thread, "ts": e.start_us, "dur": e.cpu_time_total,
                      "args": args})
    doc = {"schemaVersion": 1, "deviceProperties": [], "displayTimeUnit": "ms"}
    doc.update(meta)
    doc["traceEvents"] = trace
    data = json.dumps(doc).encode()
    path = os.fspath(path)
    if path.endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
