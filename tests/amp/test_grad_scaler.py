"""ember.amp.GradScaler against torch.amp.GradScaler("cpu") on the same gradients."""
import math
import pickle
from contextlib import nullcontext

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _model(L):
    L.manual_seed(0)
    return L.nn.Linear(3, 2)


# gradient multipliers per step: inf/nan at some steps (skipped), growth every 3 good steps
PATTERN = [1.0, 1.0, 1.0, math.inf, 1.0, 1.0, 1.0, 1.0, math.nan, 1.0, 1.0, 1.0, 1.0]


def _train(L, clip):
    m = _model(L)
    if L is torch:
        m.load_state_dict({k: torch.tensor(v.numpy()) for k, v in _model(ember).state_dict().items()})
    opt = L.optim.SGD(m.parameters(), lr=0.1)
    scaler = L.amp.GradScaler("cpu", init_scale=2.0 ** 4, growth_interval=3)
    x = L.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
    scales, skipped, weights, trackers = [], [], [], []
    for bad in PATTERN:
        opt.zero_grad()
        loss = (m(x) ** 2).mean() * bad
        scaler.scale(loss).backward()
        before = m.weight.detach().clone()
        if clip:
            scaler.unscale_(opt)
            L.nn.utils.clip_grad_norm_(m.parameters(), 0.05)
        scaler.step(opt)
        scaler.update()
        skipped.append(bool((m.weight.detach() == before).all()))
        scales.append(scaler.get_scale())
        trackers.append(scaler._get_growth_tracker())
        weights.append(m.weight.detach().numpy().copy())
    return scales, skipped, trackers, weights, scaler.state_dict()


@pytest.mark.parametrize("clip", [False, True])
def test_scales_and_skipped_steps_as_torch(clip):
    e = _train(ember, clip)
    t = _train(torch, clip)
    assert e[0] == t[0]
    assert e[1] == t[1]
    assert e[1][3] and e[1][8] and not e[1][0]
    assert e[2] == t[2]
    for a, b in zip(e[3], t[3]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert e[4] == t[4]


def test_errors_as_torch():
    for L in (ember, torch):
        m = L.nn.Linear(2, 1)
        opt = L.optim.SGD(m.parameters(), lr=0.1)
        s = L.amp.GradScaler("cpu")
        with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
            s.step(opt)
        s.scale(m(L.ones(1, 2)).sum()).backward()
        s.unscale_(opt)
        with pytest.raises(RuntimeError, match=r"unscale_\(\) has already been called on this "
                                               r"optimizer since the last update\(\)"):
            s.unscale_(opt)
        s.step(opt)
        with pytest.raises(RuntimeError, match=r"unscale_\(\) is being called after step\(\)"):
            s.unscale_(opt)
        with pytest.raises(RuntimeError, match=r"step\(\) has already been called since the "
                                               r"last update\(\)"):
            s.step(opt)
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            s.step(opt, closure=lambda: 0)
        s.update()
        with pytest.raises(AssertionError, match="The growth factor must be > 1.0"):
            L.amp.GradScaler("cpu", growth_factor=1.0)
        with pytest.raises(AssertionError, match="The backoff factor must be < 1.0"):
            L.amp.GradScaler("cpu", backoff_factor=1.0)
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            L.amp.GradScaler("cpu").load_state_dict({})


def test_fp16_grads_rejected_and_update_new_scale():
    p = ember.nn.Parameter(ember.ones(2, dtype=ember.float16))
    opt = ember.optim.SGD([p], lr=0.1)
    s = ember.amp.GradScaler("cpu")
    s.scale((p * 2).sum()).backward()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients."):
        s.unscale_(opt)
    s.update(new_scale=8.0)
    assert s.get_scale() == 8.0


def test_state_dict_round_trip_and_pickle():
    s = ember.amp.GradScaler("cpu", init_scale=4.0, growth_interval=7)
    m = ember.nn.Linear(2, 1)
    s.scale(m(ember.ones(1, 2)).sum())
    sd = s.state_dict()
    assert sd == {"scale": 4.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                  "growth_interval": 7, "_growth_tracker": 0}
    s2 = ember.amp.GradScaler("cpu")
    s2.load_state_dict(sd)
    assert s2.state_dict() == sd
    s3 = pickle.loads(pickle.dumps(s))
    assert s3.get_scale() == 4.0


def test_disabled_and_cuda_alias():
    s = ember.amp.GradScaler("cpu", enabled=False)
    loss = ember.ones(())
    assert s.scale(loss) is loss and s.get_scale() == 1.0 and s.state_dict() == {}
    no_cuda = (pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not "
                            "available") if not ember.cuda.is_available() else nullcontext())
    with pytest.warns(FutureWarning, match=r"ember.cuda.amp.GradScaler\(args...\)` is "
                                           "deprecated"), no_cuda:
        g = ember.cuda.amp.GradScaler()
    if not ember.cuda.is_available():
        assert not g.is_enabled()          # torch disables it, with a warning, without CUDA
    assert isinstance(g, ember.amp.GradScaler)


def test_scale_iterables():
    s = ember.amp.GradScaler("cpu", init_scale=2.0)
    out = s.scale([ember.ones(2), (ember.ones(1),)])
    assert out[0].tolist() == [2.0, 2.0] and out[1][0].tolist() == [2.0]
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        s.scale(3)
