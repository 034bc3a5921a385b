"""examples/finetune_images.py runs end to end (--quick): image tree on disk, ImageFolder,
DataLoader workers, resnet18 fine-tuning, checkpoint and prediction grid written."""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_finetune_images_quick(tmp_path, monkeypatch):
    for dep in ("sklearn", "tqdm", "PIL"):
        pytest.importorskip(dep)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))   # empty cache: no weights
    spec = importlib.util.spec_from_file_location(
        "finetune_images", os.path.join(ROOT, "examples", "finetune_images.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    acc = mod.main(["--quick", "--out", str(tmp_path), "--no-progress"])
    assert 0.0 <= acc <= 1.0
    tree = tmp_path / "digits_png"
    assert sorted(os.listdir(tree / "train")) == [str(d) for d in range(10)]
    n_files = sum(len(os.listdir(tree / s / d)) for s in ("train", "val") for d in
                  os.listdir(tree / s))
    assert n_files == 1797
    import ember
    state = ember.load(str(tmp_path / "resnet18_digits.pt"))
    assert tuple(state["fc.weight"].shape) == (10, 512)
    from PIL import Image
    with Image.open(tmp_path / "predictions.png") as grid:
        assert grid.size == (8 * 34 + 2, 4 * 34 + 2)
