"""Image reading, decoding and encoding on ember tensors (torchvision.io.image), via Pillow.

Tensors are (C, H, W) uint8; file contents are 1-D uint8 tensors. ``ImageReadMode``
chooses the output channels (UNCHANGED keeps the file's: 1 for grayscale, 2 for
gray+alpha, 3 for RGB, 4 for RGBA; a palette image gives its indices, one channel, as
torchvision's libpng path does; the other modes expand the palette). 16-bit
images raise NotImplementedError (ember has no uint16 tensors yet).
"""
import io
import os
from enum import Enum

import numpy as np

from ... import Tensor, from_numpy, uint8
from .._image_backend import import_pil

__all__ = ["ImageReadMode", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg",
           "encode_png", "read_file", "read_image", "write_file", "write_jpeg", "write_png"]


class ImageReadMode(Enum):
    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA


_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
             ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path):
    """The bytes of file ``path`` as a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return from_numpy(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data):
    """Write a 1-D uint8 tensor's bytes to ``filename``."""
    _check_bytes_tensor(data, "write_file")
    with open(os.fspath(filename), "wb") as f:
        f.write(data.cpu().numpy().tobytes())


def _check_bytes_tensor(data, fn):
    if not isinstance(data, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(data).__name__}")
    if data.dtype != uint8 or data.dim() != 1:
        raise RuntimeError(f"{fn}: expected a 1-D uint8 tensor, got {data.dim()}-D "
                           f"{data.dtype}")


def _mode(mode):
    if isinstance(mode, str):
        try:
            return ImageReadMode[mode.upper()]
        except KeyError:
            raise ValueError(f"Unknown image read mode {mode!r}: one of "
                             f"{[m.name for m in ImageReadMode]}") from None
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"mode must be an ImageReadMode, got {type(mode).__name__}")
    return mode


def _pil_to_chw(img, mode, apply_exif_orientation):
    Image = import_pil()
    if apply_exif_orientation:
        from PIL import ImageOps
        img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        raise NotImplementedError(f"decoding {img.mode} (16-bit or float) images: ember has no "
                                  "uint16 tensors yet")
    target = _PIL_MODE.get(mode)
    if target is None:   # UNCHANGED: the file's channels, palettes expanded
        if img.mode == "P":   # torchvision returns the palette indices, one channel
            target = "P"
        elif img.mode == "1":
            target = "L"
        elif img.mode in ("L", "LA", "RGB", "RGBA"):
            target = img.mode
        else:
            target = "RGB"
    if img.mode != target:
        img = img.convert(target)
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    del Image
    return from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _open(data, fn, formats=None, mode=ImageReadMode.UNCHANGED):
    gray = _mode(mode) in (ImageReadMode.GRAY, ImageReadMode.GRAY_ALPHA)
    Image = import_pil()
    _check_bytes_tensor(data, fn)
    try:
        img = Image.open(io.BytesIO(data.cpu().numpy().tobytes()), formats=formats)
        if img.format == "JPEG" and _mode(mode) in (ImageReadMode.GRAY_ALPHA,
                                                     ImageReadMode.RGB_ALPHA):
            raise ValueError("The provided mode is not supported for JPEG files")
        if gray and img.format == "JPEG" and img.mode != "L":
            img.draft("L", img.size)   # libjpeg's own Y output, as torchvision's decoder
        img.load()
    except ValueError as exc:
        raise RuntimeError(f"{fn}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises several types for bad data
        what = "/".join(formats) if formats else "image"
        raise RuntimeError(f"{fn}: could not decode the {what} data ({exc})") from None
    return img


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Decode image bytes (a 1-D uint8 tensor, or a path) to a (C, H, W) uint8 tensor."""
    if not isinstance(input, Tensor):
        input = read_file(input)
    return _pil_to_chw(_open(input, "decode_image", mode=mode), _mode(mode), apply_exif_orientation)


def read_image(path, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    """Read an image file into a (C, H, W) uint8 tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def decode_png(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=False):
    return _pil_to_chw(_open(input, "decode_png", ["PNG"]), _mode(mode), apply_exif_orientation)


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu", apply_exif_orientation=False):
    """Decode JPEG bytes (or a list of them) to (C, H, W) uint8 tensors on ``device``."""
    if isinstance(input, (list, tuple)):
        return [decode_jpeg(x, mode, device, apply_exif_orientation) for x in input]
    out = _pil_to_chw(_open(input, "decode_jpeg", ["JPEG"], mode), _mode(mode), apply_exif_orientation)
    return out if str(device) == "cpu" else out.to(device)


def _chw_to_pil(input, fn):
    Image = import_pil()
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: expected a Tensor, got {type(input).__name__}")
    if input.dtype != uint8:
        raise RuntimeError(f"{fn}: input tensor dtype should be uint8, got {input.dtype}")
    if input.dim() != 3:
        raise RuntimeError(f"{fn}: input data should be a 3-D (C, H, W) tensor, got "
                           f"{input.dim()}-D of shape {tuple(input.shape)}")
    c = input.size(0)
    modes = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
    if c not in modes:
        raise RuntimeError(f"{fn}: the number of channels should be 1, 2, 3 or 4, got {c}")
    arr = input.detach().cpu().numpy().transpose(1, 2, 0)
    arr = np.ascontiguousarray(arr[:, :, 0] if c == 1 else arr)
    return Image.fromarray(arr, mode=modes[c])


def _encode(img, **save_kwargs):
    buf = io.BytesIO()
    img.save(buf, **save_kwargs)
    return from_numpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_png(input, compression_level=6):
    """PNG bytes of a (C, H, W) uint8 tensor (zlib ``compression_level`` 0..9)."""
    if not 0 <= compression_level <= 9:
        raise RuntimeError(f"Compression level should be between 0 and 9, got "
                           f"{compression_level}")
    return _encode(_chw_to_pil(input, "encode_png"), format="PNG",
                   compress_level=compression_level)


def encode_jpeg(input, quality=75):
    """JPEG bytes of a (1|3, H, W) uint8 tensor (or a list of them) at ``quality`` 1..100."""
    if isinstance(input, (list, tuple)):
        return [encode_jpeg(x, quality) for x in input]
    if not 1 <= quality <= 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if input.dim() == 3 and input.size(0) not in (1, 3):
        raise RuntimeError(f"encode_jpeg: the number of channels should be 1 or 3, got "
                           f"{input.size(0)}")
    return _encode(_chw_to_pil(input, "encode_jpeg"), format="JPEG", quality=quality)


def write_png(input, filename, compression_level=6):
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input, filename, quality=75):
    write_file(filename, encode_jpeg(input, quality))
