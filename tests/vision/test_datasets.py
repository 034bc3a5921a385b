"""ember.vision.datasets against torchvision on files written in the real formats."""
import gzip
import os
import pickle
import struct

import numpy as np
import pytest

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

import ember  # noqa: E402
from ember.vision import datasets  # noqa: E402


def _pixels(img):
    return np.asarray(img)


def _write_tree(root, rng):
    """root/{cat,dog,zebra}/ with PNG and JPEG files (and a text file to ignore)."""
    for c, cls in enumerate(["dog", "cat", "zebra"]):
        folder = os.path.join(root, cls, "sub" if cls == "zebra" else "")
        os.makedirs(folder, exist_ok=True)
        for i in range(3):
            arr = rng.randint(0, 256, (12 + i, 10 + c, 3), dtype=np.uint8)
            ext = "png" if (i + c) % 2 else "jpg"
            Image.fromarray(arr).save(os.path.join(folder, f"img{i}.{ext}"))
        with open(os.path.join(folder, "notes.txt"), "w") as f:
            f.write("not an image")
    Image.fromarray(rng.randint(0, 256, (8, 8), dtype=np.uint8), mode="L").save(
        os.path.join(root, "cat", "gray.PNG"))


def test_image_folder_matches_torchvision(tmp_path):
    tvd = pytest.importorskip("torchvision.datasets")
    _write_tree(str(tmp_path), np.random.RandomState(0))
    ours, theirs = datasets.ImageFolder(str(tmp_path)), tvd.ImageFolder(str(tmp_path))
    assert ours.classes == theirs.classes == ["cat", "dog", "zebra"]
    assert ours.class_to_idx == theirs.class_to_idx
    assert ours.samples == theirs.samples and ours.imgs == theirs.imgs
    assert ours.targets == theirs.targets
    assert len(ours) == len(theirs) == 10
    for i in range(len(ours)):
        (a, ta), (b, tb) = ours[i], theirs[i]
        assert ta == tb and a.mode == b.mode == "RGB"
        np.testing.assert_array_equal(_pixels(a), _pixels(b))
    assert repr(ours).replace("ember", "") == repr(theirs)


def test_dataset_folder_options(tmp_path):
    tvd = pytest.importorskip("torchvision.datasets")
    _write_tree(str(tmp_path), np.random.RandomState(1))
    os.makedirs(tmp_path / "empty")
    kwargs = dict(loader=lambda p: os.path.getsize(p), extensions=(".png",), allow_empty=True)
    ours, theirs = datasets.DatasetFolder(str(tmp_path), **kwargs), \
        tvd.DatasetFolder(str(tmp_path), **kwargs)
    assert ours.samples == theirs.samples and ours.classes == theirs.classes
    assert ours[0] == theirs[0]
    valid = lambda p: p.endswith(".txt")  # noqa: E731
    ours = datasets.DatasetFolder(str(tmp_path), loader=open, is_valid_file=valid,
                                  allow_empty=True)
    theirs = tvd.DatasetFolder(str(tmp_path), loader=open, is_valid_file=valid, allow_empty=True)
    assert ours.samples == theirs.samples
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(str(tmp_path), loader=open)
    assert datasets.folder.find_classes(str(tmp_path)) == tvd.folder.find_classes(str(tmp_path))


def test_image_folder_errors_name_the_path(tmp_path):
    _write_tree(str(tmp_path), np.random.RandomState(2))
    os.makedirs(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match="empty") as info:
        datasets.ImageFolder(str(tmp_path))
    assert str(tmp_path / "empty") in str(info.value)
    assert len(datasets.ImageFolder(str(tmp_path), allow_empty=True)) == 10
    bad = tmp_path / "dog" / "broken.png"
    bad.write_bytes(b"not a png at all")
    ds = datasets.ImageFolder(str(tmp_path), allow_empty=True)
    index = [p for p, _ in ds.samples].index(str(bad))
    with pytest.raises(OSError, match="broken.png"):
        ds[index]
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / "empty"))


def test_image_folder_transform_and_target_transform(tmp_path):
    _write_tree(str(tmp_path), np.random.RandomState(3))
    ds = datasets.ImageFolder(str(tmp_path), transform=lambda im: im.size,
                              target_transform=lambda t: t * 10)
    size, target = ds[0]
    with Image.open(ds.samples[0][0]) as first:
        assert target == ds.targets[0] * 10 and size == first.size


def _write_idx(path, array, gz=False):
    code = {np.uint8: 8, np.int8: 9}[array.dtype.type]
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + b"".join(
        struct.pack(">I", d) for d in array.shape)
    data = header + array.tobytes()
    if gz:
        path += ".gz"
        data = gzip.compress(data)
    with open(path, "wb") as f:
        f.write(data)


def _write_mnist(root, name, prefix_train, prefix_test, n=7, gz=False, seed=0):
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    rng = np.random.RandomState(seed)
    for prefix in (prefix_train, prefix_test):
        _write_idx(os.path.join(raw, f"{prefix}-images-idx3-ubyte"),
                   rng.randint(0, 256, (n, 28, 28)).astype(np.uint8), gz)
        _write_idx(os.path.join(raw, f"{prefix}-labels-idx1-ubyte"),
                   rng.randint(0, 10, n).astype(np.uint8), gz)
    return raw


@pytest.mark.parametrize("name", ["MNIST", "FashionMNIST", "KMNIST"])
def test_mnist_family_matches_torchvision(tmp_path, name):
    tvd = pytest.importorskip("torchvision.datasets")
    _write_mnist(str(tmp_path), name, "train", "t10k")
    for train in (True, False):
        ours = getattr(datasets, name)(str(tmp_path), train=train)
        theirs = getattr(tvd, name)(str(tmp_path), train=train, download=False)
        assert ours.data.dtype == ember.uint8 and ours.targets.dtype == ember.int64
        np.testing.assert_array_equal(ours.data.numpy(), theirs.data.numpy())
        np.testing.assert_array_equal(ours.targets.numpy(), theirs.targets.numpy())
        assert ours.classes == theirs.classes and ours.class_to_idx == theirs.class_to_idx
        (a, ta), (b, tb) = ours[3], theirs[3]
        assert ta == tb and a.mode == b.mode == "L"
        np.testing.assert_array_equal(_pixels(a), _pixels(b))
        assert repr(ours) == repr(theirs)


def test_mnist_reads_gzipped_files_and_download_does_not_touch_present_files(tmp_path):
    _write_mnist(str(tmp_path), "MNIST", "train", "t10k", gz=True)
    ds = datasets.MNIST(str(tmp_path), download=True)   # present: no network needed
    assert len(ds) == 7 and ds[0][0].size == (28, 28)


def test_emnist_split(tmp_path):
    tvd = pytest.importorskip("torchvision.datasets")
    _write_mnist(str(tmp_path), "EMNIST", "emnist-letters-train", "emnist-letters-test")
    ours = datasets.EMNIST(str(tmp_path), split="letters", train=False)
    theirs = tvd.EMNIST(str(tmp_path), split="letters", train=False)
    assert ours.classes == theirs.classes
    np.testing.assert_array_equal(ours.data.numpy(), theirs.data.numpy())
    with pytest.raises(ValueError, match="split"):
        datasets.EMNIST(str(tmp_path), split="nope")


def test_mnist_missing_and_corrupt_files(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found") as info:
        datasets.MNIST(str(tmp_path))
    assert os.path.join(str(tmp_path), "MNIST", "raw") in str(info.value)
    raw = _write_mnist(str(tmp_path), "MNIST", "train", "t10k")
    with open(os.path.join(raw, "train-images-idx3-ubyte"), "r+b") as f:
        f.truncate(100)
    with pytest.raises(RuntimeError, match="not found or corrupted.*train-images-idx3-ubyte"):
        datasets.MNIST(str(tmp_path))


def test_download_without_network_names_files_and_folder(tmp_path, monkeypatch):
    import socket

    def unreachable(*args, **kwargs):
        raise OSError("network is unreachable (test)")
    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(str(tmp_path), download=True)
    msg = str(info.value)
    assert "train-images-idx3-ubyte" in msg and os.path.join(str(tmp_path), "MNIST", "raw") in msg
    with pytest.raises(RuntimeError) as info:
        datasets.CIFAR10(str(tmp_path), download=True)
    assert "cifar-10-python.tar.gz" in str(info.value) and str(tmp_path) in str(info.value)


def _write_cifar(root, folder, files, label_key, meta_name, meta_key, classes, n=5):
    path = os.path.join(root, folder)
    os.makedirs(path, exist_ok=True)
    rng = np.random.RandomState(0)
    for name in files:
        entry = {"batch_label": name, "data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
                 label_key: [int(v) for v in rng.randint(0, len(classes), n)],
                 "filenames": [f"f{i}.png" for i in range(n)]}
        with open(os.path.join(path, name), "wb") as f:
            pickle.dump(entry, f, protocol=2)
    with open(os.path.join(path, meta_name), "wb") as f:
        pickle.dump({meta_key: classes, "num_cases_per_batch": n}, f, protocol=2)
    return path


@pytest.mark.parametrize("which", ["CIFAR10", "CIFAR100"])
def test_cifar_matches_torchvision(tmp_path, monkeypatch, which):
    tvd = pytest.importorskip("torchvision.datasets")
    if which == "CIFAR10":
        _write_cifar(str(tmp_path), "cifar-10-batches-py",
                     [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"], "labels",
                     "batches.meta", "label_names", [f"c{i}" for i in range(10)])
    else:
        _write_cifar(str(tmp_path), "cifar-100-python", ["train", "test"], "fine_labels",
                     "meta", "fine_label_names", [f"c{i}" for i in range(100)])
    cls = getattr(tvd, which)
    monkeypatch.setattr(cls, "_check_integrity", lambda self: True)   # md5s are the real files'
    monkeypatch.setattr(tvd.cifar, "check_integrity", lambda *a, **k: True)
    for train in (True, False):
        ours = getattr(datasets, which)(str(tmp_path), train=train)
        theirs = cls(str(tmp_path), train=train)
        np.testing.assert_array_equal(ours.data, theirs.data)
        assert ours.targets == theirs.targets and ours.classes == theirs.classes
        assert ours.class_to_idx == theirs.class_to_idx
        np.testing.assert_array_equal(_pixels(ours[2][0]), _pixels(theirs[2][0]))
        assert repr(ours) == repr(theirs)


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_cifar_file_cannot_run_code(tmp_path):
    path = _write_cifar(str(tmp_path), "cifar-10-batches-py", ["test_batch"], "labels",
                        "batches.meta", "label_names", ["a"])
    with open(os.path.join(path, "test_batch"), "wb") as f:
        pickle.dump({"data": _Boom()}, f, protocol=2)
    with pytest.raises(RuntimeError, match="not found or corrupted.*test_batch.*posix.system"):
        datasets.CIFAR10(str(tmp_path), train=False)
    with pytest.raises(RuntimeError, match="data_batch_1"):
        datasets.CIFAR10(str(tmp_path), train=True)


def test_svhn_matches_torchvision(tmp_path, monkeypatch):
    tvd = pytest.importorskip("torchvision.datasets")
    monkeypatch.setattr(tvd.SVHN, "_check_integrity", lambda self: True)  # md5 of the real file
    sio = pytest.importorskip("scipy.io")
    rng = np.random.RandomState(0)
    sio.savemat(str(tmp_path / "test_32x32.mat"),
                {"X": rng.randint(0, 256, (32, 32, 3, 6)).astype(np.uint8),
                 "y": rng.randint(1, 11, (6, 1)).astype(np.uint8)})
    ours = datasets.SVHN(str(tmp_path), split="test")
    theirs = tvd.SVHN(str(tmp_path), split="test")
    np.testing.assert_array_equal(ours.data, theirs.data)
    np.testing.assert_array_equal(ours.labels, theirs.labels)
    np.testing.assert_array_equal(_pixels(ours[1][0]), _pixels(theirs[1][0]))
    assert ours[1][1] == theirs[1][1] and repr(ours) == repr(theirs)


def test_fakedata_is_reproducible_and_keeps_the_global_stream():
    ds = datasets.FakeData(size=4, image_size=(3, 10, 12), num_classes=5)
    ember.manual_seed(123)
    before = ember.rand(3)
    ember.manual_seed(123)
    a, ta = ds[2]
    after = ember.rand(3)
    assert ember.equal(before, after)
    b, tb = ds[2]
    assert a.size == (12, 10) and a.mode == "RGB" and 0 <= ta < 5 and ta == tb
    np.testing.assert_array_equal(_pixels(a), _pixels(b))
    assert len(ds) == 4
    with pytest.raises(IndexError):
        ds[4]
