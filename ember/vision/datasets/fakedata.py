"""FakeData (``torchvision.datasets.FakeData``): random images, reproducible per index.

Item ``i`` is drawn with ember's generator seeded ``i + random_offset`` (the global
generator's state is restored afterwards), as torchvision does with torch's; the values
differ from torchvision's because ember's random streams differ from torch's. Images are
``N(0, 1)`` tensors converted to PIL as ``ToPILImage`` does (x * 255 to uint8)."""
import numpy as np

from ... import get_rng_state, manual_seed, randint, randn, set_rng_state
from .._image_backend import import_pil
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        state = get_rng_state()
        manual_seed(index + self.random_offset)
        img = randn(*self.image_size)
        target = int(randint(0, self.num_classes, size=(1,))[0])
        set_rng_state(state)
        return self._apply(_float_chw_to_pil(img.numpy()), target)

    def __len__(self):
        return self.size


def _float_chw_to_pil(x):
    """(C, H, W) floats -> PIL image as ToPILImage: x * 255 cast to uint8 (wrapping)."""
    Image = import_pil()
    arr = (x * 255).astype(np.int64).astype(np.uint8)
    if arr.shape[0] == 1:
        return Image.fromarray(arr[0], mode="L")
    mode = {3: "RGB", 4: "RGBA"}.get(arr.shape[0])
    if mode is None:
        raise ValueError(f"FakeData image_size must have 1, 3 or 4 channels, got {arr.shape[0]}")
    return Image.fromarray(np.ascontiguousarray(arr.transpose(1, 2, 0)), mode=mode)
