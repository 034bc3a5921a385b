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


def test_two_layer_net_fits():
    mod = _load("two_layer_net")
    assert mod.main(steps=300, log_every=1000) < 1.0


def test_char_lm_trains_and_samples(capsys):
    mod = _load("char_lm")
    losses = mod.main(["--epochs", "2", "--steps", "8", "--seq-len", "32", "--batch-size", "8"])
    assert len(losses) == 2 and losses[1] < losses[0]
    assert "| def " in capsys.readouterr().out
