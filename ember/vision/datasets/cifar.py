"""CIFAR10 and CIFAR100 from the python batches (``torchvision.datasets.cifar``).

The batch files are pickles. torchvision reads them with ``pickle.load``, which runs any
code a crafted file names; ember reads them with a restricted unpickler that builds only
the containers, numbers, strings and numpy arrays the real files hold, and raises
"Dataset not found or corrupted" naming the file for anything else. Integrity is checked
by structure (keys, array sizes) rather than by torchvision's md5 sums, so a re-packed or
subset file in the same format loads. ``data`` is a uint8 numpy array (N, 32, 32, 3) and
``targets`` a list of ints, as torchvision's.
"""
import os
import pickle

import numpy as np

from .._image_backend import import_pil
from .utils import dataset_not_found, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]

# what a numpy array pickle (protocol 2, as the CIFAR files were written) refers to
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor"),
    ("__builtin__", "object"), ("builtins", "object"),
    ("_codecs", "encode"),   # protocol-2 pickles written by Python 3 store bytes this way
}


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global '{module}.{name}' is not allowed in a dataset file")


def load_batch(path):
    """The dict in CIFAR batch file ``path``, read without running code."""
    try:
        with open(path, "rb") as f:
            entry = _RestrictedUnpickler(f, encoding="latin1").load()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError,
            AttributeError, IndexError, KeyError) as exc:
        raise dataset_not_found("CIFAR", path, str(exc)) from None
    if not isinstance(entry, dict):
        raise dataset_not_found("CIFAR", path, f"expected a dict, got {type(entry).__name__}")
    return entry


class CIFAR10(VisionDataset):
    """`CIFAR10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ from ``root/cifar-10-batches-py``."""
    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [["data_batch_1", "c99cafc152244af753f735de768cd75f"],
                  ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
                  ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
                  ["data_batch_4", "634d18415352ddfa80567beed471001a"],
                  ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"]]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}
    _label_keys = ("labels", "fine_labels")

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(os.fspath(root), transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        folder = os.path.join(self.root, self.base_folder)
        files = [name for name, _ in (self.train_list if train else self.test_list)]
        missing = [n for n in files + [self.meta["filename"]]
                   if not os.path.isfile(os.path.join(folder, n))]
        if missing:
            raise RuntimeError(f"Dataset not found or corrupted: no {', '.join(missing)} in "
                               f"{folder}. You can use download=True to download it")
        data, targets = [], []
        for name in files:
            path = os.path.join(folder, name)
            entry = load_batch(path)
            array = entry.get("data")
            labels = next((entry[k] for k in self._label_keys if k in entry), None)
            if not isinstance(array, np.ndarray) or array.dtype != np.uint8 \
                    or array.ndim != 2 or array.shape[1] != 3072 or labels is None \
                    or len(labels) != len(array):
                raise dataset_not_found(type(self).__name__, path,
                                        "expected uint8 'data' of shape (N, 3072) and N labels")
            data.append(array)
            targets.extend(int(t) for t in labels)
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        self.targets = targets
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        names = load_batch(path).get(self.meta["key"])
        if not isinstance(names, (list, tuple)):
            raise dataset_not_found(type(self).__name__, path,
                                    f"no '{self.meta['key']}' list of class names")
        self.classes = list(names)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img, target = self.data[index], self.targets[index]
        return self._apply(import_pil().fromarray(img), target)

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        folder = os.path.join(self.root, self.base_folder)
        return all(os.path.isfile(os.path.join(folder, n))
                   for n, _ in self.train_list + self.test_list + [[self.meta["filename"], 0]])

    def download(self):
        if self._check_integrity():
            return
        download_and_extract_archive(
            self.url, self.root, filename=self.filename, md5=self.tgz_md5,
            files=[f"{self.filename} (or its {self.base_folder}/ folder)"])

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """`CIFAR100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ from ``root/cifar-100-python``
    (fine labels)."""
    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}
    _label_keys = ("fine_labels",)
