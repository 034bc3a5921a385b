"""Devices (issue 19): ``.to(device, non_blocking=...)``, ``.cuda()``, ``.cpu()``,
``pin_memory``, DataLoader ``pin_memory=True``, the "same device" error, ``ember.cuda``,
and save/load ``map_location``.

Tests marked ``cuda`` run on a GPU through CuPy (bench/gpu_check.sh runs them) and are
skipped without one; the others check the behaviour on a machine without CUDA, where
ember must answer as a CPU-only PyTorch does.
"""
import io
import types

import numpy as np
import pytest

import ember
from ember import backend

needs_no_cuda = pytest.mark.skipif(ember.cuda.is_available(), reason="CPU-only behaviour")
NO_CUDA = "Torch not compiled with CUDA enabled"


# -- without a GPU ------------------------------------------------------------------------

@needs_no_cuda
def test_cuda_queries_report_no_device():
    c = ember.cuda
    assert c.is_available() is False and c.device_count() == 0
    for fn in (c.current_device, c.Stream, c.Event, c.current_stream, c.default_stream,
               lambda: c.set_device(0), c.get_device_name, c.mem_get_info):
        with pytest.raises(AssertionError, match=NO_CUDA):
            fn()
    with c.device(-1), c.device(None), c.stream(None):      # no-op contexts, as torch's
        pass
    c.manual_seed(1)
    c.manual_seed_all(1)
    c.synchronize()
    c.empty_cache()
    assert c.memory_allocated() == 0 and c.memory_stats()["reserved_bytes.all.current"] == 0


@needs_no_cuda
def test_moving_to_cuda_raises_torchs_error():
    x = ember.ones(3)
    for move in (lambda: x.cuda(), lambda: x.cuda(0, non_blocking=True),
                 lambda: x.to("cuda"), lambda: x.to("cuda:0", non_blocking=True),
                 lambda: x.to(ember.device("cuda"), ember.float64, True),
                 lambda: ember.zeros(2, device="cuda")):
        with pytest.raises(AssertionError, match=NO_CUDA):
            move()


def test_cpu_moves_are_identity_and_keep_flags():
    x = ember.arange(6.0).reshape(2, 3).requires_grad_()
    assert x.cpu() is x and x.to("cpu") is x and x.to("cpu", non_blocking=True) is x
    y = x.to("cpu", ember.float64, True)            # device, dtype, non_blocking by position
    assert y.dtype == ember.float64 and y.requires_grad
    assert x.to(ember.device("cpu"), copy=True) is not x
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        x.to("cpu", bogus=1)


@needs_no_cuda
def test_pin_memory_without_cuda_matches_torch():
    x = ember.ones(3)
    assert x.is_pinned() is False
    with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
        x.pin_memory()


@needs_no_cuda
def test_dataloader_pin_memory_warns_and_yields_plain_tensors():
    loader = ember.utils.data.DataLoader(ember.arange(4.0), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning, match="no accelerator is found"):
        batches = list(loader)
    assert [b.tolist() for b in batches] == [[0.0, 1.0], [2.0, 3.0]]
    assert not any(b.is_pinned() for b in batches)


@needs_no_cuda
def test_load_onto_cuda_without_cuda_names_the_fix():
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2)}, buf)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="map_location=ember.device\\('cpu'\\)"):
        ember.load(buf, map_location="cuda")


def test_mixed_devices_message_names_both_devices(monkeypatch):
    """backend.mixed_devices (called only after an op failed) with a stand-in device array
    type: the first two distinct devices, in argument order, as PyTorch's message."""
    class DeviceArray:
        def __init__(self, index):
            self.device = types.SimpleNamespace(id=index)
    fake = types.SimpleNamespace(ndarray=DeviceArray)
    monkeypatch.setattr(backend, "_cupy", fake)
    host = np.zeros(2)
    assert backend.mixed_devices([host, np.ones(1)]) is None
    assert backend.mixed_devices([host, DeviceArray(0)]) == ("cpu", "cuda:0")
    assert backend.mixed_devices([DeviceArray(1), 3.0, host]) == ("cuda:1", "cpu")
    assert backend.mixed_devices([DeviceArray(0), DeviceArray(1)]) == ("cuda:0", "cuda:1")


def test_other_type_errors_are_not_device_errors():
    with pytest.raises(TypeError):
        ember.ones(2) + "a"


# -- on a GPU (bench/gpu_check.sh) ---------------------------------------------------------

@pytest.mark.cuda
def test_round_trip_and_device_attributes():
    x = ember.arange(6.0).reshape(2, 3)
    g = x.cuda()
    assert g.is_cuda and g.device == ember.device("cuda", 0) and str(g.device) == "cuda:0"
    assert g.get_device() == 0 and g.cuda() is g and g.to("cuda:0") is g
    assert type(g._data).__module__.startswith("cupy")
    back = g.cpu()
    assert not back.is_cuda and back.tolist() == x.tolist()
    assert ember.ones(2, device="cuda").is_cuda
    assert ember.zeros(2, 2).to("cuda", ember.float16).dtype == ember.float16


@pytest.mark.cuda
def test_ops_and_gradients_stay_on_the_gpu():
    ember.manual_seed(0)
    w = ember.randn(4, 3, device="cuda", requires_grad=True)
    x = ember.randn(5, 3).cuda()
    loss = ember.nn.functional.cross_entropy(x @ w.T, ember.tensor([0, 1, 2, 3, 0]).cuda())
    loss.backward()
    assert w.grad.is_cuda and loss.is_cuda
    ref_w = w.detach().cpu().requires_grad_()
    ref = ember.nn.functional.cross_entropy(x.cpu() @ ref_w.T, ember.tensor([0, 1, 2, 3, 0]))
    ref.backward()
    np.testing.assert_allclose(w.grad.cpu().numpy(), ref_w.grad.numpy(), rtol=1e-5, atol=1e-6)
    grad_through_move = ember.ones(3, requires_grad=True)
    (grad_through_move.cuda() * 2).sum().backward()
    assert not grad_through_move.grad.is_cuda and grad_through_move.grad.tolist() == [2.0] * 3


@pytest.mark.cuda
def test_mixed_devices_raise_torchs_error_and_cpu_scalars_join():
    a, b = ember.ones(3, device="cuda"), ember.ones(3)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, "
                                           "but found at least two devices, cuda:0 and cpu!"):
        a + b
    with pytest.raises(RuntimeError, match="cpu and cuda:0!"):
        ember.matmul(ember.ones(2, 3), ember.ones(3, 2, device="cuda"))
    out = a * ember.tensor(2.0)            # a 0-d CPU tensor is a scalar to a CUDA op
    assert out.is_cuda and out.cpu().tolist() == [2.0] * 3


@pytest.mark.cuda
def test_pinned_memory_and_non_blocking_copies():
    x = ember.arange(8.0)
    p = x.pin_memory()
    assert p.is_pinned() and not x.is_pinned() and p.pin_memory() is p
    assert p.tolist() == x.tolist()
    g = p.to("cuda", non_blocking=True)
    ember.cuda.synchronize()
    assert g.cpu().tolist() == x.tolist()
    loader = ember.utils.data.DataLoader(ember.utils.data.TensorDataset(
        ember.arange(6.0), ember.arange(6)), batch_size=3, pin_memory=True)
    for xb, yb in loader:
        assert xb.is_pinned() and yb.is_pinned()


@pytest.mark.cuda
def test_cuda_module_on_cupy():
    c = ember.cuda
    assert c.device_count() >= 1 and c.current_device() == 0
    assert isinstance(c.get_device_name(), str) and len(c.get_device_capability()) == 2
    with c.device(0):
        assert c.current_device() == 0
    s = c.Stream()
    start, end = c.Event(enable_timing=True), c.Event(enable_timing=True)
    with c.stream(s):
        assert c.current_stream() == s
        start.record()
        y = (ember.randn(256, 256, device="cuda") @ ember.randn(256, 256, device="cuda")).sum()
        end.record()
    end.synchronize()
    s.synchronize()
    assert s.query() is True and start.elapsed_time(end) >= 0.0
    c.synchronize()
    assert np.isfinite(y.item())
    before = c.memory_allocated()
    big = ember.empty(1 << 20, device="cuda")
    assert c.memory_allocated() >= before + 4 * (1 << 20) and c.max_memory_allocated() > 0
    del big
    c.empty_cache()
    c.manual_seed_all(0)
    a = ember.randn(3, device="cuda")
    c.manual_seed(0)
    assert a.cpu().tolist() == ember.randn(3, device="cuda").cpu().tolist()


@pytest.mark.cuda
def test_save_and_load_between_devices():
    buf = io.BytesIO()
    ember.save({"w": ember.arange(4.0, device="cuda")}, buf)
    buf.seek(0)
    on_gpu = ember.load(buf)
    assert on_gpu["w"].is_cuda
    buf.seek(0)
    on_cpu = ember.load(buf, map_location="cpu")
    assert not on_cpu["w"].is_cuda and on_cpu["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    buf2 = io.BytesIO()
    ember.save({"w": ember.arange(3.0)}, buf2)
    buf2.seek(0)
    assert ember.load(buf2, map_location={"cpu": "cuda:0"})["w"].is_cuda


@pytest.mark.cuda
def test_module_and_optimizer_train_on_the_gpu():
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Conv2d(3, 4, 3, padding=1), ember.nn.BatchNorm2d(4),
                                ember.nn.ReLU(), ember.nn.Flatten(), ember.nn.Linear(64, 2))
    model.to("cuda")
    assert all(p.is_cuda for p in model.parameters()) and model[1].running_mean.is_cuda
    opt = ember.optim.Adam(model.parameters(), lr=1e-2)
    x, y = ember.randn(8, 3, 4, 4, device="cuda"), ember.tensor([0, 1] * 4, device="cuda")
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = ember.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert all(v.is_cuda for s in opt.state.values() for k, v in s.items()
               if isinstance(v, ember.Tensor) and k != "step")
