"""ember.vision.io against torchvision.io: same pixels decoded, files readable by both."""
import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

import ember  # noqa: E402
from ember.vision import io  # noqa: E402

torch = pytest.importorskip("torch")
tvio = pytest.importorskip("torchvision.io")


def _write_images(tmp_path):
    rng = np.random.RandomState(0)
    rgb = rng.randint(0, 256, (17, 23, 3), dtype=np.uint8)
    paths = {}
    for name, img in [("rgb.png", Image.fromarray(rgb)),
                      ("rgba.png", Image.fromarray(rng.randint(0, 256, (9, 8, 4), np.uint8))),
                      ("gray.png", Image.fromarray(rgb[:, :, 0], mode="L")),
                      ("la.png", Image.fromarray(rng.randint(0, 256, (6, 7, 2), np.uint8),
                                                 mode="LA")),
                      ("palette.png", Image.fromarray(rgb).convert("P")),
                      ("rgb.jpg", Image.fromarray(rgb)),
                      ("gray.jpg", Image.fromarray(rgb[:, :, 1], mode="L"))]:
        paths[name] = str(tmp_path / name)
        img.save(paths[name])
    return paths


@pytest.mark.parametrize("name", ["rgb.png", "rgba.png", "gray.png", "la.png", "palette.png",
                                  "rgb.jpg", "gray.jpg"])
@pytest.mark.parametrize("mode", ["UNCHANGED", "RGB", "GRAY", "RGB_ALPHA"])
def test_read_image_matches_torchvision(tmp_path, name, mode):
    if name == "palette.png" and mode == "RGB_ALPHA":
        pytest.skip("torchvision 0.29 returns an RGB palette image's RGB bytes reshaped as "
                    "RGBA (scrambled pixels); ember returns Pillow's RGBA conversion")
    path = _write_images(tmp_path)[name]
    if name.endswith(".jpg") and mode == "RGB_ALPHA":
        with pytest.raises(RuntimeError, match="not supported for JPEG"):
            tvio.read_image(path, tvio.ImageReadMode.RGB_ALPHA)
        with pytest.raises(RuntimeError, match="not supported for JPEG"):
            io.read_image(path, io.ImageReadMode.RGB_ALPHA)
        return
    got = io.read_image(path, getattr(io.ImageReadMode, mode))
    expected = tvio.read_image(path, getattr(tvio.ImageReadMode, mode))
    assert got.dtype == ember.uint8 and tuple(got.shape) == tuple(expected.shape)
    if mode == "GRAY" and not name.startswith("gray"):
        # RGB -> luma: Pillow's and libpng/libjpeg's weights round differently
        assert np.abs(got.numpy().astype(int) - expected.numpy().astype(int)).max() <= 1
    else:
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_decode_functions_and_file_bytes(tmp_path):
    paths = _write_images(tmp_path)
    data = io.read_file(paths["rgb.png"])
    assert data.dtype == ember.uint8 and data.dim() == 1
    np.testing.assert_array_equal(data.numpy(), tvio.read_file(paths["rgb.png"]).numpy())
    np.testing.assert_array_equal(io.decode_png(data).numpy(),
                                  tvio.decode_png(tvio.read_file(paths["rgb.png"])).numpy())
    np.testing.assert_array_equal(io.decode_image(data).numpy(), io.read_image(paths["rgb.png"]))
    jpeg = io.read_file(paths["rgb.jpg"])
    np.testing.assert_array_equal(io.decode_jpeg(jpeg).numpy(),
                                  tvio.decode_jpeg(tvio.read_file(paths["rgb.jpg"])).numpy())
    assert len(io.decode_jpeg([jpeg, jpeg])) == 2
    io.write_file(str(tmp_path / "copy.png"), data)
    with open(paths["rgb.png"], "rb") as f:
        assert (tmp_path / "copy.png").read_bytes() == f.read()
    with pytest.raises(RuntimeError, match="decode_png"):
        io.decode_png(jpeg)
    with pytest.raises(RuntimeError, match="could not decode"):
        io.decode_image(ember.zeros(10, dtype=ember.uint8))


@pytest.mark.parametrize("c", [1, 2, 3, 4])
def test_encode_write_png_round_trip(tmp_path, c):
    arr = np.random.RandomState(c).randint(0, 256, (c, 11, 13)).astype(np.uint8)
    img = ember.from_numpy(arr)
    encoded = io.encode_png(img, compression_level=9)
    # torchvision decodes ember's PNG to the same pixels, and the other way round
    np.testing.assert_array_equal(tvio.decode_png(torch.from_numpy(encoded.numpy())).numpy(), arr)
    if c in (1, 3):   # torchvision encodes only these; ember also writes LA and RGBA
        theirs = tvio.encode_png(torch.from_numpy(arr))
        np.testing.assert_array_equal(io.decode_png(ember.from_numpy(theirs.numpy())).numpy(),
                                      arr)
    io.write_png(img, str(tmp_path / "out.png"))
    np.testing.assert_array_equal(tvio.read_image(str(tmp_path / "out.png")).numpy(), arr)


def test_encode_write_jpeg(tmp_path):
    arr = np.random.RandomState(0).randint(0, 256, (3, 32, 40)).astype(np.uint8)
    arr = np.clip(arr // 4 * 4, 0, 255).astype(np.uint8)
    ours = io.encode_jpeg(ember.from_numpy(arr), quality=95)
    theirs = tvio.encode_jpeg(torch.from_numpy(arr), quality=95)
    a = tvio.decode_jpeg(torch.from_numpy(ours.numpy())).numpy().astype(int)
    b = tvio.decode_jpeg(theirs).numpy().astype(int)
    assert a.shape == b.shape == arr.shape
    assert np.abs(a - b).mean() < 2.0   # two libjpeg encoders at the same quality
    io.write_jpeg(ember.from_numpy(arr[:1]), str(tmp_path / "g.jpg"))
    with Image.open(tmp_path / "g.jpg") as im:
        assert im.mode == "L"
    with pytest.raises(ValueError, match="quality"):
        io.encode_jpeg(ember.from_numpy(arr), quality=0)
    with pytest.raises(RuntimeError, match="uint8"):
        io.encode_png(ember.zeros(3, 4, 4))
    with pytest.raises(RuntimeError, match="3-D"):
        io.encode_png(ember.zeros(4, 4, dtype=ember.uint8))


def test_vision_imports_no_optional_library():
    """ember.vision's models, datasets, utils, io and ember.hub import Pillow (and SciPy,
    tqdm) only when they read or write an image."""
    import subprocess
    import sys
    code = ("import sys, ember, ember.hub, ember.vision.models, ember.vision.datasets, "
            "ember.vision.utils, ember.vision.io; "
            "print([m for m in ('PIL', 'scipy', 'tqdm', 'torch', 'torchvision') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
