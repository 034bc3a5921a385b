"""File checks, downloads and archive extraction shared by the datasets
(``torchvision.datasets.utils``).

No network is touched when a dataset's files are present. When they are absent and
``download=True``, :func:`download_url` first checks (in a fraction of a second) that the
host can be reached; where it cannot, :class:`DatasetDownloadError` names the files and the
folder they belong in, instead of a download that hangs.
"""
import gzip
import hashlib
import os
import shutil
import tarfile
import zipfile
from urllib.parse import urlparse

__all__ = ["check_integrity", "check_md5", "calculate_md5", "download_url",
           "download_and_extract_archive", "extract_archive", "verify_str_arg",
           "DatasetDownloadError", "dataset_not_found"]


class DatasetDownloadError(RuntimeError):
    """A dataset's files are absent and cannot be downloaded from here."""


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    if not os.path.isfile(fpath):
        return False
    return True if md5 is None else check_md5(fpath, md5)


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    if not isinstance(value, str):
        msg = "Expected type str" + ("" if arg is None else f" for argument {arg}")
        raise ValueError(f"{msg}, but got type {type(value)}.")
    if valid_values is None or value in valid_values:
        return value
    if custom_msg is not None:
        raise ValueError(custom_msg)
    raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are "
                     f"{{{', '.join(repr(v) for v in valid_values)}}}.")


def dataset_not_found(name, path, detail=""):
    """torchvision's 'not found or corrupted' RuntimeError, naming the path."""
    extra = f" ({detail})" if detail else ""
    return RuntimeError(f"Dataset not found or corrupted: {path}{extra}. You can use "
                        f"download=True to download {name} when a network is available.")


def _no_network_error(url, folder, files, exc):
    names = ", ".join(files)
    err = DatasetDownloadError(
        f"cannot download {url} ({exc}): no network. Put {names} in {folder} "
        "(download them on a machine with network access) and construct the dataset again.")
    err.reason = f"{url}: {exc}"
    return err


def download_url(url, root, filename=None, md5=None, files=None):
    """Download ``url`` to ``root/filename`` unless a file with the right md5 is there."""
    from ... import hub
    root = os.path.expanduser(os.fspath(root))
    filename = filename or os.path.basename(urlparse(url).path)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    try:
        hub.download_url_to_file(url, fpath, progress=True)
    except hub.HubDownloadError as exc:
        raise _no_network_error(url, root, files or [filename], getattr(exc, "reason", exc)) \
            from None
    if md5 is not None and not check_md5(fpath, md5):
        raise RuntimeError(f"File {fpath} downloaded from {url} has the wrong md5")


def _safe_members(tar, to):
    base = os.path.realpath(to)
    for member in tar.getmembers():
        target = os.path.realpath(os.path.join(to, member.name))
        if not (target == base or target.startswith(base + os.sep)) or member.issym() \
                or member.islnk():
            raise RuntimeError(f"refusing to extract {member.name!r}: outside {to} or a link")
        yield member


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract a .tar[.gz|.bz2|.xz], .tgz, .zip or .gz file (no member may leave ``to_path``)."""
    to_path = to_path or os.path.dirname(from_path)
    if from_path.endswith(".zip"):
        with zipfile.ZipFile(from_path) as z:
            for name in z.namelist():
                target = os.path.realpath(os.path.join(to_path, name))
                if not target.startswith(os.path.realpath(to_path)):
                    raise RuntimeError(f"refusing to extract {name!r}: outside {to_path}")
            z.extractall(to_path)
    elif tarfile.is_tarfile(from_path):
        with tarfile.open(from_path) as tar:
            tar.extractall(to_path, members=list(_safe_members(tar, to_path)))
    elif from_path.endswith(".gz"):
        out = os.path.join(to_path, os.path.basename(from_path)[:-3])
        with gzip.open(from_path, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        raise RuntimeError(f"Extraction of {from_path} not supported")
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None,
                                 md5=None, remove_finished=False, files=None):
    download_root = os.path.expanduser(os.fspath(download_root))
    extract_root = extract_root or download_root
    filename = filename or os.path.basename(urlparse(url).path)
    download_url(url, download_root, filename, md5, files=files)
    extract_archive(os.path.join(download_root, filename), extract_root, remove_finished)
