"""The torch.* switches ordinary programs touch: backends, accelerator, cuda on a CPU,
compile/_dynamo, threads and precision, random, futures, testing.assert_close."""
import threading

import numpy as np
import pytest

import ember


def test_backends_flags_keep_values_and_defaults():
    cudnn = ember.backends.cudnn
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (True, False, False)
    cudnn.benchmark = True
    try:
        assert ember.backends.cudnn.benchmark is True
    finally:
        cudnn.benchmark = False
    with cudnn.flags(enabled=False, deterministic=True):
        assert cudnn.enabled is False and cudnn.deterministic is True
    assert cudnn.enabled is True and cudnn.deterministic is False
    assert cudnn.is_available() == (ember.cuda.is_available() and cudnn.is_available())
    assert ember.backends.mps.is_available() is False and ember.backends.mps.is_built() is False
    assert ember.backends.mkldnn.is_available() is False
    assert ember.backends.cpu.get_cpu_capability() == "DEFAULT"
    with pytest.raises(AttributeError, match="torch.backends.nosuch"):
        ember.backends.nosuch


def test_matmul_precision_and_allow_tf32_are_one_setting():
    assert ember.get_float32_matmul_precision() == "highest"
    assert ember.backends.cuda.matmul.allow_tf32 is False
    try:
        ember.set_float32_matmul_precision("high")
        assert ember.backends.cuda.matmul.allow_tf32 is True
        ember.backends.cuda.matmul.allow_tf32 = False
        assert ember.get_float32_matmul_precision() == "highest"
    finally:
        ember.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="Invalid precision"):
        ember.set_float32_matmul_precision("low")


def test_determinism_switch():
    assert ember.are_deterministic_algorithms_enabled() is False
    ember.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert ember.are_deterministic_algorithms_enabled()
        assert ember.is_deterministic_algorithms_warn_only_enabled()
        assert ember.get_deterministic_debug_mode() == 1
    finally:
        ember.use_deterministic_algorithms(False)
    assert ember.get_deterministic_debug_mode() == 0


def test_threads():
    n = ember.get_num_threads()
    assert isinstance(n, int) and n >= 1
    ember.set_num_threads(1)
    try:
        assert ember.get_num_threads() == 1
        a = ember.randn(300, 300)
        np.testing.assert_allclose((a @ a).numpy(), a.numpy() @ a.numpy(), rtol=1e-4, atol=1e-3)
    finally:
        ember.set_num_threads(n)
    with pytest.raises(RuntimeError):
        ember.set_num_threads(0)
    assert ember.get_num_interop_threads() == 1


def test_accelerator_and_cuda_on_cpu():
    if ember.cuda.is_available():
        pytest.skip("CPU-only behaviour")
    acc = ember.accelerator
    assert acc.is_available() is False and acc.current_accelerator() is None
    assert acc.device_count() == 0
    with pytest.raises(RuntimeError, match="not available"):
        acc.current_device_index()
    cuda = ember.cuda
    cuda.manual_seed_all(3)
    cuda.synchronize()
    cuda.empty_cache()
    assert cuda.memory_allocated() == cuda.max_memory_allocated() == 0
    assert cuda.memory_reserved() == 0 and cuda.memory_stats()["allocated_bytes.all.peak"] == 0
    cuda.reset_peak_memory_stats()
    assert acc.memory_allocated() == 0


def test_compile_runs_the_model_with_torch_kwargs():
    m = ember.nn.Linear(3, 2)
    c = ember.compile(m, mode="reduce-overhead", fullgraph=True, dynamic=False,
                      backend="inductor")
    x = ember.randn(4, 3)
    np.testing.assert_array_equal(c(x).detach().numpy(), m(x).detach().numpy())
    assert c._orig_mod is m and c.in_features == 3
    assert list(c.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]
    assert type(c).__name__ == "OptimizedModule" and isinstance(c, ember.nn.Module)

    @ember.compile(mode="max-autotune")
    def f(a):
        return a * 2
    assert float(f(ember.tensor(2.0))) == 4.0 and f.__name__ == "f"
    assert ember.compile(m, disable=True) is m
    with pytest.raises(RuntimeError, match="Unrecognized mode"):
        ember.compile(m, mode="fast")
    assert ember._dynamo.disable(len) is len and ember._dynamo.reset() is None
    assert ember._dynamo.is_compiling() is False and ember.compiler.is_compiling() is False
    ember._dynamo.config.suppress_errors = True


def test_random_namespace():
    ember.random.manual_seed(5)
    a = ember.rand(3)
    state = ember.random.get_rng_state()
    b = ember.rand(3)
    ember.random.set_rng_state(state)
    np.testing.assert_array_equal(ember.rand(3).numpy(), b.numpy())
    with ember.random.fork_rng():
        ember.rand(10)
    np.testing.assert_array_equal(ember.random.get_rng_state().numpy(),
                                  ember.random.get_rng_state().numpy())
    assert ember.random.initial_seed() == 5 and not np.array_equal(a.numpy(), b.numpy())


def test_futures():
    F = ember.futures
    f = F.Future()
    chained = f.then(lambda fut: fut.value() + 1)
    assert not f.done()
    threading.Timer(0.01, f.set_result, (41,)).start()
    assert f.wait() == 41 and chained.wait() == 42
    with pytest.raises(RuntimeError, match="only be marked completed once"):
        f.set_result(1)
    bad = F.Future()
    bad.set_exception(ValueError("x"))
    with pytest.raises(ValueError):
        bad.wait()
    fs = [F.Future() for _ in range(3)]
    all_done = F.collect_all(fs)
    for i, x in enumerate(fs):
        x.set_result(i)
    assert [x.value() for x in all_done.wait()] == [0, 1, 2]
    assert F.wait_all(fs) == [0, 1, 2]


def test_assert_close_messages_match_torch():
    torch = pytest.importorskip("torch")
    cases = [([1., 2., 3.], [1., 2.5, 3.1]), ([1, 2, 3], [1, 5, 3])]
    for a, b in cases:
        msgs = []
        for lib in (torch, ember):
            with pytest.raises(AssertionError) as err:
                lib.testing.assert_close(lib.tensor(a), lib.tensor(b))
            msgs.append(str(err.value))
        assert msgs[0] == msgs[1]
    for lib in (torch, ember):
        with pytest.raises(AssertionError, match=r"The failure occurred for item \['a'\]\[1\]"):
            lib.testing.assert_close({"a": [lib.ones(1), lib.ones(1)]},
                                     {"a": [lib.ones(1), lib.zeros(1)]})
        with pytest.raises(AssertionError, match="attribute 'dtype'"):
            lib.testing.assert_close(lib.tensor([1, 2]), lib.tensor([1., 2.]))
        lib.testing.assert_close(lib.tensor([1, 2]), lib.tensor([1., 2.]), check_dtype=False)
        lib.testing.assert_close(lib.tensor([float("nan")]), lib.tensor([float("nan")]),
                                 equal_nan=True)
        with pytest.raises(AssertionError, match="Scalars are not close"):
            lib.testing.assert_close(1.0, 1.1)
        with pytest.raises(AssertionError, match="custom"):
            lib.testing.assert_close(lib.ones(1), lib.zeros(1), msg="custom")


def test_flatten_parameters_is_a_noop():
    for cls in (ember.nn.RNN, ember.nn.LSTM, ember.nn.GRU):
        m = cls(3, 4)
        before = [p.detach().numpy().copy() for p in m.parameters()]
        assert m.flatten_parameters() is None
        for b, p in zip(before, m.parameters()):
            np.testing.assert_array_equal(b, p.detach().numpy())
