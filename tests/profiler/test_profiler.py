"""ember.profiler against torch.profiler's documented behaviour."""
import gzip
import json
import os
import warnings

import pytest

import ember
from ember.profiler import (ProfilerActivity, profile, record_function,
                            schedule, tensorboard_trace_handler)


def _train_step(model, opt, x):
    opt.zero_grad()
    loss = model(x).relu().sum()
    loss.backward()
    opt.step()


def _model():
    ember.manual_seed(0)
    return ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU(), ember.nn.Linear(3, 2))


def test_ops_backward_nodes_optimizer_and_user_ranges_are_recorded_and_nested():
    model = _model()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        with record_function("my_step"):
            _train_step(model, opt, ember.randn(5, 4))
    names = [e.name for e in prof.events()]
    assert names[0] == "my_step"
    assert "aten::linear" in names and "aten::relu" in names and "aten::sum" in names
    assert "autograd::engine::evaluate_function: AddmmBackward0" in names
    assert "Optimizer.step#SGD.step" in names
    by_name = {e.name: e for e in prof.events()}
    top = by_name["my_step"]
    assert top.cpu_parent is None
    # every other event sits inside the user range, in time and in the tree
    for e in prof.events()[1:]:
        assert top.start_us <= e.start_us <= e.end_us <= top.end_us
        root = e
        while root.cpu_parent is not None:
            root = root.cpu_parent
        assert root is top
    outer = by_name["autograd::engine::evaluate_function: AddmmBackward0"]
    assert [c.name for c in outer.cpu_children][0] == "AddmmBackward0"
    # self time = total minus children
    assert top.self_cpu_time_total == pytest.approx(
        top.cpu_time_total - sum(c.cpu_time_total for c in top.cpu_children))


def test_nothing_is_recorded_outside_the_profiler_and_record_function_is_a_noop():
    with record_function("outside"):
        ember.ones(2) + 1
    with profile() as prof:
        ember.ones(2) + 1
    ember.ones(2) * 3          # after the profiler: not recorded
    names = [e.name for e in prof.events()]
    assert "aten::mul" not in names and "outside" not in names
    assert "aten::add" in names


def test_record_function_as_decorator():
    @record_function("decorated")
    def f(x):
        return x * 2

    with profile() as prof:
        f(ember.ones(3))
    evt = next(e for e in prof.events() if e.name == "decorated")
    assert [c.name for c in evt.cpu_children] == ["aten::mul"]
    assert evt.is_user_annotation


def test_record_shapes_and_key_averages_grouping():
    lin = ember.nn.Linear(4, 3)
    with profile(record_shapes=True) as prof:
        lin(ember.randn(2, 4))
        lin(ember.randn(5, 4))
    evt = next(e for e in prof.events() if e.name == "aten::linear")
    assert evt.input_shapes == [[2, 4], [3, 4], [3]]
    rows = prof.key_averages()
    row = next(r for r in rows if r.key == "aten::linear")
    assert row.count == 2 and row.input_shapes is None
    by_shape = prof.key_averages(group_by_input_shape=True)
    shapes = sorted(str(r.input_shapes) for r in by_shape if r.key == "aten::linear")
    assert shapes == ["[[2, 4], [3, 4], [3]]", "[[5, 4], [3, 4], [3]]"]
    assert row.cpu_time_total == pytest.approx(
        sum(e.cpu_time_total for e in prof.events() if e.name == "aten::linear"))


def test_table_has_torch_columns_and_layout():
    with profile(profile_memory=True, record_shapes=True) as prof:
        with record_function("block"):
            ember.nn.functional.linear(ember.randn(2, 4), ember.randn(3, 4)).sum()
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=3)
    lines = table.splitlines()
    header = lines[1].split("  ")
    header = [h.strip() for h in header if h.strip()]
    assert header == ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total",
                      "CPU time avg", "CPU Mem", "Self CPU Mem", "# of Calls"]
    assert set(lines[0]) == {"-", " "} and lines[0] == lines[2] == lines[-2]
    assert lines[-1].startswith("Self CPU time total: ")
    assert len(lines) == 3 + 3 + 2          # 3 rows at most
    assert lines[3].split()[0] == "block"   # sorted by total: the outer range first
    grouped = prof.key_averages(group_by_input_shape=True).table(row_limit=2)
    assert "Input Shapes" in grouped.splitlines()[1]
    with pytest.raises(AttributeError):
        prof.key_averages().table(sort_by="no_such_column")


def test_table_matches_torch_layout_column_for_column():
    torch = pytest.importorskip("torch")

    def header_of(lib, prof_mod):
        with prof_mod.profile(profile_memory=True) as prof:
            lib.ones(3) + 1
        lines = prof.key_averages().table().splitlines()
        return lines[0], lines[1]

    e_sep, e_head = header_of(ember, ember.profiler)
    t_sep, t_head = header_of(torch, torch.profiler)
    # same column widths: only the Name column width depends on the names
    assert e_head.split()[1:] == t_head.split()[1:]
    assert [len(c) for c in e_sep.split()[1:]] == [len(c) for c in t_sep.split()[1:]]


def test_profile_memory_counts_allocations_and_frees():
    with profile(profile_memory=True) as prof:
        with record_function("alloc"):
            keep = ember.zeros(1000, dtype=ember.float32) + 1    # 4000 bytes kept
        with record_function("free"):
            del keep
    alloc = next(e for e in prof.events() if e.name == "alloc")
    free = next(e for e in prof.events() if e.name == "free")
    assert alloc.cpu_memory_usage >= 4000
    assert free.self_cpu_memory_usage == -4000


def test_with_flops_counts_matrix_products():
    a, b = ember.randn(8, 16), ember.randn(16, 4)
    with profile(with_flops=True) as prof:
        ember.mm(a, b)
    evt = next(e for e in prof.events() if e.name == "aten::mm")
    assert evt.flops == 2 * 8 * 16 * 4
    assert "Total" in prof.key_averages().table().splitlines()[1]


def test_with_stack_records_user_frames_and_export_stacks(tmp_path):
    def user_function(x):
        return ember.exp(x)

    with profile(with_stack=True) as prof:
        user_function(ember.ones(1000))
    evt = next(e for e in prof.events() if e.name == "aten::exp")
    assert any("user_function" in frame and "test_profiler.py" in frame for frame in evt.stack)
    assert not any(os.sep + "ember" + os.sep + "ops" in frame for frame in evt.stack)
    path = tmp_path / "stacks.txt"
    prof.export_stacks(str(path))
    lines = path.read_text().splitlines()
    assert lines and all(len(line.split(" ")) == 2 for line in lines)
    assert any("user_function" in line.split(" ")[0].split(";")[-1] for line in lines)
    assert all(int(line.rsplit(" ", 1)[1]) > 0 for line in lines)


def test_with_modules_puts_module_ranges_in_the_trace_only(tmp_path):
    model = _model()
    with profile(with_modules=True) as prof:
        model(ember.randn(2, 4))
    assert not any(e.name.startswith("nn.Module") for e in prof.events())
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    names = [e["name"] for e in json.loads(path.read_text())["traceEvents"]]
    assert "nn.Module: Sequential_0" in names
    assert "nn.Module: Linear_0" in names and "nn.Module: Linear_1" in names


def test_dataloader_batches_are_ranges():
    data = ember.utils.data.TensorDataset(ember.arange(8.0))
    loader = ember.utils.data.DataLoader(data, batch_size=4)
    with profile() as prof:
        for _ in loader:
            pass
    names = [e.name for e in prof.events()]
    assert names.count("enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__") == 3


def test_chrome_trace_structure(tmp_path):
    with profile(record_shapes=True) as prof:
        with record_function("outer"):
            ember.ones(2, 3).sum(0)
    path = tmp_path / "t.json"
    prof.export_chrome_trace(str(path))
    doc = json.loads(path.read_text())
    assert "traceEvents" in doc and "baseTimeNanoseconds" in doc
    complete = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert {e["cat"] for e in complete} <= {"cpu_op", "user_annotation"}
    for e in complete:
        assert {"name", "pid", "tid", "ts", "dur", "args"} <= set(e)
    outer = next(e for e in complete if e["name"] == "outer")
    summed = next(e for e in complete if e["name"] == "aten::sum")
    assert outer["ts"] <= summed["ts"] and summed["ts"] + summed["dur"] <= outer["ts"] + outer["dur"]
    assert summed["args"]["Input Dims"][0] == [2, 3]


def _actions(sched, n):
    return [sched(i) for i in range(n)]


@pytest.mark.parametrize("kwargs", [
    dict(wait=1, warmup=1, active=2),
    dict(wait=1, warmup=1, active=2, repeat=2),
    dict(wait=0, warmup=2, active=1, repeat=1, skip_first=3),
    dict(wait=2, warmup=1, active=3, skip_first=1, skip_first_wait=1),
])
def test_schedule_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours = _actions(schedule(**kwargs), 25)
    theirs = _actions(torch.profiler.schedule(**kwargs), 25)
    assert [a.name for a in ours] == [a.name for a in theirs]


def test_schedule_rejects_bad_arguments():
    with pytest.raises(AssertionError, match="Invalid profiler schedule"):
        schedule(wait=0, warmup=0, active=0)
    with pytest.warns(UserWarning, match="warmup"):
        schedule(wait=0, warmup=0, active=1)


def _run_schedule(lib, prof_mod, n_steps, **kw):
    """What each on_trace_ready call saw: (step ranges, add ops)."""
    seen = []

    def ready(p):
        names = [e.name for e in p.events()]
        seen.append((names.count("ProfilerStep*"), names.count("aten::add")))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with prof_mod.profile(schedule=prof_mod.schedule(**kw), on_trace_ready=ready) as p:
            for _ in range(n_steps):
                lib.ones(2) + 1
                p.step()
    return seen


@pytest.mark.parametrize("kw,n", [
    (dict(wait=1, warmup=1, active=2), 9),
    (dict(wait=1, warmup=1, active=2, repeat=1), 9),
    (dict(wait=0, warmup=1, active=1, repeat=3, skip_first=2), 12),
    (dict(wait=2, warmup=0, active=2), 7),
])
def test_recorded_steps_and_trace_ready_calls_match_torch(kw, n):
    torch = pytest.importorskip("torch")
    ours = _run_schedule(ember, ember.profiler, n, **kw)
    theirs = _run_schedule(torch, torch.profiler, n, **kw)
    assert ours == theirs
    assert ours and all(steps > 0 for steps, _ in ours)


def test_tensorboard_trace_handler_names_files_as_torch(tmp_path):
    for gz in (False, True):
        d = tmp_path / ("gz" if gz else "plain")
        handler = tensorboard_trace_handler(str(d), worker_name="worker0", use_gzip=gz)
        with profile(schedule=schedule(wait=0, warmup=1, active=1, repeat=1),
                     on_trace_ready=handler) as p:
            for _ in range(3):
                ember.ones(2) * 2
                p.step()
        files = os.listdir(d)
        assert len(files) == 1
        name = files[0]
        assert name.startswith("worker0.")
        assert name.endswith(".pt.trace.json.gz" if gz else ".pt.trace.json")
        raw = (d / name).read_bytes()
        doc = json.loads(gzip.decompress(raw) if gz else raw)
        assert any(e.get("name") == "aten::mul" for e in doc["traceEvents"])


def test_start_stop_api_and_autograd_alias():
    p = profile()
    p.start()
    ember.ones(2) - 1
    p.stop()
    assert "aten::sub" in [e.name for e in p.events()]
    with ember.autograd.profiler.profile() as prof:
        with ember.autograd.profiler.record_function("r"):
            ember.ones(2).neg()
    assert [e.name for e in prof.function_events][:2] == ["r", "aten::neg"]
    assert "aten::neg" in prof.key_averages().table()


def test_profiler_stopped_inside_another_mode_leaves_the_stack_clean():
    from ember.autograd.dispatch import DispatchMode, active_modes
    before = active_modes()       # (a permanent base mode may sit there: quantization's)
    p = profile()
    p.start()
    with DispatchMode():
        p.stop()
    assert active_modes() == before
