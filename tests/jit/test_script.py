"""ember.jit.script: data-dependent if / while / for over a shape kept as control flow."""
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember import nn


class Controlled(nn.Module):
    scale: ember.jit.Final[float] = 2.0

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
        self.out = nn.Linear(4, 2)

    def forward(self, x):
        for layer in self.layers:              # unrolled, as TorchScript does
            x = layer(x).relu()
        if x.sum() > 1.0:                      # data-dependent: both branches kept
            y = x * self.scale
        else:
            y = x - 100
        while y.abs().max() > 1:               # data-dependent trip count
            y = y / 2
        acc = ember.zeros(2)
        for _i in range(x.size(0)):             # a loop over the batch size
            acc = acc * 0.5 + self.out(y).sum(0)
        if ember.jit.is_scripting():
            acc = acc + 0
        return acc


def _inputs():
    ember.manual_seed(3)
    return [ember.randn(5, 4) * 10, -ember.ones(2, 4) * 5, ember.randn(1, 4), ember.randn(7, 4)]


def test_script_keeps_control_flow(tmp_path):
    ember.manual_seed(0)
    m = Controlled()
    with ember.no_grad():
        m.layers[1].bias.fill_(-1.0)
    sm = ember.jit.script(m)
    xs = _inputs()
    with ember.no_grad():
        sm(xs[0])                              # builds the graph
        ops = [n.op for n in sm.graph.nodes]
        assert ops.count("prim:If") == 1 and ops.count("prim:Loop") == 2
        took = set()
        for x in xs:
            h = m.layers[1](m.layers[0](x).relu()).relu()
            took.add(bool(h.sum() > 1.0))
            np.testing.assert_allclose(sm(x).numpy(), m(x).numpy(), rtol=1e-5, atol=1e-6)
        assert took == {True, False}           # both branches of the if were taken
    path = tmp_path / "s.pt"
    sm.save(str(path))
    ember.save({"x": xs[3], "want": m(xs[3]).detach()}, str(tmp_path / "io.pt"))
    code = (f"import ember, numpy as np\nm = ember.jit.load({str(path)!r})\n"
            f"d = ember.load({str(tmp_path / 'io.pt')!r})\n"
            "np.testing.assert_allclose(m(d['x']).detach().numpy(), d['want'].numpy(), "
            "rtol=1e-5, atol=1e-6)\nprint('OK')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_script_function_and_ignore():
    @ember.jit.ignore
    def helper(x):
        return x + 1

    def f(x):
        if x.mean() > 0:
            z = helper(x)
        else:
            z = -x
        return z

    sf = ember.jit.script(f)
    a, b = ember.ones(3), -ember.ones(3)
    np.testing.assert_allclose(sf(a).numpy(), f(a).numpy())
    np.testing.assert_allclose(sf(b).numpy(), f(b).numpy())
    assert isinstance(sf, ember.jit.ScriptFunction)
    assert not ember.jit.is_scripting()


def test_unsupported_construct_names_file_and_line():
    class Bad(nn.Module):
        def forward(self, x):
            try:
                return x + 1
            except ValueError:
                return x

    with pytest.raises(RuntimeError, match=r"Try blocks aren't supported[\s\S]*test_script.py"
                                           r"\", line \d+[\s\S]*try:"):
        ember.jit.script(Bad())


def test_script_early_returns_loop_index_and_scalars(tmp_path):
    class Early(nn.Module):
        def forward(self, x, k: int):
            if x.sum() > 0:
                return x * k
            y = x - 1
            if y.mean() < -5:
                return y * 0
            acc = x * 0
            for i in range(x.size(0)):
                acc = acc + y[i]
            return acc

    m = Early()
    sm = ember.jit.script(m)
    xs = [ember.ones(3, 2), -ember.ones(3, 2), -ember.ones(2, 2) * 10, -ember.ones(4, 2)]
    for x in xs:
        np.testing.assert_allclose(sm(x, 3).detach().numpy(), m(x, 3).numpy())
    with pytest.raises(RuntimeError, match="first call"):
        sm(xs[0], 4)
    path = str(tmp_path / "e.pt")
    sm.save(path)
    lm = ember.jit.load(path)
    for x in xs:
        np.testing.assert_allclose(lm(x, 3).detach().numpy(), m(x, 3).numpy())
