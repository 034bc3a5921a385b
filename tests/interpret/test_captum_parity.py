"""Captum runs unmodified on ember (through ember.compat) and gives torch's attributions.

The same program (PROGRAM below: a small CNN and an embedding model with fixed weights,
every attribution method the issue names) runs twice in fresh processes: once with
``python -m ember.run`` (so ``import torch`` is ember) and once with plain ``python``
(real torch). Both write their attributions to .npz files, compared here within 1e-4.
NoiseTunnel runs with stdevs=0: its noise comes from each library's own random stream,
which differ; with zero noise the tunnel's expansion and averaging code still runs.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("captum")
pytest.importorskip("torch")

PROGRAM = textwrap.dedent('''
    import sys
    import numpy as np
    import torch
    import torch.nn as nn
    from captum.attr import (DeepLift, GuidedBackprop, InputXGradient, IntegratedGradients,
                             LayerGradCam, LayerIntegratedGradients, NoiseTunnel, Occlusion,
                             Saliency)

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
            self.relu1 = nn.ReLU()
            self.pool = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(4, 8, 3, padding=1)
            self.relu2 = nn.ReLU()
            self.flat = nn.Flatten()
            self.fc = nn.Linear(8 * 4 * 4, 10)

        def forward(self, x):
            x = self.pool(self.relu1(self.conv1(x)))
            return self.fc(self.flat(self.relu2(self.conv2(x))))

    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 8)
            self.fc = nn.Linear(8, 3)

        def forward(self, ids):
            return self.fc(self.emb(ids).mean(1))

    data = np.load(sys.argv[1])
    def load(model, prefix):
        model.load_state_dict({k[len(prefix):]: torch.from_numpy(data[k])
                               for k in data.files if k.startswith(prefix)})
        return model.eval()

    cnn = load(CNN(), "cnn.")
    bag = load(Bag(), "bag.")
    x = torch.from_numpy(data["x"])
    ids = torch.from_numpy(data["ids"])
    out = {}
    attr, delta = IntegratedGradients(cnn).attribute(x, target=3, n_steps=32,
                                                     return_convergence_delta=True)
    out["ig"], out["ig_delta"] = attr, delta
    out["saliency"] = Saliency(cnn).attribute(x, target=3)
    out["input_x_gradient"] = InputXGradient(cnn).attribute(x, target=3)
    out["deeplift"] = DeepLift(cnn).attribute(x, target=3)
    out["guided_backprop"] = GuidedBackprop(cnn).attribute(x, target=3)
    out["occlusion"] = Occlusion(cnn).attribute(x, target=3, sliding_window_shapes=(1, 2, 2),
                                                strides=(1, 2, 2))
    out["noise_tunnel"] = NoiseTunnel(Saliency(cnn)).attribute(
        x, target=3, nt_type="smoothgrad", nt_samples=3, stdevs=0.0)
    out["gradcam"] = LayerGradCam(cnn, cnn.conv2).attribute(x, target=3)
    out["layer_ig"] = LayerIntegratedGradients(bag, bag.emb).attribute(
        ids, baselines=torch.zeros_like(ids), target=1, n_steps=16)
    np.savez(sys.argv[2], **{k: v.detach().numpy() for k, v in out.items()})
    print(torch.__version__)
''')


def _inputs(path):
    rng = np.random.default_rng(0)
    arrays = {"x": rng.random((2, 1, 8, 8), dtype=np.float32),
              "ids": rng.integers(1, 20, size=(2, 5)).astype(np.int64)}
    shapes = {"cnn.conv1.weight": (4, 1, 3, 3), "cnn.conv1.bias": (4,),
              "cnn.conv2.weight": (8, 4, 3, 3), "cnn.conv2.bias": (8,),
              "cnn.fc.weight": (10, 128), "cnn.fc.bias": (10,),
              "bag.emb.weight": (20, 8), "bag.fc.weight": (3, 8), "bag.fc.bias": (3,)}
    for name, shape in shapes.items():
        arrays[name] = (rng.standard_normal(shape) * 0.5).astype(np.float32)
    np.savez(path, **arrays)


def _run(args, tmp_path):
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable] + args, capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout


def test_captum_attributions_match_torch(tmp_path):
    script = tmp_path / "explain.py"
    script.write_text(PROGRAM)
    _inputs(tmp_path / "in.npz")
    ours_version = _run(["-m", "ember.run", str(script), "in.npz", "ember.npz"], tmp_path)
    _run([str(script), "in.npz", "torch.npz"], tmp_path)
    assert "ember" in ours_version          # the first run really was on ember
    ours, theirs = np.load(tmp_path / "ember.npz"), np.load(tmp_path / "torch.npz")
    assert sorted(ours.files) == sorted(theirs.files)
    for name in theirs.files:
        assert ours[name].shape == theirs[name].shape, name
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-4, atol=1e-4,
                                   err_msg=name)
    assert np.abs(theirs["ig"]).sum() > 0 and np.abs(theirs["layer_ig"]).sum() > 0
