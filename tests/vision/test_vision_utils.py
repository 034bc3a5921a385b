"""ember.vision.utils against torchvision.utils: same pixels on the same inputs."""
import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

import ember  # noqa: E402
from ember.vision import utils  # noqa: E402

torch = pytest.importorskip("torch")
tvu = pytest.importorskip("torchvision.utils")


def _pair(shape, seed=0, low=0.0, high=1.0):
    x = np.random.RandomState(seed).uniform(low, high, shape).astype(np.float32)
    return ember.from_numpy(x.copy()), torch.from_numpy(x.copy())


@pytest.mark.parametrize("kwargs", [
    {}, {"nrow": 3}, {"padding": 0}, {"padding": 5, "pad_value": 0.7},
    {"normalize": True}, {"normalize": True, "value_range": (0.2, 0.6)},
    {"normalize": True, "scale_each": True}, {"nrow": 1, "normalize": True, "scale_each": True,
                                              "value_range": (-1.0, 1.0)}])
@pytest.mark.parametrize("shape", [(7, 3, 6, 5), (4, 1, 5, 5), (3, 6, 5), (1, 3, 4, 4), (6, 5)])
def test_make_grid_matches_torchvision(shape, kwargs):
    a, b = _pair(shape, low=-0.5, high=1.5)
    got, expected = utils.make_grid(a, **kwargs), tvu.make_grid(b, **kwargs)
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)


def test_make_grid_list_input_and_errors():
    imgs = [_pair((3, 4, 5), seed=i) for i in range(3)]
    got = utils.make_grid([a for a, _ in imgs], nrow=2)
    expected = tvu.make_grid([b for _, b in imgs], nrow=2)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        utils.make_grid(np.zeros((3, 4, 4)))
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        utils.make_grid(imgs[0][0], normalize=True, value_range=[0, 1])


def test_make_grid_passes_gradients():
    x = ember.rand(4, 3, 5, 5, requires_grad=True)
    utils.make_grid(x, nrow=2).sum().backward()
    assert ember.equal(x.grad, ember.ones_like(x))


@pytest.mark.parametrize("kwargs", [{}, {"nrow": 2, "padding": 1, "normalize": True}])
def test_save_image_pixels_match_torchvision(tmp_path, kwargs):
    a, b = _pair((5, 3, 9, 7), seed=3)
    utils.save_image(a, str(tmp_path / "ours.png"), **kwargs)
    tvu.save_image(b, str(tmp_path / "theirs.png"), **kwargs)
    with Image.open(tmp_path / "ours.png") as ours, Image.open(tmp_path / "theirs.png") as theirs:
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    utils.save_image(a[0], str(tmp_path / "one.jpg"))
    with Image.open(tmp_path / "one.jpg") as one:
        assert one.size == (7, 9)


def _image_pair(c=3, h=40, w=50, floating=False):
    arr = np.random.RandomState(1).randint(0, 256, (c, h, w)).astype(np.uint8)
    if floating:
        arr = (arr / 255).astype(np.float32)
    return ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


@pytest.mark.parametrize("options", [
    {}, {"colors": "red", "width": 3}, {"fill": True, "labels": ["a", "bb"]},
    {"labels": ["cat", "dog"], "fill_labels": True, "colors": [(0, 255, 0), "#0000ff"]}])
@pytest.mark.parametrize("c,floating", [(3, False), (1, False), (3, True)])
def test_draw_bounding_boxes_matches_torchvision(options, c, floating):
    a, b = _image_pair(c=c, floating=floating)
    boxes = [[2, 3, 20, 30], [10, 5, 45, 38.6]]
    got = utils.draw_bounding_boxes(a, ember.tensor(boxes), **options)
    expected = tvu.draw_bounding_boxes(b, torch.tensor(boxes), **options)
    assert str(got.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-6)


def test_draw_bounding_boxes_errors():
    a, _ = _image_pair()
    with pytest.raises(ValueError, match="xmin, ymin, xmax, ymax"):
        utils.draw_bounding_boxes(a, ember.tensor([[10, 10, 5, 5]]))
    with pytest.raises(ValueError, match="labels"):
        utils.draw_bounding_boxes(a, ember.tensor([[1, 1, 5, 5]]), labels=["a", "b"])
    with pytest.raises(ValueError, match="batches"):
        utils.draw_bounding_boxes(a[None], ember.tensor([[1, 1, 5, 5]]))


@pytest.mark.parametrize("floating", [False, True])
@pytest.mark.parametrize("options", [{}, {"alpha": 0.3, "colors": ["red", (10, 200, 30)]}])
def test_draw_segmentation_masks_matches_torchvision(floating, options):
    a, b = _image_pair(floating=floating)
    rng = np.random.RandomState(2)
    masks = rng.rand(2, 40, 50) > 0.6
    got = utils.draw_segmentation_masks(a, ember.from_numpy(masks), **options)
    expected = tvu.draw_segmentation_masks(b, torch.from_numpy(masks), **options)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="bool"):
        utils.draw_segmentation_masks(a, ember.zeros(1, 40, 50))


def test_draw_keypoints_matches_torchvision():
    a, b = _image_pair()
    kpts = [[[5.0, 6.0], [20.0, 30.0], [40.0, 10.0]], [[12.0, 12.0], [30.0, 35.0], [3.0, 30.0]]]
    vis = [[True, True, False], [True, True, True]]
    kwargs = dict(connectivity=[(0, 1), (1, 2)], colors="blue", radius=3, width=2)
    got = utils.draw_keypoints(a, ember.tensor(kpts), visibility=ember.tensor(vis), **kwargs)
    expected = tvu.draw_keypoints(b, torch.tensor(kpts), visibility=torch.tensor(vis), **kwargs)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
