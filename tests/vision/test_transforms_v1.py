"""ember.vision.transforms (v1) against torchvision on the same inputs: PIL paths give
Pillow's exact pixels, tensor paths agree within one uint8 step / 1e-5 (float)."""
import sys
import subprocess

import numpy as np
import pytest

import ember
import ember.vision.transforms as T
import ember.vision.transforms.functional as EF

from _transform_cases import FUNCTIONAL, TENSOR_ONLY, UINT8_ONLY, images, repr_cases

torch = pytest.importorskip("torch")
tv = pytest.importorskip("torchvision")
PIL_Image = pytest.importorskip("PIL.Image")
import torchvision.transforms as TT  # noqa: E402
import torchvision.transforms.functional as TF  # noqa: E402

RGB, FLOAT = images()


def _pil(mode="RGB"):
    img = PIL_Image.fromarray(RGB)
    return img if mode == "RGB" else img.convert(mode)


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _np(x):
    if isinstance(x, PIL_Image.Image):
        return np.asarray(x)
    return x.numpy()


def _check_same(ours, theirs, tol, pil):
    ours, theirs = _as_list(ours), _as_list(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if pil:
            assert isinstance(a, PIL_Image.Image)
            assert a.mode == b.mode and a.size == b.size
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        else:
            assert isinstance(a, ember.Tensor)
            assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
            assert tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(a.numpy().astype(np.float64), b.numpy().astype(np.float64),
                                       rtol=0 if tol >= 1 else 1e-5, atol=tol)


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("name,fn", FUNCTIONAL + UINT8_ONLY, ids=[c[0] for c in FUNCTIONAL + UINT8_ONLY])
def test_functional_pil_exact(name, fn, mode):
    if mode == "L" and name in ("rotate_bilinear_fill", "saturation"):
        pytest.skip("3-value fill / saturation need 3 channels")
    img = _pil(mode)
    _check_same(fn(EF, ember, img), fn(TF, torch, img), 0, pil=True)


@pytest.mark.parametrize("mode", ["BOX", "HAMMING", "LANCZOS", "NEAREST_EXACT"])
def test_pil_only_resize_modes(mode):
    img = _pil()
    m = getattr(T.InterpolationMode, mode)
    _check_same(EF.resize(img, [13, 50], interpolation=m),
                TF.resize(img, [13, 50], interpolation=getattr(TF.InterpolationMode, mode)), 0, pil=True)
    _check_same(T.Resize(17, interpolation=m)(img), TT.Resize(17, interpolation=getattr(TF.InterpolationMode, mode))(img),
                0, pil=True)
    if mode != "NEAREST_EXACT":
        with pytest.raises(ValueError):
            EF.resize(ember.rand(3, 8, 8), [4, 4], interpolation=m)


def _tensor_inputs():
    u8 = np.ascontiguousarray(RGB.transpose(2, 0, 1))
    return [("uint8_chw", u8, 1), ("uint8_batch", np.stack([u8, u8[:, ::-1]]), 1),
            ("float_batch", FLOAT, 1e-5), ("float_chw", FLOAT[0], 1e-5)]


@pytest.mark.parametrize("kind,arr,tol", _tensor_inputs(), ids=[k[0] for k in _tensor_inputs()])
def test_functional_tensor_parity(kind, arr, tol):
    cases = FUNCTIONAL + TENSOR_ONLY + (UINT8_ONLY if arr.dtype == np.uint8 and arr.ndim <= 4 else [])
    for name, fn in cases:
        if name == "equalize" and arr.ndim > 4:
            continue
        ours = fn(EF, ember, ember.from_numpy(arr.copy()))
        theirs = fn(TF, torch, torch.from_numpy(arr.copy()))
        try:
            _check_same(ours, theirs, tol, pil=False)
        except AssertionError as e:
            raise AssertionError(f"{name} on {kind}: {e}") from None


def test_conversions():
    img = _pil()
    for mode in ("RGB", "L", "RGBA", "1", "I", "F", "LA"):
        p = img.convert(mode)
        _check_same(EF.to_tensor(p), TF.to_tensor(p), 0, pil=False)
        _check_same(EF.pil_to_tensor(p), TF.pil_to_tensor(p), 0, pil=False)
    arr = RGB.copy()
    _check_same(EF.to_tensor(arr), TF.to_tensor(arr), 0, pil=False)
    _check_same(EF.to_tensor(arr.astype(np.float64)), TF.to_tensor(arr.astype(np.float64)), 0, pil=False)
    for x_np, mode in ((FLOAT[0], None), (RGB.transpose(2, 0, 1), None), (FLOAT[0, :1], "F"),
                       (RGB[None, :, :, 0], None), (np.concatenate([RGB, RGB[..., :1]], -1).transpose(2, 0, 1), None)):
        ours = EF.to_pil_image(ember.from_numpy(np.ascontiguousarray(x_np)), mode)
        theirs = TF.to_pil_image(torch.from_numpy(np.ascontiguousarray(x_np)), mode)
        _check_same(ours, theirs, 0, pil=True)
    _check_same(EF.to_pil_image(RGB), TF.to_pil_image(RGB), 0, pil=True)
    t = ember.from_numpy(RGB.transpose(2, 0, 1).copy())
    assert EF.get_dimensions(t) == [3, H_, W_] == EF.get_dimensions(img)
    assert EF.get_image_size(t) == [W_, H_] == EF.get_image_size(img)
    assert EF.get_image_num_channels(t) == 3 == EF.get_image_num_channels(img)


H_, W_ = RGB.shape[:2]


def test_reprs_match_torchvision():
    for ours, theirs in zip(repr_cases(T, ember), repr_cases(TT, torch)):
        assert repr(ours) == repr(theirs).replace("torch.", "ember.")


def test_transforms_are_modules():
    for t in (T.Normalize([0.5], [0.5]), T.Resize(3), T.RandomCrop(3), T.ColorJitter(), T.AutoAugment()):
        assert isinstance(t, ember.nn.Module)
    assert not isinstance(T.Compose([]), ember.nn.Module)
    assert T.RandomHorizontalFlip().to("cpu") is not None   # Module machinery still works


def test_deterministic_classes_match():
    img, t_ours, t_theirs = _pil(), ember.from_numpy(FLOAT.copy()), torch.from_numpy(FLOAT.copy())
    pairs = [
        (T.Compose([T.Resize(20), T.CenterCrop(16), T.ToTensor(), T.Normalize([0.5, 0.4, 0.3], [0.2, 0.2, 0.3])]),
         TT.Compose([TT.Resize(20), TT.CenterCrop(16), TT.ToTensor(), TT.Normalize([0.5, 0.4, 0.3], [0.2, 0.2, 0.3])])),
        (T.Compose([T.Pad(3, padding_mode="reflect"), T.Grayscale(3), T.PILToTensor(), T.ConvertImageDtype(ember.float)]),
         TT.Compose([TT.Pad(3, padding_mode="reflect"), TT.Grayscale(3), TT.PILToTensor(), TT.ConvertImageDtype(torch.float)])),
        (T.FiveCrop(9), TT.FiveCrop(9)), (T.TenCrop(9), TT.TenCrop(9)),
    ]
    for ours, theirs in pairs:
        a, b = _as_list(ours(img)), _as_list(theirs(img))
        _check_same(a, b, 1e-6 if isinstance(a[0], ember.Tensor) else 0, isinstance(a[0], PIL_Image.Image))
    _check_same(T.Resize([9, 11])(t_ours), TT.Resize([9, 11])(t_theirs), 1e-5, pil=False)
    _check_same(T.Lambda(lambda x: x * 2)(t_ours), TT.Lambda(lambda x: x * 2)(t_theirs), 1e-6, pil=False)
    lin = np.random.default_rng(3).random((12, 12)).astype(np.float32)
    mean = np.arange(12, dtype=np.float32) / 12
    x = np.random.default_rng(4).random((2, 3, 2, 2)).astype(np.float32)
    _check_same(T.LinearTransformation(ember.from_numpy(lin), ember.from_numpy(mean))(ember.from_numpy(x)),
                TT.LinearTransformation(torch.from_numpy(lin), torch.from_numpy(mean))(torch.from_numpy(x)),
                1e-5, pil=False)


# -- random transforms: parameter ranges, and get_params-fixed outputs == torchvision's ----------
def test_random_crop_params_and_output():
    img = _pil()
    ember.manual_seed(0)
    seen = set()
    for _ in range(200):
        i, j, h, w = T.RandomCrop.get_params(img, (10, 12))
        assert (h, w) == (10, 12) and 0 <= i <= H_ - 10 and 0 <= j <= W_ - 12
        seen.add((i, j))
    assert len(seen) > 100
    assert T.RandomCrop.get_params(img, (H_, W_)) == (0, 0, H_, W_)
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop.get_params(img, (H_ + 1, 3))
    t = T.RandomCrop(40, padding=2, pad_if_needed=True, fill=5, padding_mode="constant")
    assert t(img).size == (40, 40)
    assert tuple(t(ember.from_numpy(FLOAT.copy())).shape) == (2, 3, 40, 40)


def test_random_resized_crop_params_distribution():
    img = _pil()
    ember.manual_seed(1)
    scale, ratio = (0.08, 1.0), (3 / 4, 4 / 3)
    areas, ratios = [], []
    for _ in range(400):
        i, j, h, w = T.RandomResizedCrop.get_params(img, scale, ratio)
        assert 0 < h <= H_ and 0 < w <= W_ and 0 <= i <= H_ - h and 0 <= j <= W_ - w
        areas.append(h * w / (H_ * W_))
        ratios.append(w / h)
    assert min(areas) < 0.2 and max(areas) > 0.8
    assert 0.6 < min(ratios) and max(ratios) < 1.6
    # the central fallback when no try fits
    assert T.RandomResizedCrop.get_params(img, (2.0, 2.0), (1.0, 1.0)) == ((H_ - H_) // 2, (W_ - H_) // 2, H_, H_)
    i, j, h, w = 3, 4, 20, 25
    _check_same(EF.resized_crop(img, i, j, h, w, [16, 16]), TF.resized_crop(img, i, j, h, w, [16, 16]), 0, pil=True)


def test_random_repeatable_with_manual_seed():
    pipe = T.Compose([T.RandomResizedCrop(16), T.RandomHorizontalFlip(), T.ColorJitter(0.4, 0.4, 0.4, 0.1),
                      T.RandomRotation(20), T.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), 5), T.RandomPerspective(),
                      T.RandomGrayscale(0.5), T.GaussianBlur(3), T.ToTensor(), T.RandomErasing(p=1.0)])
    ember.manual_seed(123)
    a = [pipe(_pil()) for _ in range(3)]
    ember.manual_seed(123)
    b = [pipe(_pil()) for _ in range(3)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert not np.array_equal(a[0].numpy(), a[1].numpy())


def test_flip_and_apply_probabilities():
    ember.manual_seed(0)
    x = ember.from_numpy(FLOAT[0].copy())
    flips = sum(bool((T.RandomHorizontalFlip(0.3)(x) != x).any()) for _ in range(2000))
    assert 0.25 < flips / 2000 < 0.35
    applied = sum(bool((T.RandomApply([T.RandomVerticalFlip(1.0)], p=0.7)(x) != x).any()) for _ in range(2000))
    assert 0.65 < applied / 2000 < 0.75
    picks = [T.RandomChoice([lambda _: 0, lambda _: 1], p=[0.2, 0.8])(x) for _ in range(2000)]
    assert 0.75 < np.mean(picks) < 0.85
    orders = set()
    for _ in range(200):
        seq = []
        T.RandomOrder([lambda v, k=k: seq.append(k) for k in range(3)])(x)
        orders.add(tuple(seq))
    assert len(orders) == 6


def test_color_jitter_params_and_fixed_output():
    ember.manual_seed(0)
    t = T.ColorJitter(0.4, (0.5, 1.5), 0.3, 0.1)
    for _ in range(100):
        idx, b, c, s, h = t.get_params(t.brightness, t.contrast, t.saturation, t.hue)
        assert sorted(idx.tolist()) == [0, 1, 2, 3]
        assert 0.6 <= b <= 1.4 and 0.5 <= c <= 1.5 and 0.7 <= s <= 1.3 and -0.1 <= h <= 0.1
    assert T.ColorJitter().get_params(None, None, None, None)[1:] == (None, None, None, None)
    img = _pil()
    ours = EF.adjust_hue(EF.adjust_saturation(EF.adjust_contrast(EF.adjust_brightness(img, 1.2), 0.8), 1.1), 0.05)
    theirs = TF.adjust_hue(TF.adjust_saturation(TF.adjust_contrast(TF.adjust_brightness(img, 1.2), 0.8), 1.1), 0.05)
    _check_same(ours, theirs, 0, pil=True)
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)


def test_rotation_affine_perspective_params():
    ember.manual_seed(0)
    angles = [T.RandomRotation.get_params([-30.0, 10.0]) for _ in range(500)]
    assert -30 <= min(angles) < -25 and 5 < max(angles) <= 10
    for _ in range(200):
        angle, (tx, ty), scale, (shx, shy) = T.RandomAffine.get_params(
            [-10.0, 10.0], [0.1, 0.2], [0.8, 1.2], [-5.0, 5.0, -2.0, 2.0], [W_, H_])
        assert -10 <= angle <= 10 and abs(tx) <= round(0.1 * W_) and abs(ty) <= round(0.2 * H_)
        assert 0.8 <= scale <= 1.2 and -5 <= shx <= 5 and -2 <= shy <= 2
    start, end = T.RandomPerspective.get_params(W_, H_, 0.5)
    assert start == [[0, 0], [W_ - 1, 0], [W_ - 1, H_ - 1], [0, H_ - 1]]
    hw, hh = int(0.5 * (W_ // 2)), int(0.5 * (H_ // 2))
    assert 0 <= end[0][0] <= hw and 0 <= end[0][1] <= hh
    assert W_ - hw - 1 <= end[2][0] < W_ and H_ - hh - 1 <= end[2][1] < H_
    img = _pil()
    _check_same(EF.perspective(img, start, end), TF.perspective(img, start, end), 0, pil=True)
    _check_same(EF.affine(img, 5.0, [1, 2], 1.1, [3.0, 1.0], fill=7),
                TF.affine(img, 5.0, [1, 2], 1.1, [3.0, 1.0], fill=7), 0, pil=True)


def test_random_erasing_and_blur_params():
    ember.manual_seed(0)
    x = ember.from_numpy(FLOAT[0].copy())
    for _ in range(100):
        i, j, h, w, v = T.RandomErasing.get_params(x, (0.02, 0.33), (0.3, 3.3), [0.0])
        assert 0 <= i and i + h <= H_ and 0 <= j and j + w <= W_
        assert 0.02 * 0.5 <= h * w / (H_ * W_) <= 0.33 * 1.6
    i, j, h, w, v = T.RandomErasing.get_params(x, (0.1, 0.2), (0.5, 2.0), None)
    assert tuple(v.shape) == (3, h, w)
    out = T.RandomErasing(p=1.0, value=(1.0, 2.0, 3.0))(x)
    assert set(np.unique(out.numpy())) & {1.0, 2.0, 3.0}
    sig = [T.GaussianBlur.get_params(0.1, 2.0) for _ in range(300)]
    assert 0.1 <= min(sig) < 0.2 and 1.9 < max(sig) <= 2.0


def test_autoaugment_family_runs_and_is_repeatable():
    img = _pil()
    u8 = ember.from_numpy(RGB.transpose(2, 0, 1).copy())
    for t in (T.AutoAugment(), T.AutoAugment(T.AutoAugmentPolicy.CIFAR10), T.AutoAugment(T.AutoAugmentPolicy.SVHN),
              T.RandAugment(), T.TrivialAugmentWide(fill=[128, 128, 128])):
        ember.manual_seed(5)
        a = [np.asarray(t(img)) for _ in range(4)] + [t(u8).numpy() for _ in range(4)]
        ember.manual_seed(5)
        b = [np.asarray(t(img)) for _ in range(4)] + [t(u8).numpy() for _ in range(4)]
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)
    # the magnitude tables are torchvision's
    ta, tt = T.RandAugment(), TT.RandAugment()
    ours, theirs = ta._augmentation_space(31, (H_, W_)), tt._augmentation_space(31, (H_, W_))
    assert list(ours) == list(theirs)
    for k in ours:
        m, signed = ours[k]
        mt, st = theirs[k]
        assert signed == st
        if m is not None:
            np.testing.assert_allclose(m, mt.numpy(), rtol=1e-6)
    assert T.AutoAugment().policies == TT.AutoAugment().policies


def test_bad_input_errors():
    x2d = ember.rand(5, 5)
    with pytest.raises(ValueError, match=r"tensor image of size \(\.\.\., C, H, W\)"):
        T.Normalize([0.5, 0.5, 0.5], [0.2, 0.2, 0.2])(x2d)
    with pytest.raises(TypeError, match="float tensor"):
        EF.normalize(ember.zeros(3, 4, 4, dtype=ember.uint8), [0.5], [0.5])
    with pytest.raises(RuntimeError, match="must match the size"):
        EF.normalize(ember.rand(3, 4, 4), [0.5, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="std evaluated to zero"):
        EF.normalize(ember.rand(3, 4, 4), [0.5], [0.0])
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()([1, 2, 3])
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        T.Resize(4)("not an image")
    with pytest.raises(TypeError, match="img should be PIL Image"):
        EF.hflip(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="Tensor is not a torch image"):
        EF.hflip(ember.zeros(3))
    with pytest.raises(TypeError, match="Only torch.uint8"):
        EF.posterize(ember.rand(3, 4, 4), 2)
    with pytest.raises(ValueError, match="Padding mode should be"):
        T.Pad(2, padding_mode="wrap")
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="unsupported with Tensor input"):
        EF.rotate(ember.rand(3, 4, 4), 10.0, interpolation=T.InterpolationMode.BICUBIC)
    with pytest.raises(TypeError, match="permitted channel values"):
        EF.adjust_brightness(ember.rand(2, 4, 4), 1.2)
    with pytest.raises(ValueError, match="Requested crop size"):
        EF.five_crop(_pil(), 100)
    with pytest.raises(TypeError, match="Input should be PIL Image"):
        EF.to_grayscale(ember.rand(3, 4, 4))
    with pytest.raises(NotImplementedError, match="AugMix"):
        T.AugMix()


def test_differentiable_paths_and_clear_error():
    x = ember.rand(1, 3, 8, 8, requires_grad=True)
    y = EF.normalize(EF.resize(EF.hflip(EF.pad(x, 1, padding_mode="reflect")), [6, 6], antialias=False),
                     [0.5] * 3, [0.2] * 3)
    y.sum().backward()
    assert x.grad is not None and tuple(x.grad.shape) == (1, 3, 8, 8)
    with pytest.raises(NotImplementedError, match="not differentiable"):
        EF.rotate(x, 10.0)
    with ember.no_grad():
        EF.rotate(x, 10.0)


def test_import_does_not_load_pil():
    code = "import sys, ember.vision.transforms, ember.vision.transforms.v2; print('PIL' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("mode", ["BILINEAR", "BICUBIC"])
def test_antialias_resize_large_images(mode):
    rng = np.random.default_rng(5)
    for shape, size in (((2, 3, 256, 256), [224, 200]), ((1, 3, 120, 90), [37, 300]), ((1, 1, 9, 9), [1, 1])):
        x = rng.random(shape, dtype=np.float32)
        for dt in (np.float32, np.float64):
            ours = EF.resize(ember.from_numpy(x.astype(dt)), size, interpolation=getattr(T.InterpolationMode, mode))
            theirs = TF.resize(torch.from_numpy(x.astype(dt)), size, interpolation=getattr(TF.InterpolationMode, mode))
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=2e-6, rtol=0)


def test_pil_mode_errors_keep_torchvision_types():
    img = _pil()
    for ours, theirs, mode in ((lambda i: EF.adjust_brightness(i, 1.2), lambda i: TF.adjust_brightness(i, 1.2), "P"),
                               (EF.invert, TF.invert, "F"), (EF.equalize, TF.equalize, "CMYK")):
        p = img.convert(mode)
        with pytest.raises(Exception) as theirs_err:
            theirs(p)
        with pytest.raises(theirs_err.type, match=f"mode '{mode}'"):
            ours(p)


def _seeded_params(seed, draw):
    ember.manual_seed(seed)
    return draw()


@pytest.mark.parametrize("kind", ["pil", "uint8", "float"])
def test_random_classes_apply_their_params_like_torchvision(kind):
    """Each random class, run with a seed, equals torchvision's functional applied with the
    parameters its own get_params draws from that seed."""
    if kind == "pil":
        ours_in = theirs_in = _pil()
    else:
        arr = RGB.transpose(2, 0, 1).copy() if kind == "uint8" else FLOAT[0].copy()
        ours_in, theirs_in = ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    tol = 0 if kind == "pil" else (1 if kind == "uint8" else 1e-5)
    _, h, w = EF.get_dimensions(ours_in)
    tensor_fill = kind != "pil"
    cases = []

    t = T.RandomResizedCrop(16, scale=(0.3, 1.0))
    p = _seeded_params(1, lambda: T.RandomResizedCrop.get_params(ours_in, t.scale, t.ratio))
    cases.append((t, lambda x, p=p: TF.resized_crop(x, *p, [16, 16])))
    t = T.RandomCrop(20, padding=2)
    def rc_params():
        padded = EF.pad(ours_in, 2)
        return T.RandomCrop.get_params(padded, (20, 20))
    p = _seeded_params(2, rc_params)
    cases.append((t, lambda x, p=p: TF.crop(TF.pad(x, 2), *p)))
    t = T.RandomRotation(40, interpolation=T.InterpolationMode.BILINEAR)
    p = _seeded_params(3, lambda: T.RandomRotation.get_params(t.degrees))
    fill = [0.0] * 3 if tensor_fill else 0
    cases.append((t, lambda x, p=p: TF.rotate(x, p, TF.InterpolationMode.BILINEAR, fill=fill)))
    t = T.RandomAffine(20, (0.1, 0.2), (0.8, 1.2), (-5, 5, -3, 3))
    p = _seeded_params(4, lambda: T.RandomAffine.get_params(t.degrees, t.translate, t.scale, t.shear, [w, h]))
    cases.append((t, lambda x, p=p: TF.affine(x, *p, fill=fill)))
    t = T.RandomPerspective(0.4, p=1.0)
    def persp_params():
        ember.rand(1)
        return T.RandomPerspective.get_params(w, h, 0.4)
    p = _seeded_params(5, persp_params)
    cases.append((t, lambda x, p=p: TF.perspective(x, *p, fill=fill)))
    t = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    p = _seeded_params(6, lambda: T.ColorJitter.get_params(t.brightness, t.contrast, t.saturation, t.hue))
    def jitter(x, p=p):
        order, b, c, s, hue = p
        for k in order.tolist():
            x = [lambda y: TF.adjust_brightness(y, b), lambda y: TF.adjust_contrast(y, c),
                 lambda y: TF.adjust_saturation(y, s), lambda y: TF.adjust_hue(y, hue)][k](x)
        return x
    cases.append((t, jitter))
    t = T.GaussianBlur(5, (0.5, 2.0))
    p = _seeded_params(7, lambda: T.GaussianBlur.get_params(0.5, 2.0))
    cases.append((t, lambda x, p=p: TF.gaussian_blur(x, [5, 5], [p, p])))
    for seed, (t, reference) in enumerate(cases, start=1):
        ember.manual_seed(seed)
        ours = t(ours_in)
        _check_same(ours, reference(theirs_in), tol, pil=kind == "pil")
    if kind != "pil":
        t = T.RandomErasing(p=1.0, value=(0.5, 0.25, 0.125))
        def erase_params():
            ember.rand(1)
            return T.RandomErasing.get_params(ours_in, t.scale, t.ratio, [0.5, 0.25, 0.125])
        i, j, eh, ew, v = _seeded_params(9, erase_params)
        ember.manual_seed(9)
        ours = t(ours_in)
        theirs = TF.erase(theirs_in, i, j, eh, ew, torch.tensor([0.5, 0.25, 0.125])[:, None, None])
        _check_same(ours, theirs, tol, pil=False)


def test_weight_presets_match_torchvision():
    from ember.vision.transforms import _presets as EP
    from torchvision.transforms import _presets as TP
    img = _pil()
    pairs = [(EP.ImageClassification(crop_size=16, resize_size=20), TP.ImageClassification(crop_size=16, resize_size=20)),
             (EP.ImageClassification(crop_size=12, resize_size=14, interpolation=T.InterpolationMode.BICUBIC),
              TP.ImageClassification(crop_size=12, resize_size=14, interpolation=TF.InterpolationMode.BICUBIC)),
             (EP.SemanticSegmentation(resize_size=18), TP.SemanticSegmentation(resize_size=18)),
             (EP.ObjectDetection(), TP.ObjectDetection())]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        _check_same(ours(img), theirs(img), 1e-6, pil=False)
    vid = np.random.default_rng(0).random((4, 3, 20, 24), dtype=np.float32)
    ours = EP.VideoClassification(crop_size=(8, 8), resize_size=(10, 12))
    theirs = TP.VideoClassification(crop_size=(8, 8), resize_size=(10, 12))
    assert repr(ours) == repr(theirs)
    _check_same(ours(ember.from_numpy(vid)), theirs(torch.from_numpy(vid)), 1e-5, pil=False)
    a, b = EP.OpticalFlow()(img, img)
    ta, tb = TP.OpticalFlow()(img, img)
    _check_same([a, b], [ta, tb], 1e-6, pil=False)


def test_colour_ops_differentiable_like_torchvision():
    x = np.random.default_rng(0).random((2, 3, 8, 9))
    w = np.random.default_rng(1).random((2, 3, 8, 9))
    fns = [lambda F, t: F.adjust_brightness(t, 1.3), lambda F, t: F.adjust_contrast(t, 0.7),
           lambda F, t: F.adjust_saturation(t, 1.6), lambda F, t: F.adjust_gamma(t, 0.8, 1.1),
           lambda F, t: F.invert(t), lambda F, t: F.rgb_to_grayscale(t, 3)]
    for f in fns:
        e = ember.from_numpy(x.copy()).requires_grad_()
        t = torch.from_numpy(x.copy()).requires_grad_()
        (f(EF, e) * ember.from_numpy(w)).sum().backward()
        (f(TF, t) * torch.from_numpy(w)).sum().backward()
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=1e-12)
    with pytest.raises(NotImplementedError, match="adjust_hue"):
        EF.adjust_hue(ember.from_numpy(x.copy()).requires_grad_(), 0.1)
