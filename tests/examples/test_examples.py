"""The README's main job and the tutorial examples run and learn."""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "examples", name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_train_digits_learns_and_saves(tmp_path):
    for dep in ("sklearn", "tqdm", "matplotlib"):
        pytest.importorskip(dep)
    mod = _load("train_digits")
    acc = mod.main(["--epochs", "4", "--out", str(tmp_path), "--no-progress"])
    assert acc >= 0.95
    assert (tmp_path / "digits_cnn_best.pt").stat().st_size > 100_000
    assert (tmp_path / "digits_curves.png").read_bytes()[:4] == b"\x89PNG"


def test_train_digits_logs_to_tensorboard(tmp_path):
    for dep in ("sklearn", "tqdm", "matplotlib", "tensorboard"):
        pytest.importorskip(dep)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    mod = _load("train_digits")
    logdir = tmp_path / "tb"
    mod.main(["--epochs", "2", "--out", str(tmp_path), "--no-progress",
              "--tensorboard", str(logdir)])
    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0})
    acc.Reload()
    tags = acc.Tags()
    assert {"train/loss", "train/lr", "validation/loss", "validation/accuracy"} <= \
        set(tags["scalars"])
    assert [e.step for e in acc.Scalars("validation/accuracy")] == [1, 2]
    assert "validation/samples" in tags["images"]
    assert any(t.startswith("weights/") for t in tags["histograms"])
    losses = acc.Scalars("train/loss")
    assert [e.step for e in losses] == list(range(2 * 23))
    values = [e.value for e in losses]
    assert sum(values[-5:]) < sum(values[:5])


def test_two_layer_net_fits():
    mod = _load("two_layer_net")
    assert mod.main(steps=300, log_every=1000) < 1.0


def test_char_lm_trains_and_samples(capsys):
    mod = _load("char_lm")
    losses = mod.main(["--epochs", "2", "--steps", "8", "--seq-len", "32", "--batch-size", "8"])
    assert len(losses) == 2 and losses[1] < losses[0]
    assert "| def " in capsys.readouterr().out


def test_explain_digits_attributions_are_complete(tmp_path):
    for dep in ("sklearn", "tqdm", "matplotlib"):
        pytest.importorskip(dep)
    import sys
    examples = os.path.join(ROOT, "examples")
    sys.path.insert(0, examples)          # explain_digits imports train_digits beside it
    try:
        mod = _load("explain_digits")
        attributions, delta = mod.main(["--epochs", "1", "--count", "4", "--steps", "32",
                                        "--out", str(tmp_path)])
    finally:
        sys.path.remove(examples)
    assert attributions.shape == (4, 1, 8, 8)
    assert attributions.abs().sum().item() > 0
    # completeness: attributions add up to logit(x) - logit(baseline)
    assert delta.abs().max().item() < 0.05
    assert (tmp_path / "digits_integrated_gradients.png").read_bytes()[:4] == b"\x89PNG"
