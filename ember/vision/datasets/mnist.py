"""MNIST, FashionMNIST, KMNIST, EMNIST (``torchvision.datasets.mnist``).

Files are read from torchvision's layout, ``root/<ClassName>/raw/<name>-ubyte``; ember
also reads the gzipped ``<name>-ubyte.gz`` as published when the unpacked file is absent.
``data`` is a uint8 tensor (N, 28, 28) and ``targets`` an int64 tensor, as torchvision's;
items are ``(PIL image mode 'L', int)`` before transforms. Files that are not IDX files of
the expected type and shape raise RuntimeError "Dataset not found or corrupted" naming the
file. ``download=True`` downloads only what is absent, and without network fails at once
naming the files and the folder.
"""
import gzip
import os
import string

import numpy as np

from ... import from_numpy
from .._image_backend import import_pil
from .utils import (DatasetDownloadError, dataset_not_found, download_and_extract_archive,
                    verify_str_arg)
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "read_image_file", "read_label_file"]

# IDX type codes (http://yann.lecun.com/exdb/mnist/): code -> big-endian numpy dtype
_IDX_TYPES = {8: np.uint8, 9: np.int8, 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}


def _read_bytes(path):
    if os.path.exists(path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        return data
    with gzip.open(path + ".gz", "rb") as f:
        return f.read()


def read_idx(path):
    """The array stored in IDX file ``path`` (or ``path.gz``)."""
    try:
        data = _read_bytes(path)
    except (OSError, EOFError) as exc:
        raise dataset_not_found("the dataset", path, str(exc)) from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES \
            or not 1 <= data[3] <= 3:
        raise dataset_not_found("the dataset", path, "not an IDX file")
    nd, dtype = data[3], np.dtype(_IDX_TYPES[data[2]])
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(nd))
    offset = 4 + 4 * nd
    count = int(np.prod(shape))
    if len(data) - offset != count * dtype.itemsize:
        raise dataset_not_found("the dataset", path,
                                f"{len(data) - offset} bytes of data for shape {shape}")
    return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape) \
        .astype(dtype.newbyteorder("="))


def read_label_file(path):
    x = read_idx(path)
    if x.dtype != np.uint8 or x.ndim != 1:
        raise dataset_not_found("the dataset", path,
                                f"labels must be 1-D uint8, got {x.ndim}-D {x.dtype}")
    return from_numpy(x.astype(np.int64))


def read_image_file(path):
    x = read_idx(path)
    if x.dtype != np.uint8 or x.ndim != 3:
        raise dataset_not_found("the dataset", path,
                                f"images must be 3-D uint8, got {x.ndim}-D {x.dtype}")
    return from_numpy(np.ascontiguousarray(x))


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ from ``root/MNIST/raw``."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(os.fspath(root), transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(f"Dataset not found: no {', '.join(self._needed_files())} in "
                               f"{self.raw_folder}. You can use download=True to download it")
        self.data, self.targets = self._load_data()
        if len(self.data) != len(self.targets):
            raise dataset_not_found(type(self).__name__, self.raw_folder,
                                    f"{len(self.data)} images but {len(self.targets)} labels")

    @property
    def images_file(self):
        return os.path.join(self.raw_folder,
                            f"{'train' if self.train else 't10k'}-images-idx3-ubyte")

    @property
    def labels_file(self):
        return os.path.join(self.raw_folder,
                            f"{'train' if self.train else 't10k'}-labels-idx1-ubyte")

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _needed_files(self):
        return [os.path.basename(self.images_file), os.path.basename(self.labels_file)]

    def _check_exists(self):
        return all(os.path.isfile(f) or os.path.isfile(f + ".gz")
                   for f in (self.images_file, self.labels_file))

    def _archives(self):
        """(url candidates, archive name, md5) of the files this split reads."""
        wanted = {name + ".gz" for name in self._needed_files()}
        return [([m + name for m in self.mirrors], name, md5)
                for name, md5 in self.resources if name in wanted]

    def download(self):
        """Download the missing files of this split (none are touched when present)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        archives = self._archives()
        for urls, name, md5 in archives:
            errors = []
            for url in urls:
                try:
                    download_and_extract_archive(url, self.raw_folder, filename=name, md5=md5)
                    break
                except DatasetDownloadError as exc:
                    errors.append(exc)
                except Exception as exc:  # noqa: BLE001 - every mirror tried, all reported
                    errors.append(RuntimeError(f"{url}: {exc}"))
            else:
                if all(isinstance(e, DatasetDownloadError) for e in errors):
                    names = ", ".join(f"{n[:-3]} (or {n})" for _, n, _ in archives)
                    raise DatasetDownloadError(
                        f"cannot download {type(self).__name__}: no network ("
                        + "; ".join(getattr(e, "reason", str(e)) for e in errors)
                        + f"). Put {names} in {self.raw_folder} and construct the dataset "
                        "again.")
                raise RuntimeError(f"Error downloading {name} to {self.raw_folder}:\n"
                                   + "\n".join(str(e) for e in errors))

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        img = import_pil().fromarray(img.numpy(), mode="L")
        return self._apply(img, target)

    def __len__(self):
        return len(self.data)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    @property
    def train_labels(self):
        return self.targets

    @property
    def test_labels(self):
        return self.targets

    @property
    def train_data(self):
        return self.data

    @property
    def test_data(self):
        return self.data

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_ from ``root/FashionMNIST/raw``."""
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_ from ``root/KMNIST/raw``."""
    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
                 ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
                 ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
                 ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134")]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """`EMNIST <https://www.westernsydney.edu.au/bens/home/reproducible_research/emnist>`_
    from ``root/EMNIST/raw/emnist-<split>-<train|test>-*-ubyte``. The images are stored as
    published (transposed), as torchvision returns them."""
    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @property
    def _file_prefix(self):
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def download(self):
        """EMNIST is one 535 MB zip of every split; without network this fails naming the
        files and folder."""
        if self._check_exists():
            return
        import shutil
        os.makedirs(self.raw_folder, exist_ok=True)
        download_and_extract_archive(self.url, self.raw_folder, filename="emnist.zip",
                                     md5=self.md5, files=self._needed_files())
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gzip_folder):
            if name.endswith(".gz"):
                os.replace(os.path.join(gzip_folder, name), os.path.join(self.raw_folder, name))
        shutil.rmtree(gzip_folder)
