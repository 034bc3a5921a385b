"""SVHN (``torchvision.datasets.SVHN``) from ``root/<split>_32x32.mat``, read with SciPy
(``pip install 'ember[scipy]'``). ``data`` is uint8 (N, 3, 32, 32); label 10 becomes 0."""
import os

import numpy as np

from .._image_backend import import_pil
from .utils import dataset_not_found, download_url, verify_str_arg
from .vision import VisionDataset

__all__ = ["SVHN"]


class SVHN(VisionDataset):
    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat", "train_32x32.mat",
                  "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat", "test_32x32.mat",
                 "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", "extra_32x32.mat",
                  "a93ce644f1a588dc4d68dda5feec44a7"],
    }

    def __init__(self, root, split="train", transform=None, target_transform=None,
                 download=False):
        super().__init__(os.fspath(root), transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list.keys()))
        self.url, self.filename, self.file_md5 = self.split_list[split]
        path = os.path.join(self.root, self.filename)
        if download:
            self.download()
        if not os.path.isfile(path):
            raise RuntimeError(f"Dataset not found or corrupted: no {self.filename} in "
                               f"{self.root}. You can use download=True to download it")
        try:
            import scipy.io as sio
        except ImportError as exc:
            raise ImportError("SVHN reads .mat files with SciPy: pip install 'ember[scipy]'") \
                from exc
        try:
            mat = sio.loadmat(path)
            x, y = mat["X"], mat["y"]
        except Exception as exc:  # noqa: BLE001 - scipy raises many types for a bad file
            raise dataset_not_found("SVHN", path, str(exc)) from None
        if x.ndim != 4 or x.shape[:3] != (32, 32, 3) or y.size != x.shape[3]:
            raise dataset_not_found("SVHN", path, f"X has shape {x.shape}, y {y.shape}")
        self.data = np.transpose(x.astype(np.uint8), (3, 2, 0, 1))
        labels = y.astype(np.int64).squeeze(axis=tuple(range(1, y.ndim))) if y.ndim > 1 \
            else y.astype(np.int64)
        np.place(labels, labels == 10, 0)
        self.labels = labels

    def __getitem__(self, index):
        img, target = self.data[index], int(self.labels[index])
        return self._apply(import_pil().fromarray(np.transpose(img, (1, 2, 0))), target)

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        return os.path.isfile(os.path.join(self.root, self.filename))

    def download(self):
        if not self._check_integrity():
            download_url(self.url, self.root, self.filename, self.file_md5)

    def extra_repr(self):
        return "Split: {split}".format(**self.__dict__)
