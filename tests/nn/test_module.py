"""nn.Module, Parameter, containers, hooks, state_dict and Linear against PyTorch."""
from collections import OrderedDict
import copy
import pickle

import numpy as np
import pytest

import ember
import ember.nn as nn
from helpers import torch, needs_torch, assert_close, copy_state


def _repr_e(m):
    return repr(m)


def _repr_t(m):
    return repr(m).replace("torch", "ember")


# -- registration ------------------------------------------------------------------------------

class Net(nn.Module):
    def __init__(self, lib_nn):
        super().__init__()
        self.fc1 = lib_nn.Linear(4, 8)
        self.act = lib_nn.ReLU() if hasattr(lib_nn, "ReLU") else lib_nn.Identity()
        self.fc2 = lib_nn.Linear(8, 2, bias=False)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


def test_registration_and_iteration():
    m = Net(nn)
    names = [n for n, _ in m.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight"]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "act", "fc2"]
    assert len(list(m.parameters())) == 3
    assert m.fc2.bias is None
    m.register_buffer("stat", ember.zeros(3))
    m.register_buffer("scratch", ember.ones(1), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["stat", "scratch"]
    assert list(m.state_dict().keys()) == ["stat", "fc1.weight", "fc1.bias", "fc2.weight"]
    del m.fc2
    assert "fc2" not in dict(m.named_children())
    with pytest.raises(AttributeError):
        m.fc2


def test_shared_parameters_yielded_once():
    lin = nn.Linear(3, 3)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert [n for n, _ in seq.named_modules()] == ["", "0"]


def test_assignment_errors():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError):
        m.weight = ember.ones(2, 2)  # a plain tensor cannot replace a parameter
    m.weight = nn.Parameter(ember.ones(2, 2))
    assert m.weight.requires_grad
    with pytest.raises(KeyError):
        m.register_buffer("a.b", ember.ones(1))
    with pytest.raises(KeyError):
        m.register_parameter("weight2", None) or m.register_buffer("in_features", ember.ones(1))

    class Early(nn.Module):
        def __init__(self):
            self.p = nn.Parameter(ember.ones(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_buffer_marker_registers():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.b = nn.Buffer(ember.ones(2))
            self.nb = nn.Buffer(ember.ones(2), persistent=False)
    m = M()
    assert list(m.state_dict()) == ["b"]
    assert type(m.b) is ember.Tensor


def test_parameter_basics():
    p = nn.Parameter(ember.tensor([1.0, 2.0]))
    assert isinstance(p, ember.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.], requires_grad=True)")
    q = nn.Parameter(ember.ones(2), requires_grad=False)
    assert not q.requires_grad
    d = copy.deepcopy(p)
    assert isinstance(d, nn.Parameter) and d is not p and d.tolist() == [1.0, 2.0]
    r = pickle.loads(pickle.dumps(p))
    assert isinstance(r, nn.Parameter) and r.requires_grad


# -- modes, grads, conversion -------------------------------------------------------------------

def test_train_eval_zero_grad_requires_grad():
    m = Net(nn)
    assert m.training and m.fc1.training
    m.eval()
    assert not m.training and not m.fc1.training
    m.train()
    assert m.fc2.training
    m(ember.randn(3, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_to_dtype_keeps_parameter_identity():
    m = nn.Linear(2, 2)
    w = m.weight
    m.register_buffer("count", ember.tensor(3))
    m.double()
    assert m.weight is w and m.weight.dtype == ember.float64
    assert m.count.dtype == ember.int64  # integer buffers keep their dtype
    m.to(ember.float32)
    assert m.weight.dtype == ember.float32
    m.to("cpu")
    with pytest.raises(TypeError):
        m.to(ember.int64)


def test_apply_get_submodule_get_parameter():
    m = nn.Sequential(OrderedDict(block=nn.Sequential(nn.Linear(2, 2))))
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Sequential", "Sequential"]
    assert isinstance(m.get_submodule("block.0"), nn.Linear)
    assert m.get_parameter("block.0.bias") is m.block[0].bias
    with pytest.raises(AttributeError):
        m.get_submodule("block.1")


# -- state_dict ----------------------------------------------------------------------------------

def test_load_state_dict_errors_and_result():
    m = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as err:
        m.load_state_dict({"weight": ember.ones(3, 3), "bias": ember.ones(3), "x": ember.ones(1)})
    msg = str(err.value)
    assert "Error(s) in loading state_dict for Linear" in msg
    assert 'Unexpected key(s) in state_dict: "x"' in msg
    assert ("size mismatch for weight: copying a param with shape ember.Size([3, 3]) from "
            "checkpoint, the shape in current model is ember.Size([3, 2]).") in msg
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
        m.load_state_dict({"weight": ember.ones(3, 2)})
    res = m.load_state_dict({"weight": ember.ones(3, 2), "x": ember.ones(1)}, strict=False)
    assert res.missing_keys == ["bias"] and res.unexpected_keys == ["x"]
    assert m.weight.tolist() == [[1.0, 1.0]] * 3
    assert repr(m.load_state_dict(m.state_dict())) == "<All keys matched successfully>"


def test_state_dict_detached_and_keep_vars():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert not sd["weight"].requires_grad
    assert np.shares_memory(sd["weight"].numpy(), m.weight.detach().numpy())
    assert m.state_dict(keep_vars=True)["weight"] is m.weight


@needs_torch
def test_state_dict_keys_match_torch_nested():
    def build(lib_nn):
        return lib_nn.Sequential(lib_nn.Linear(2, 3), lib_nn.Sequential(lib_nn.Linear(3, 3)),
                                 lib_nn.ModuleList([lib_nn.Linear(3, 1)]),
                                 lib_nn.ModuleDict({"head": lib_nn.Linear(1, 1, bias=False)}))
    e, t = build(nn), build(torch.nn)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert [tuple(v.shape) for v in e.state_dict().values()] == \
        [tuple(v.shape) for v in t.state_dict().values()]
    assert _repr_e(e) == _repr_t(t)


# -- containers ----------------------------------------------------------------------------------

def test_sequential_three_ways_and_list_ops():
    a = nn.Sequential(nn.Linear(2, 2), nn.Identity())
    b = nn.Sequential(OrderedDict([("lin", nn.Linear(2, 2)), ("id", nn.Identity())]))
    c = nn.Sequential()
    c.add_module("lin", nn.Linear(2, 2))
    c.append(nn.Identity())
    assert [n for n, _ in a.named_children()] == ["0", "1"]
    assert [n for n, _ in b.named_children()] == ["lin", "id"]
    assert [n for n, _ in c.named_children()] == ["lin", "1"]
    assert len(a) == 2 and isinstance(a[0], nn.Linear) and isinstance(a[-1], nn.Identity)
    assert isinstance(a[:1], nn.Sequential) and len(a[:1]) == 1
    a.insert(1, nn.Linear(2, 2))
    assert [type(m).__name__ for m in a] == ["Linear", "Linear", "Identity"]
    a.extend(nn.Sequential(nn.Identity()))
    assert len(a) == 4
    del a[0]
    assert [n for n, _ in a.named_children()] == ["0", "1", "2"]
    x = ember.randn(3, 2)
    assert a(x).shape == (3, 2)


def test_module_list_dict_parameter_list_dict():
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    ml.append(nn.Identity())
    assert len(ml) == 4 and isinstance(ml[-1], nn.Identity)
    assert len(list(ml.parameters())) == 6
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.Identity()
    assert list(md.keys()) == ["a", "b"] and "a" in md
    pl = nn.ParameterList([ember.ones(2), nn.Parameter(ember.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    pd = nn.ParameterDict({"w": ember.ones(2)})
    assert isinstance(pd["w"], nn.Parameter)
    holder = nn.Module()
    holder.pl, holder.pd = pl, pd
    assert [n for n, _ in holder.named_parameters()] == ["pl.0", "pl.1", "pd.w"]


@needs_torch
def test_container_reprs_match_torch():
    def build(lib, lib_nn):
        return (lib_nn.ModuleList([lib_nn.Linear(1, 1), lib_nn.Linear(1, 1), lib_nn.Identity(),
                                   lib_nn.Linear(1, 1)]),
                lib_nn.ModuleDict({"a": lib_nn.Identity()}),
                lib_nn.ParameterList([lib_nn.Parameter(lib.ones(2))]),
                lib_nn.ParameterDict({"a": lib_nn.Parameter(lib.ones(2, 3))}),
                lib_nn.Sequential(), lib_nn.Flatten(), lib_nn.Unflatten(1, (2, 3)),
                lib_nn.Bilinear(2, 3, 4), lib_nn.Identity(54, unused="x"))
    for e, t in zip(build(ember, nn), build(torch, torch.nn)):
        assert _repr_e(e) == _repr_t(t)


# -- hooks ---------------------------------------------------------------------------------------

def test_forward_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    y = m(ember.ones(1, 2))
    assert calls == [(1, 2)]
    assert np.allclose(y.detach().numpy(), m.bias.detach().numpy() + 1)
    h1.remove()
    h2.remove()
    y = m(ember.ones(1, 2))
    assert calls == [(1, 2)]
    kw = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: kw.append(sorted(kwargs)),
                                with_kwargs=True)
    m(ember.ones(1, 2))
    assert kw == [[]]


@needs_torch
def test_full_backward_hook_matches_torch():
    def run(lib, lib_nn):
        lin = lib_nn.Linear(3, 2)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3)))
            lin.bias.fill_(0.5)
        seen = []

        def hook(mod, grad_input, grad_output):
            seen.append((grad_input[0].detach().numpy().copy(),
                         grad_output[0].detach().numpy().copy()))
            return (grad_input[0] * 2,)
        lin.register_full_backward_hook(hook)
        x = lib.tensor(np.ones((4, 3), np.float32), requires_grad=True)
        (lin(x) * lib.tensor([1.0, -1.0])).sum().backward()
        return seen, x.grad.numpy()
    (se, xe), (st, xt) = run(ember, nn), run(torch, torch.nn)
    assert len(se) == len(st) == 1
    np.testing.assert_allclose(se[0][0], st[0][0])
    np.testing.assert_allclose(se[0][1], st[0][1])
    np.testing.assert_allclose(xe, xt)


def test_backward_hook_without_input_grad():
    lin = nn.Linear(2, 1)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    lin(ember.ones(3, 2)).sum().backward()
    assert seen == [((None,), (3, 1))]


# -- Linear ----------------------------------------------------------------------------------

@needs_torch
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (2, 3, 2, 4), (2, 0, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_parity(shape, bias):
    t = torch.nn.Linear(4, 3, bias=bias)
    e = nn.Linear(4, 3, bias=bias)
    copy_state(e, t)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = e(xe), t(xt)
    assert_close(ye, yt, rtol=1e-5, atol=1e-6)
    w = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    assert_close(xe.grad, xt.grad, rtol=1e-5, atol=1e-5)
    assert_close(e.weight.grad, t.weight.grad, rtol=1e-5, atol=1e-5)
    if bias:
        assert_close(e.bias.grad, t.bias.grad, rtol=1e-5, atol=1e-5)
    assert list(e.state_dict()) == list(t.state_dict())
    assert _repr_e(e) == _repr_t(t)


def test_linear_gradcheck_and_double_backward():
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((2, 4)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(2), requires_grad=True)
    F = nn.functional
    assert ember.autograd.gradcheck(lambda x, w, b: F.linear(x, w, b), (x, w, b))
    assert ember.autograd.gradgradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), (x, w, b))


def test_linear_errors():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(64x10 and 20x5\)"):
        nn.functional.linear(ember.ones(64, 10), ember.ones(5, 20))
    with pytest.raises(RuntimeError):
        nn.Linear(2, 2)(ember.ones(2, 2, dtype=ember.float64))


def test_linear_default_init_bounds():
    ember.manual_seed(0)
    m = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound


# -- init ----------------------------------------------------------------------------------------

@needs_torch
def test_calculate_gain_matches_torch():
    for nl, p in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                  ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert nn.init.calculate_gain(nl, p) == pytest.approx(torch.nn.init.calculate_gain(nl, p))
    with pytest.raises(ValueError):
        nn.init.calculate_gain("bogus")


@pytest.mark.parametrize("name,kwargs,expected_std", [
    ("xavier_uniform_", {}, np.sqrt(2.0 / (200 + 100))),
    ("xavier_normal_", {}, np.sqrt(2.0 / (200 + 100))),
    ("kaiming_uniform_", {"nonlinearity": "relu"}, np.sqrt(2.0) / np.sqrt(200)),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, np.sqrt(2.0) / np.sqrt(100)),
    ("normal_", {"std": 0.02}, 0.02),
    ("trunc_normal_", {"std": 0.5, "a": -100.0, "b": 100.0}, 0.5),
])
def test_init_distributions(name, kwargs, expected_std):
    ember.manual_seed(0)
    w = ember.empty(100, 200)
    getattr(nn.init, name)(w, **kwargs)
    assert abs(float(w.std()) - expected_std) < 0.03 * expected_std


def test_init_misc():
    w = ember.empty(3, 5)
    nn.init.eye_(w)
    assert w.tolist()[1] == [0.0, 1.0, 0.0, 0.0, 0.0]
    nn.init.constant_(w, 0.3)
    assert np.allclose(w.numpy(), 0.3)
    nn.init.trunc_normal_(w, a=-0.1, b=0.1)
    assert np.abs(w.numpy()).max() <= 0.1
    q = ember.empty(4, 6)
    nn.init.orthogonal_(q)
    assert np.allclose(q.numpy() @ q.numpy().T, np.eye(4), atol=1e-5)
    c = ember.empty(2, 2, 3, 3)
    nn.init.dirac_(c)
    assert c.numpy()[1, 1, 1, 1] == 1 and c.numpy().sum() == 2
    leaf = ember.ones(2, requires_grad=True)
    nn.init.zeros_(leaf)  # initialisers run under no_grad, so leaves are fine
    assert leaf.tolist() == [0.0, 0.0] and leaf.requires_grad


# -- utils -----------------------------------------------------------------------------------

@needs_torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
def test_clip_grad_norm_matches_torch(norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) * 3 for s in [(3, 4), (5,)]]
    pe = [nn.Parameter(ember.zeros(*g.shape)) for g in grads]
    pt = [torch.nn.Parameter(torch.zeros(*g.shape)) for g in grads]
    for p, g in zip(pe, grads):
        p.grad = ember.tensor(g)
    for p, g in zip(pt, grads):
        p.grad = torch.tensor(g)
    ne = nn.utils.clip_grad_norm_(pe, 1.0, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(pt, 1.0, norm_type)
    assert_close(ne, nt, rtol=1e-5)
    for a, b in zip(pe, pt):
        assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-6)


def test_clip_grad_value_and_nonfinite():
    p = nn.Parameter(ember.zeros(3))
    p.grad = ember.tensor([-5.0, 0.5, 5.0])
    nn.utils.clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]
    p.grad = ember.tensor([float("nan"), 1.0, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_parameters_vector_round_trip():
    m = nn.Linear(3, 2)
    v = nn.utils.parameters_to_vector(m.parameters())
    assert v.shape == (8,)
    nn.utils.vector_to_parameters(ember.arange(8.0), m.parameters())
    assert m.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and m.bias.tolist() == [6.0, 7.0]
