"""Libraries written on torch's public API, unmodified, under python -m ember.run."""
import importlib.util

import pytest

from runner import run, write


def test_einops_functions_layers_and_packing(tmp_path):
    pytest.importorskip("einops")
    script = write(tmp_path, "ein.py", """
        import torch, torch.nn as nn
        from einops import rearrange, reduce, repeat, pack, unpack, einsum
        from einops.layers.torch import Rearrange, Reduce, EinMix
        x = torch.randn(2, 3, 4, 5)
        assert type(x).__module__.startswith("ember")
        assert tuple(rearrange(x, "b c h w -> b (h w) c").shape) == (2, 20, 3)
        assert tuple(reduce(x, "b c h w -> b c", "mean").shape) == (2, 3)
        assert tuple(repeat(x[0, 0], "h w -> h w k", k=2).shape) == (4, 5, 2)
        packed, ps = pack([x, torch.randn(2, 7)], "b *")
        a, b = unpack(packed, ps, "b *")
        assert tuple(packed.shape) == (2, 67) and torch.equal(a, x)
        m = nn.Sequential(Rearrange("b c h w -> b (c h w)"), nn.Linear(60, 4),
                          Reduce("b n -> n", "max"))
        m(x).sum().backward()
        assert m[1].weight.grad is not None
        assert tuple(einsum(x, x, "b c h w, b c h w -> b c").shape) == (2, 3)
        mix = EinMix("b c h w -> b d h w", weight_shape="c d", bias_shape="d", c=3, d=6)
        assert tuple(mix(x).shape) == (2, 6, 4, 5)
        print("ok")
        """)
    assert run(script).stdout.strip() == "ok"


def test_captum_imports_and_attributes(tmp_path):
    pytest.importorskip("captum")
    if importlib.util.find_spec("ember.multiprocessing") is None:
        pytest.skip("captum imports torch.multiprocessing: ember.multiprocessing has not "
                    "landed yet")
    script = write(tmp_path, "cap.py", """
        import torch, torch.nn as nn
        from captum.attr import IntegratedGradients, Saliency
        torch.manual_seed(0)
        m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        x = torch.randn(2, 4)
        attr, delta = IntegratedGradients(m).attribute(x, target=1, n_steps=32,
                                                       return_convergence_delta=True)
        assert tuple(attr.shape) == (2, 4) and float(delta.abs().max()) < 1e-2
        assert tuple(Saliency(m).attribute(x, target=0).shape) == (2, 4)
        print("ok")
        """)
    assert run(script).stdout.strip() == "ok"
