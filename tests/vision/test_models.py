"""ember.vision.models against torchvision: keys, shapes, repr and eval logits after
loading a state_dict that torchvision wrote (random init, no downloads)."""
import io
import os
import warnings

import numpy as np
import pytest

import ember
from ember.vision import models

torch = pytest.importorskip("torch")
tvm = pytest.importorskip("torchvision.models")

# model name, input side: logits compared (small inputs where the model allows)
CASES = [("resnet18", 64), ("resnet50", 32), ("resnext50_32x4d", 32), ("squeezenet1_0", 64),
         ("squeezenet1_1", 64), ("densenet121", 32), ("mobilenet_v2", 32),
         ("mobilenet_v3_small", 32), ("mobilenet_v3_large", 32), ("efficientnet_b0", 32)]
# the rest of the zoo: keys, shapes and repr compared with torchvision's model built on the
# meta device (no weights drawn); their layers' logits are compared below on the parts that
# hold the logic (VGG/AlexNet features, a small ViT at 224) without the 100M-weight heads
STRUCTURE_ONLY = ["resnet34", "resnet101", "resnet152", "wide_resnet50_2", "alexnet",
                  "vit_b_16"]
VGG_CFGS = [(cfg, bn) for cfg in "ABDE" for bn in (False, True)]


def _randomized_torch_model(name_or_model):
    """torchvision's model with every float tensor redrawn so that logits are O(1) and
    every parameter matters (zero-init heads and unit BatchNorms would hide mistakes)."""
    torch.manual_seed(0)
    model = (getattr(tvm, name_or_model)() if isinstance(name_or_model, str)
             else name_or_model).eval()
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if key.endswith("running_var"):
                t.uniform_(0.5, 1.5)
            elif key.endswith("running_mean") or key.endswith("bias"):
                t.uniform_(-0.1, 0.1)
            elif key.endswith(".weight") and t.ndim == 1:
                t.uniform_(0.8, 1.2)
            else:
                fan_in = t[0].numel() if t.ndim > 1 else t.numel()
                t.normal_(0, (1.0 / fan_in) ** 0.5)
    return model


@pytest.mark.parametrize("name,size", CASES, ids=[c[0] for c in CASES])
def test_model_matches_torchvision(name, size):
    _check_logits(getattr(models, name)(), _randomized_torch_model(name), size)


def _check_logits(ours, theirs, size):
    ours.eval()
    t_sd, e_sd = theirs.state_dict(), ours.state_dict()
    assert list(e_sd.keys()) == list(t_sd.keys())
    for k in t_sd:
        assert tuple(e_sd[k].shape) == tuple(t_sd[k].shape), k
        assert str(e_sd[k].dtype).replace("ember", "torch") == str(t_sd[k].dtype), k
    assert repr(ours) == repr(theirs)
    buf = io.BytesIO()
    torch.save(t_sd, buf)
    buf.seek(0)
    ours.load_state_dict(ember.load(buf), strict=True)
    x = np.random.RandomState(0).rand(2, 3, size, size).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    with ember.no_grad():
        got = ours(ember.from_numpy(x)).numpy()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-4 * np.abs(expected).max())


def _same_structure(ours, theirs):
    t_sd, e_sd = theirs.state_dict(), ours.state_dict()
    assert list(e_sd.keys()) == list(t_sd.keys())
    for k in t_sd:
        assert tuple(e_sd[k].shape) == tuple(t_sd[k].shape), k
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", STRUCTURE_ONLY)
def test_model_structure_matches_torchvision(name):
    with torch.device("meta"):
        theirs = getattr(tvm, name)()
    _same_structure(getattr(models, name)(), theirs)


def test_vit_at_224_matches_torchvision():
    from torchvision.models.vision_transformer import VisionTransformer
    config = dict(image_size=224, patch_size=16, num_layers=2, num_heads=4, hidden_dim=64,
                  mlp_dim=128, num_classes=10)
    _check_logits(models.VisionTransformer(**config),
                  _randomized_torch_model(VisionTransformer(**config)), 224)


@pytest.mark.parametrize("name", ["alexnet", "vgg11_bn"])
def test_feature_extractors_match_torchvision(name):
    if name == "alexnet":
        ours, theirs = models.AlexNet(num_classes=2).features, tvm.AlexNet(num_classes=2).features
    else:
        from torchvision.models import vgg as tv_vgg
        ours = models.vgg.make_layers(models.vgg.cfgs["A"], batch_norm=True)
        theirs = tv_vgg.make_layers(tv_vgg.cfgs["A"], batch_norm=True)
    _check_logits(ours, _randomized_torch_model(theirs), 64)


@pytest.mark.parametrize("cfg,bn", VGG_CFGS)
def test_vgg_features_match_torchvision(cfg, bn):
    from torchvision.models import vgg as tv_vgg
    with torch.device("meta"):
        theirs = tv_vgg.make_layers(tv_vgg.cfgs[cfg], batch_norm=bn)
    _same_structure(models.vgg.make_layers(models.vgg.cfgs[cfg], batch_norm=bn), theirs)
    name = {"A": "vgg11", "B": "vgg13", "D": "vgg16", "E": "vgg19"}[cfg] + ("_bn" if bn else "")
    assert name in models.list_models()


def test_initialisation_follows_torchvision():
    """Same init rules: Kaiming fan_out convs, unit/zero norms, zero-init residual."""
    ember.manual_seed(0)
    m = models.resnet18(zero_init_residual=True)
    w = m.conv1.weight.detach().numpy()
    assert abs(w.std() - (2.0 / (64 * 49)) ** 0.5) < 0.003   # fan_out = 64 * 7 * 7
    assert (m.layer1[0].bn2.weight.detach().numpy() == 0).all()
    assert (m.bn1.weight.detach().numpy() == 1).all() and (m.bn1.bias.detach().numpy() == 0).all()
    v = models.mobilenet_v2()
    assert abs(v.classifier[1].weight.detach().numpy().std() - 0.01) < 0.001
    vit = models.VisionTransformer(image_size=32, patch_size=16, num_layers=1, num_heads=2,
                                   hidden_dim=8, mlp_dim=16)
    assert (vit.heads.head.weight.detach().numpy() == 0).all()
    assert abs(vit.encoder.pos_embedding.detach().numpy().std() - 0.02) < 0.01


def test_train_mode_backward_runs():
    m = models.resnet18(num_classes=5)
    x = ember.randn(2, 3, 32, 32)
    loss = ember.nn.functional.cross_entropy(m(x), ember.tensor([1, 3]))
    loss.backward()
    assert m.conv1.weight.grad is not None and m.fc.weight.grad.shape == (5, 512)


def test_weights_enums_match_torchvision():
    for name in models.list_models():
        ours, theirs = models.get_model_weights(name), tvm.get_model_weights(name)
        assert ours.__name__ == theirs.__name__
        assert [w.name for w in ours] == [w.name for w in theirs]
        assert ours.DEFAULT.name == theirs.DEFAULT.name
        for a, b in zip(ours, theirs):
            assert a.url == b.url and repr(a) == repr(b)
            meta_a, meta_b = a.meta, b.meta
            assert list(meta_a.keys()) == list(meta_b.keys())
            for k in meta_a:
                if k == "_metrics":
                    continue   # nan != nan in one entry
                expected = meta_b[k]
                assert meta_a[k] == (list(expected) if k == "categories" and expected else
                                     expected), k
    w = models.ResNet50_Weights.IMAGENET1K_V2
    assert models.ResNet50_Weights.DEFAULT is w
    assert w.meta["categories"][:2] == ["tench", "goldfish"] and len(w.meta["categories"]) == 1000
    assert models.get_weight("ResNet50_Weights.IMAGENET1K_V2") is w
    assert models.ResNet50_Weights.verify("IMAGENET1K_V1") is models.ResNet50_Weights.IMAGENET1K_V1
    with pytest.raises(TypeError, match="expected ResNet50_Weights"):
        models.resnet50(weights=models.ResNet18_Weights.DEFAULT)


def test_registry_matches_torchvision():
    ours = models.list_models()
    assert set(ours) <= set(tvm.list_models())
    assert len(ours) == 24
    assert models.list_models(include="resnet*", exclude="resnet1*") == \
        ["resnet34", "resnet50"]
    m = models.get_model("mobilenet_v3_small", num_classes=7)
    assert m.classifier[-1].out_features == 7
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("resnet9000")


def test_weights_load_from_the_hub_cache(tmp_path, monkeypatch):
    """A torchvision checkpoint in $TORCH_HOME/hub/checkpoints under torchvision's file name
    is loaded as it is (the cache torch shares); pretrained=True is the legacy spelling."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    theirs = _randomized_torch_model("squeezenet1_1")
    w = models.SqueezeNet1_1_Weights.IMAGENET1K_V1
    folder = tmp_path / "hub" / "checkpoints"
    folder.mkdir(parents=True)
    torch.save(theirs.state_dict(), str(folder / os.path.basename(w.url)))
    assert ember.hub.get_dir() == str(tmp_path / "hub") == torch.hub.get_dir()
    x = np.random.RandomState(0).rand(1, 3, 64, 64).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    for model in (models.squeezenet1_1(weights=w), models.squeezenet1_1(weights="DEFAULT")):
        with ember.no_grad():
            np.testing.assert_allclose(model.eval()(ember.from_numpy(x)).numpy(), expected,
                                       rtol=1e-4, atol=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        legacy = models.squeezenet1_1(pretrained=True)
    assert any("deprecated" in str(c.message) for c in caught)
    assert ember.equal(legacy.features[0].weight, ember.from_numpy(
        theirs.features[0].weight.detach().numpy()))
    with pytest.raises(ValueError, match="num_classes"):
        models.squeezenet1_1(weights=w, num_classes=10)


def test_missing_weights_name_file_and_folder(tmp_path, monkeypatch):
    import socket

    def unreachable(*args, **kwargs):
        raise OSError("network is unreachable (test)")
    monkeypatch.setattr(socket, "create_connection", unreachable)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(RuntimeError) as info:
        models.resnet18(weights=models.ResNet18_Weights.DEFAULT)
    msg = str(info.value)
    assert "resnet18-f37072fd.pth" in msg and str(tmp_path / "hub" / "checkpoints") in msg


def test_weights_transforms_preset():
    pytest.importorskip("ember.vision.transforms._presets")
    from torchvision.transforms import _presets  # noqa: F401
    for ours, theirs in ((models.ResNet50_Weights.IMAGENET1K_V2,
                          tvm.ResNet50_Weights.IMAGENET1K_V2),
                         (models.EfficientNet_B0_Weights.DEFAULT,
                          tvm.EfficientNet_B0_Weights.DEFAULT)):
        assert repr(ours.transforms()) == repr(theirs.transforms())
        x = np.random.RandomState(0).randint(0, 256, (3, 300, 280)).astype(np.uint8)
        got = ours.transforms()(ember.from_numpy(x)).numpy()
        expected = theirs.transforms()(torch.from_numpy(x)).numpy()
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=2e-2)
        from PIL import Image
        pil = Image.fromarray(x.transpose(1, 2, 0))
        np.testing.assert_allclose(ours.transforms()(pil).numpy(),
                                   theirs.transforms()(pil).numpy(), atol=1e-6)
