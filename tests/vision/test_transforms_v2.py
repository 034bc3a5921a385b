"""ember.vision.transforms.v2 and tv_tensors against torchvision's: kernels on Image, Mask
and BoundingBoxes (all three box formats), sample-level transforms that keep them
together, conversions, reprs."""
import warnings

import numpy as np
import pytest

import ember
from ember.vision import tv_tensors as etv
from ember.vision.transforms import v2 as E
from ember.vision.transforms.v2 import functional as EF

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")
from torchvision import tv_tensors as ttv  # noqa: E402
from torchvision.transforms import v2 as TT  # noqa: E402
from torchvision.transforms.v2 import functional as TF  # noqa: E402

H, W = 29, 37
_rng = np.random.default_rng(0)
IMG = _rng.integers(0, 256, (3, H, W), dtype=np.uint8)
MASK = (_rng.random((H, W)) > 0.5).astype(np.uint8)
BOXES = np.array([[2, 3, 20, 15], [10, 5, 30, 28], [0, 0, 36, 28]], dtype=np.float32)


def _boxes_in(fmt):
    if fmt == "XYWH":
        return np.concatenate([BOXES[:, :2], BOXES[:, 2:] - BOXES[:, :2]], 1)
    if fmt == "CXCYWH":
        return np.concatenate([(BOXES[:, :2] + BOXES[:, 2:]) / 2, BOXES[:, 2:] - BOXES[:, :2]], 1)
    return BOXES


def _sample(lib, tv, fmt):
    return [tv.Image(lib.from_numpy(IMG.copy())), tv.Mask(lib.from_numpy(MASK.copy())),
            tv.BoundingBoxes(lib.from_numpy(_boxes_in(fmt).copy()), format=fmt, canvas_size=(H, W))]


GEOMETRY = {
    "hflip": lambda F, x: F.horizontal_flip(x),
    "vflip": lambda F, x: F.vertical_flip(x),
    "resize": lambda F, x: F.resize(x, [15, 50]),
    "resize_int": lambda F, x: F.resize(x, 20),
    "crop": lambda F, x: F.crop(x, 3, 4, 20, 25),
    "center_crop": lambda F, x: F.center_crop(x, [20, 20]),
    "center_crop_pad": lambda F, x: F.center_crop(x, [40, 45]),
    "resized_crop": lambda F, x: F.resized_crop(x, 3, 4, 20, 25, [16, 16]),
    "pad": lambda F, x: F.pad(x, [1, 2, 3, 4]),
    "rotate": lambda F, x: F.rotate(x, 30.0),
    "rotate_expand": lambda F, x: F.rotate(x, 30.0, expand=True),
    "affine": lambda F, x: F.affine(x, angle=10.0, translate=[2, 3], scale=1.1, shear=[5.0, 2.0]),
    "perspective": lambda F, x: F.perspective(x, [[0, 0], [36, 0], [36, 28], [0, 28]],
                                              [[2, 1], [34, 0], [35, 27], [1, 26]]),
}


@pytest.mark.parametrize("fmt", ["XYXY", "XYWH", "CXCYWH"])
def test_geometry_kernels_move_image_mask_boxes_like_torchvision(fmt):
    for name, fn in GEOMETRY.items():
        for ours_in, theirs_in, tol in zip(_sample(ember, etv, fmt), _sample(torch, ttv, fmt), (1, 0, 1e-4)):
            ours, theirs = fn(EF, ours_in), fn(TF, theirs_in)
            where = f"{name} on {type(theirs_in).__name__} ({fmt})"
            assert type(ours).__name__ == type(theirs).__name__, where
            assert tuple(ours.shape) == tuple(theirs.shape), where
            np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64),
                                       atol=tol, rtol=0, err_msg=where)
            if isinstance(theirs, ttv.BoundingBoxes):
                assert tuple(ours.canvas_size) == tuple(theirs.canvas_size), where
                assert ours.format.value == theirs.format.value


def test_box_format_conversion_and_clamp():
    for old in ("XYXY", "XYWH", "CXCYWH"):
        for new in ("XYXY", "XYWH", "CXCYWH"):
            ours = EF.convert_bounding_box_format(etv.BoundingBoxes(ember.from_numpy(_boxes_in(old).copy()),
                                                                    format=old, canvas_size=(H, W)), new_format=new)
            theirs = TF.convert_bounding_box_format(ttv.BoundingBoxes(torch.from_numpy(_boxes_in(old).copy()),
                                                                      format=old, canvas_size=(H, W)), new_format=new)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-5)
            assert ours.format.value == new
    b = etv.BoundingBoxes([[-3.0, 2.0, 50.0, 40.0]], format="XYXY", canvas_size=(H, W))
    np.testing.assert_array_equal(E.ClampBoundingBoxes()(b).numpy(), [[0.0, 2.0, W, H]])
    assert E.ConvertBoundingBoxFormat("CXCYWH")(b).format == etv.BoundingBoxFormat.CXCYWH


def test_colour_ops_pass_masks_and_boxes_through():
    img, mask, boxes = _sample(ember, etv, "XYXY")
    out = E.Compose([E.ColorJitter(0.5, 0.5, 0.5, 0.1), E.RandomInvert(1.0), E.GaussianBlur(3),
                     E.RandomEqualize(1.0), E.RandomPosterize(3, p=1.0)])((img, mask, boxes))
    assert isinstance(out[0], etv.Image) and not np.array_equal(out[0].numpy(), IMG)
    assert out[1] is mask and out[2] is boxes
    ours = EF.adjust_brightness(img, 1.3)
    theirs = TF.adjust_brightness(ttv.Image(torch.from_numpy(IMG.copy())), 1.3)
    assert isinstance(ours, etv.Image)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_sample_transforms_keep_image_mask_boxes_together():
    rng = np.random.default_rng(1)
    img_f = rng.random((3, H, W), dtype=np.float32)
    mask = (img_f[0] > 0.5).astype(np.uint8)
    pipe = E.Compose([E.RandomCrop(24, padding=3, pad_if_needed=True), E.RandomHorizontalFlip(0.5),
                      E.RandomVerticalFlip(0.5), E.Pad([1, 2, 3, 4]), E.CenterCrop(22)])
    ember.manual_seed(0)
    for _ in range(10):
        sample = {"image": etv.Image(ember.from_numpy(img_f.copy())),
                  "target": {"masks": etv.Mask(ember.from_numpy(mask.copy())),
                             "boxes": etv.BoundingBoxes([[5.0, 6.0, 20.0, 25.0]], format="XYXY", canvas_size=(H, W)),
                             "labels": ember.tensor([3])}}
        out = pipe(sample)
        im, t = out["image"], out["target"]
        assert isinstance(im, etv.Image) and isinstance(t["masks"], etv.Mask)
        assert isinstance(t["boxes"], etv.BoundingBoxes) and tuple(t["boxes"].canvas_size) == (22, 22)
        assert t["labels"].tolist() == [3]
        # padding fills 0 in both, and no interpolation happens: mask == threshold of the image
        np.testing.assert_array_equal(t["masks"].numpy(), (im.numpy()[0] > 0.5).astype(np.uint8))
        x1, y1, x2, y2 = t["boxes"].numpy()[0]
        assert 0 <= x1 <= x2 <= 22 and 0 <= y1 <= y2 <= 22


def test_random_v2_repeatable_and_pure_tensor_rule():
    pipe = E.Compose([E.RandomResizedCrop(16), E.RandomHorizontalFlip(), E.RandomRotation(15),
                      E.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), 5), E.RandomPerspective(p=1.0),
                      E.ColorJitter(0.4, 0.4, 0.4, 0.1), E.RandomGrayscale(0.5), E.ToDtype(ember.float32, scale=True),
                      E.RandomErasing(1.0)])
    def sample():
        return (etv.Image(ember.from_numpy(IMG.copy())),
                          etv.BoundingBoxes(ember.from_numpy(BOXES.copy()), format="XYXY", canvas_size=(H, W)))
    ember.manual_seed(7)
    a = [pipe(sample()) for _ in range(3)]
    ember.manual_seed(7)
    b = [pipe(sample()) for _ in range(3)]
    for (ia, ba), (ib, bb) in zip(a, b):
        np.testing.assert_array_equal(ia.numpy(), ib.numpy())
        np.testing.assert_array_equal(ba.numpy(), bb.numpy())
        assert ia.dtype == ember.float32 and tuple(ia.shape[-2:]) == (16, 16)
    # with no Image in the sample only the first plain tensor is an image
    x, other = ember.from_numpy(IMG.copy()), ember.from_numpy(IMG.copy())
    fx, fo = E.RandomHorizontalFlip(1.0)(x, other)
    np.testing.assert_array_equal(fx.numpy(), IMG[..., ::-1])
    assert fo is other


def test_conversions_and_dtype():
    from PIL import Image as PILImage
    pil = PILImage.fromarray(IMG.transpose(1, 2, 0))
    im = E.ToImage()(pil)
    assert isinstance(im, etv.Image) and im.dtype == ember.uint8
    np.testing.assert_array_equal(im.numpy(), IMG)
    np.testing.assert_array_equal(E.ToImage()(IMG.transpose(1, 2, 0).copy()).numpy(), IMG)
    ours = E.Compose([E.ToImage(), E.ToDtype(ember.float32, scale=True), E.Normalize([0.5] * 3, [0.25] * 3)])(pil)
    theirs = TT.Compose([TT.ToImage(), TT.ToDtype(torch.float32, scale=True), TT.Normalize([0.5] * 3, [0.25] * 3)])(pil)
    assert isinstance(ours, etv.Image)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-6)
    f = etv.Image(ember.from_numpy(IMG.copy())).float() / 255
    for dt_e, dt_t in ((ember.uint8, torch.uint8), (ember.int16, torch.int16), (ember.float64, torch.float64)):
        np.testing.assert_array_equal(EF.to_dtype(etv.Image(f), dt_e, scale=True).numpy(),
                                      TF.to_dtype(ttv.Image(torch.from_numpy(f.numpy())), dt_t, scale=True).numpy())
    mask = etv.Mask(ember.from_numpy(MASK.copy()))
    assert E.ToDtype(ember.float32, scale=True)(mask) is mask
    d = E.ToDtype({etv.Image: ember.float32, etv.Mask: ember.int64, "others": None})
    out_img, out_mask = d(etv.Image(ember.from_numpy(IMG.copy())), mask)
    assert out_img.dtype == ember.float32 and out_mask.dtype == ember.int64 and isinstance(out_mask, etv.Mask)
    pure = E.ToPureTensor()(etv.Image(ember.from_numpy(IMG.copy())))
    assert type(pure) is ember.Tensor
    assert isinstance(E.PILToTensor()(pil), ember.Tensor)
    assert E.ToPILImage()(etv.Image(ember.from_numpy(IMG.copy()))).size == (W, H)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(E.ToTensor()(pil).numpy(), IMG / 255.0, atol=1e-6)


def test_tv_tensors_behave_like_torchvision():
    im = etv.Image(ember.zeros(2, 2, dtype=ember.uint8))
    assert tuple(im.shape) == (1, 2, 2)
    assert type(im + 1) is ember.Tensor                      # ops return plain tensors
    assert type(im.clone()) is etv.Image
    b = etv.BoundingBoxes([1, 2, 3, 4], format="xywh", canvas_size=(10, 12))
    assert tuple(b.shape) == (1, 4) and b.format is etv.BoundingBoxFormat.XYWH and b.canvas_size == (10, 12)
    w = etv.wrap(b + 1, like=b)
    assert type(w) is etv.BoundingBoxes and w.canvas_size == (10, 12)
    assert repr(b) == "BoundingBoxes([[1, 2, 3, 4]], format=BoundingBoxFormat.XYWH, canvas_size=(10, 12))"
    assert repr(im).startswith("Image([[[0, 0],")
    with pytest.raises(ValueError):
        etv.BoundingBoxes([1, 2, 3], format="XYXY", canvas_size=(4, 4))


def _v2_cases(T, lib, tv):
    I = T.InterpolationMode
    return [
        T.Compose([T.ToImage(), T.ToDtype(lib.float32, scale=True)]), T.ToDtype({tv.Image: lib.float32, "others": None}),
        T.ToPureTensor(), T.PILToTensor(), T.ToPILImage(), T.ConvertImageDtype(), T.Normalize([0.5], [0.2]),
        T.Resize(224), T.Resize((10, 20), interpolation=I.NEAREST, antialias=False), T.Resize(None, max_size=30),
        T.CenterCrop(7), T.RandomCrop(32, padding=4), T.RandomCrop((3, 4), padding=(1, 2), pad_if_needed=True, fill=1),
        T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.RandomVerticalFlip(0.3), T.RandomRotation(10),
        T.RandomRotation((1, 3), expand=True, center=(1, 1), fill=2),
        T.RandomAffine(10, translate=(0.1, 0.2), scale=(0.9, 1.1), shear=5), T.RandomPerspective(),
        T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.ColorJitter(), T.Grayscale(3), T.RandomGrayscale(), T.Pad(2),
        T.Pad([1, 2], fill=3, padding_mode="edge"), T.RandomApply([T.RandomHorizontalFlip()]),
        T.RandomApply([T.RandomHorizontalFlip(), T.Grayscale()], p=0.2), T.RandomChoice([T.Grayscale()]),
        T.RandomChoice([T.Grayscale(), T.RandomInvert()], p=[1, 3]), T.RandomOrder([T.Grayscale()]),
        T.GaussianBlur(3), T.GaussianBlur(5, 1.0), T.RandomErasing(), T.RandomErasing(value="random"),
        T.FiveCrop(10), T.TenCrop(10), T.AutoAugment(), T.RandAugment(), T.TrivialAugmentWide(),
        T.ClampBoundingBoxes(), T.ConvertBoundingBoxFormat("XYWH"), T.RandomInvert(), T.RandomPosterize(2),
        T.RandomSolarize(3), T.RandomAdjustSharpness(2), T.RandomAutocontrast(), T.RandomEqualize(),
        T.ElasticTransform(), T.Identity(), T.Lambda(lambda x: x),
    ]


def test_v2_reprs_match_torchvision():
    for ours, theirs in zip(_v2_cases(E, ember, etv), _v2_cases(TT, torch, ttv)):
        assert repr(ours) == repr(theirs)


def test_v2_autoaugment_on_image_and_errors():
    img = etv.Image(ember.from_numpy(IMG.copy()))
    for t in (E.AutoAugment(), E.RandAugment(), E.TrivialAugmentWide()):
        out = t(img)
        assert isinstance(out, etv.Image) and tuple(out.shape) == (3, H, W)
    with pytest.raises(TypeError, match="does not support PIL"):
        from PIL import Image as PILImage
        E.Normalize([0.5], [0.5])(PILImage.fromarray(IMG.transpose(1, 2, 0)))
    with pytest.raises(ValueError, match="Pass at least one transform"):
        E.Compose([])
    with pytest.raises(TypeError, match="not supported by FiveCrop"):
        E.FiveCrop(5)(img, etv.Mask(ember.from_numpy(MASK.copy())))
    with pytest.raises(ValueError, match="multiple HxW"):
        E.RandomCrop(5)(img, etv.Mask(ember.zeros(4, 4)))


def test_detection_transforms():
    boxes = [[1.0, 2.0, 20.0, 30.0], [10.0, 10.0, 10.5, 40.0], [30, 5, 49, 39], [-1, 0, 5, 5], [3, 3, 60, 9]]
    def sample(lib, tv):
        return {"image": tv.Image(lib.zeros(3, 40, 50, dtype=lib.uint8)),
                "boxes": tv.BoundingBoxes(boxes, format="XYXY", canvas_size=(40, 50)),
                "masks": tv.Mask(lib.arange(5 * 40 * 50).reshape(5, 40, 50) % 7),
                "labels": lib.tensor([1, 2, 3, 4, 5])}
    ours, theirs = E.SanitizeBoundingBoxes()(sample(ember, etv)), TT.SanitizeBoundingBoxes()(sample(torch, ttv))
    for k in ("boxes", "masks", "labels"):
        np.testing.assert_array_equal(ours[k].numpy(), theirs[k].numpy())
    assert isinstance(ours["boxes"], etv.BoundingBoxes) and isinstance(ours["masks"], etv.Mask)
    for e, t in ((E.RandomZoomOut(), TT.RandomZoomOut()), (E.RandomIoUCrop(), TT.RandomIoUCrop()),
                 (E.RandomPhotometricDistort(), TT.RandomPhotometricDistort()),
                 (E.RandomChannelPermutation(), TT.RandomChannelPermutation()),
                 (E.SanitizeBoundingBoxes(min_size=2), TT.SanitizeBoundingBoxes(min_size=2))):
        assert repr(e) == repr(t)
    ember.manual_seed(0)
    pipe = E.Compose([E.RandomPhotometricDistort(p=1.0), E.RandomZoomOut(fill={etv.Image: (123, 117, 104), "others": 0}, p=1.0),
                      E.RandomIoUCrop(), E.RandomHorizontalFlip(), E.Resize((32, 32)), E.SanitizeBoundingBoxes()])
    for _ in range(5):
        out = pipe(sample(ember, etv))
        n = out["boxes"].shape[0]
        assert out["masks"].shape[0] == n == out["labels"].shape[0] and tuple(out["image"].shape) == (3, 32, 32)
        b = out["boxes"].numpy()
        assert (b >= 0).all() and (b <= 32).all()
    x = etv.Image(ember.from_numpy(IMG.copy()))
    np.testing.assert_array_equal(EF.permute_channels(x, [2, 0, 1]).numpy(), IMG[[2, 0, 1]])


def test_v2_kernels_on_pil_match_torchvision():
    from PIL import Image as PILImage
    pil = PILImage.fromarray(IMG.transpose(1, 2, 0))
    for name, fn in GEOMETRY.items():
        ours, theirs = fn(EF, pil), fn(TF, pil)
        assert isinstance(ours, PILImage.Image), name
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs), err_msg=name)


def test_tv_tensors_pickle_and_dataloader_workers():
    import copy
    import pickle
    b = etv.BoundingBoxes([[1, 2, 3, 4]], format="XYWH", canvas_size=(5, 6))
    for obj in (pickle.loads(pickle.dumps(b)), copy.deepcopy(b)):
        assert type(obj) is etv.BoundingBoxes and obj.canvas_size == (5, 6) and obj.format == b.format
        np.testing.assert_array_equal(obj.numpy(), b.numpy())
    pipe = E.Compose([E.ToImage(), E.RandomResizedCrop(12), E.RandomHorizontalFlip(), E.ToDtype(ember.float32, scale=True)])
    pickle.loads(pickle.dumps(pipe))

    class Same(ember.utils.data.Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            return pipe(IMG.transpose(1, 2, 0).copy())

    def run():
        ember.manual_seed(3)
        loader = ember.utils.data.DataLoader(Same(), batch_size=4, num_workers=2)
        return [batch.numpy() for batch in loader]

    a, b2 = run(), run()
    assert all(np.array_equal(x, y) for x, y in zip(a, b2))         # repeatable with manual_seed
    assert not np.array_equal(a[0], a[1])                            # workers draw different crops


@pytest.mark.parametrize("mode,tol", [("BILINEAR", 1), ("BICUBIC", 4)])
def test_v2_uint8_resize_matches_native_kernel(mode, tol):
    rng = np.random.default_rng(2)
    for (h, w), size in (((75, 100), [24, 24]), ((29, 37), [40, 61])):
        a = rng.integers(0, 256, (2, 3, h, w), dtype=np.uint8)
        ours = EF.resize(etv.Image(ember.from_numpy(a)), size, interpolation=getattr(E.InterpolationMode, mode))
        theirs = TF.resize(ttv.Image(torch.from_numpy(a)), size, interpolation=getattr(TT.InterpolationMode, mode))
        assert isinstance(ours, etv.Image) and ours.dtype == ember.uint8
        assert np.abs(ours.numpy().astype(int) - theirs.numpy().astype(int)).max() <= tol
