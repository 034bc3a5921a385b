"""Internals of ``ember.save`` / ``ember.load`` (the public API is ``ember.serialization``).

- ``container``: the zip archive, written record by record as ``torch.save`` writes it,
  and read back with clear errors for truncated or foreign files.
- ``writer``: the protocol-2 pickler that emits PyTorch's globals and storage records.
- ``restricted``: the allow-list pickle interpreter behind ``weights_only=True``.
- ``reader``: storages, ``map_location``, the tensor rebuild functions and both file
  formats (zip and PyTorch's legacy pre-1.6 stream).
"""


class CheckpointError(RuntimeError):
    """A file that is not a readable checkpoint: truncated, corrupt, or not one at all.

    A RuntimeError, as PyTorch raises for such files; the message names the file and
    what is wrong with it.
    """
