"""Values a SummaryWriter accepts -> NumPy arrays, and image layouts -> HWC.

Follows torch.utils.tensorboard: ember Tensors, NumPy arrays and Python numbers are
accepted everywhere; images in CHW / HWC / HW / NCHW (and any permutation named by
``dataformats``), uint8 in [0, 255] or float in [0, 1]; a batch is tiled into one grid
of 8 columns.
"""
import numpy as np


def make_np(x):
    """An ember Tensor (detached, on the host), NumPy array or Python number as ndarray."""
    from ..._tensor import Tensor
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        if x.dtype.is_floating_point and x.dtype.itemsize < 4:
            x = x.float()          # bfloat16 / float16: NumPy-friendly float32 values
        return x.detach().cpu().numpy()
    if np.isscalar(x) or isinstance(x, (list, tuple)):
        return np.array(x) if not np.isscalar(x) else np.array([x])
    raise NotImplementedError(f"Got {type(x)}, but numpy array or ember tensor are expected.")


def scale_factor(array):
    """255 for float images (values in [0, 1]), 1 for uint8 images."""
    return 1 if array.dtype == np.uint8 else 255


def grid_nchw(images, ncols=8):
    """Tile N images (N1HW or N3HW) into one 3-channel CHW canvas, row by row."""
    if images.shape[1] == 1:
        images = np.concatenate([images, images, images], 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    n, _, h, w = images.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(float(n) / ncols))
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=images.dtype)
    for i in range(n):
        y, x = divmod(i, ncols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = images[i]
    return canvas


def to_hwc(array, dataformats):
    """``array`` laid out as ``dataformats`` (letters N, C, H, W) -> an HWC image."""
    if len(set(dataformats)) != len(dataformats):
        raise AssertionError("You can not use the same dimension shorthand twice. "
                             f"input_format: {dataformats}")
    if array.ndim != len(dataformats):
        raise AssertionError("size of input tensor and input format are different. "
                             f"tensor shape: {array.shape}, input_format: {dataformats}")
    fmt = dataformats.upper()
    if len(fmt) == 4:
        return grid_nchw(array.transpose([fmt.find(c) for c in "NCHW"])).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = array.transpose([fmt.find(c) for c in "HWC"])
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    if len(fmt) == 2:
        hw = array.transpose([fmt.find(c) for c in "HW"])
        return np.stack([hw, hw, hw], 2)
    raise AssertionError(f"dataformats must have 2 to 4 letters, got {dataformats!r}")
