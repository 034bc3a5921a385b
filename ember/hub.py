"""``ember.hub``: the checkpoint cache of ``torch.hub``, shared with torch's.

Follows ``torch.hub``: :func:`get_dir` is ``$TORCH_HOME/hub`` (``TORCH_HOME`` defaults
to ``$XDG_CACHE_HOME/torch``, i.e. ``~/.cache/torch``) unless :func:`set_dir` chose
another folder, and :func:`load_state_dict_from_url` looks for the url's file name in
``get_dir()/checkpoints``. The folder is the very one torch uses, so a checkpoint that
torch (or torchvision) already downloaded is read as it is, with ``ember.load``.

Differences from torch: before downloading, ember checks in a fraction of a second that
the url's host can be reached at all; where it cannot (no network, as on machines that
reach only package registries) it raises :class:`HubDownloadError` naming the file and
the folder to put it in, instead of a download attempt that hangs or fails deep inside
``urllib``. ``torch.hub.load`` / ``list`` / ``help`` (code from GitHub repositories) are
not provided: they run code fetched from the network.
"""
import errno
import hashlib
import os
import re
import shutil
import socket
import sys
import tempfile
import warnings
from urllib.parse import urlparse

__all__ = ["get_dir", "set_dir", "load_state_dict_from_url", "download_url_to_file",
           "HubDownloadError"]

HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
_CONNECT_TIMEOUT_S = 3.0   # reaching the host: DNS failure is immediate, a firewall is not
_READ_CHUNK = 1 << 16

_hub_dir = None


class HubDownloadError(RuntimeError):
    """A checkpoint is neither in the cache nor downloadable from here."""


def _get_torch_home():
    xdg = os.getenv("XDG_CACHE_HOME", os.path.join("~", ".cache"))
    return os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(xdg, "torch")))


def get_dir():
    """The hub cache folder, as ``torch.hub.get_dir``: set_dir's value or ``$TORCH_HOME/hub``."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d):
    """Use folder ``d`` as the hub cache from now on (``torch.hub.set_dir``)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def _check_reachable(url, dst):
    """Raise HubDownloadError naming ``dst`` when ``url``'s host cannot be reached."""
    parts = urlparse(url)
    if parts.scheme == "file":
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=_CONNECT_TIMEOUT_S).close()
    except (OSError, TypeError) as exc:
        folder, name = os.path.split(os.path.abspath(dst))
        err = HubDownloadError(
            f"{name} is not in {folder} and cannot be downloaded from {url} ({exc}). "
            f"Download it on a machine with network access and copy it to "
            f"{os.path.join(folder, name)} (the folder is ember.hub.get_dir()/checkpoints, "
            f"shared with torch.hub; set TORCH_HOME to use another one)")
        err.reason = f"{parts.hostname}: {exc}"
        raise err from None


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download ``url`` to the file ``dst`` (``torch.hub.download_url_to_file``).

    Writes to a temporary file beside ``dst`` and renames it when complete, checks the
    sha256 prefix when ``hash_prefix`` is given and shows a tqdm progress bar when
    ``progress`` (and tqdm is installed). An unreachable host raises HubDownloadError at once.
    """
    from urllib.request import Request, urlopen
    dst = os.path.expanduser(os.fspath(dst))
    _check_reachable(url, dst)
    req = Request(url, headers={"User-Agent": "ember.hub"})
    with urlopen(req, timeout=60) as u:
        meta = u.info()
        length = meta.get_all("Content-Length") if hasattr(meta, "get_all") else None
        size = int(length[0]) if length else None
        folder = os.path.dirname(os.path.abspath(dst))
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(dst) + ".", suffix=".partial",
                                   dir=folder)
        try:
            sha = hashlib.sha256() if hash_prefix is not None else None
            bar = _progress_bar(size, progress)
            with os.fdopen(fd, "wb") as f:
                while True:
                    chunk = u.read(_READ_CHUNK)
                    if not chunk:
                        break
                    f.write(chunk)
                    if sha is not None:
                        sha.update(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            if bar is not None:
                bar.close()
            if sha is not None:
                digest = sha.hexdigest()
                if digest[:len(hash_prefix)] != hash_prefix:
                    raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", '
                                       f'got "{digest}")')
            shutil.move(tmp, dst)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)


def _progress_bar(total, progress):
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024)


def cached_file_for(url, model_dir=None, file_name=None):
    """Path where :func:`load_state_dict_from_url` keeps ``url``'s file."""
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    return os.path.join(model_dir, filename)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    """Load the checkpoint at ``url`` from the hub cache (``torch.hub.load_state_dict_from_url``).

    The file is ``model_dir`` (default ``get_dir()/checkpoints``) / ``file_name`` (default
    the url's file name). Present: read with ``ember.load`` and no network access.
    Absent: downloaded when the host is reachable; otherwise HubDownloadError names the
    file and the folder. ``weights_only`` defaults to False as in torch; state dicts load
    either way.
    """
    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead",
                      stacklevel=2)
    cached = cached_file_for(url, model_dir, file_name)
    if not os.path.exists(cached):
        folder = os.path.dirname(cached)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EROFS):
                raise
        _check_reachable(url, cached)
        sys.stdout.write(f'Downloading: "{url}" to {cached}\n')
        hash_prefix = None
        if check_hash:
            r = HASH_REGEX.search(os.path.basename(cached))
            hash_prefix = r.group(1) if r else None
        download_url_to_file(url, cached, hash_prefix, progress=progress)
    from . import serialization
    return serialization.load(cached, map_location=map_location, weights_only=weights_only)
