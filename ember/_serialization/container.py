"""The zip container of PyTorch checkpoints.

Writing follows what ``torch.save`` (PyTorch's miniz-based ``PyTorchFileWriter``) produces:
stored (uncompressed) records named ``<archive>/<record>``, each record's data starting on
a 64-byte boundary thanks to a ``FB`` padding field in its local header, CRC-32 and sizes
in a data descriptor after the data (so nothing is ever seeked back and the output may
be a pipe), and a zip64 end-of-central-directory record. Records over 4 GiB or past
4 GiB in the file get the zip64 fields of the zip specification.

Reading uses :mod:`zipfile`; every failure becomes a ``CheckpointError`` naming the file.
"""
import struct
import sys
import zipfile
import zlib

import numpy

from . import CheckpointError

ALIGNMENT = 64
_U32 = 0xFFFFFFFF
ZIP64_LIMIT = _U32           # sizes/offsets from here on need zip64 fields
_U16 = 0xFFFF
_FLAGS = 0x0808              # bit 3: CRC and sizes in a data descriptor; bit 11: UTF-8 name
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_CHUNK = 1 << 24             # bytes copied at a time when reading a record


class ZipWriter:
    """Appends records to a binary file object; ``close()`` writes the central directory."""

    def __init__(self, file):
        self._file = file
        self._pos = 0
        self.entries = []

    def _write(self, data):
        self._file.write(data)
        self._pos += len(data)

    def write_record(self, name, data):
        """Write one record. ``data``: bytes or a C-contiguous buffer (written without a copy)."""
        view = memoryview(data).cast("B")
        size = view.nbytes
        name_b = name.encode("utf-8")
        offset = self._pos
        zip64 = b""
        big_size, big_offset = size >= ZIP64_LIMIT, offset >= ZIP64_LIMIT
        if big_size or big_offset:
            fields = ((size, size) if big_size else ()) + ((offset,) if big_offset else ())
            zip64 = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields)
        start = offset + _LOCAL.size + len(name_b) + len(zip64) + 4
        pad = -start % ALIGNMENT
        extra = zip64 + b"FB" + struct.pack("<H", pad) + b"Z" * pad
        self._write(_LOCAL.pack(0x04034B50, 0, _FLAGS, 0, 0, 0, 0, 0, 0, len(name_b), len(extra))
                    + name_b + extra)
        crc = zlib.crc32(view)
        self._file.write(view)
        self._pos += size
        if big_size or big_offset:
            self._write(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        else:
            self._write(struct.pack("<IIII", 0x08074B50, crc, size, size))
        self.entries.append((name_b, crc, size, offset))

    def close(self):
        cd_start = self._pos
        for name_b, crc, size, offset in self.entries:
            big_size, big_offset = size >= ZIP64_LIMIT, offset >= ZIP64_LIMIT
            fields = ((size, size) if big_size else ()) + ((offset,) if big_offset else ())
            extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
            small = _U32 if big_size else size
            self._write(_CENTRAL.pack(0x02014B50, 0, 0, _FLAGS, 0, 0, 0, crc, small, small,
                                      len(name_b), len(extra), 0, 0, 0, 0,
                                      _U32 if big_offset else offset)
                        + name_b + extra)
        n, cd_size, eocd64 = len(self.entries), self._pos - cd_start, self._pos
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, n, n,
                                cd_size, cd_start))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, _U16), min(n, _U16),
                                min(cd_size, _U32), min(cd_start, _U32), 0))


_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, struct.error,
                OverflowError, ValueError, NotImplementedError, zlib.error)


class ZipReader:
    """The records of a checkpoint archive whose records all live in one top folder."""

    def __init__(self, file, label):
        self.label = label
        self._file = file
        try:
            pos = file.tell()
            self._end = file.seek(0, 2)
            file.seek(pos)
            self._zip = zipfile.ZipFile(file)
            infos = self._zip.infolist()
        except _READ_ERRORS as e:
            raise CheckpointError(f"{label} is truncated or is not a valid zip archive "
                                  f"(PyTorch checkpoint): {e}") from None
        self._infos = {}
        for i in infos:
            if i.filename in self._infos:
                # zipfile would keep the last copy and torch reads the first: one file, two
                # contents; refuse it
                raise CheckpointError(f"{label} is corrupt: it holds two records named "
                                      f"'{i.filename}'")
            self._infos[i.filename] = i
        if not infos or "/" not in infos[0].filename:
            raise CheckpointError(f"{label} is a zip archive but not a PyTorch checkpoint: "
                                  "its records are not inside a top folder")
        self.prefix = infos[0].filename.split("/", 1)[0] + "/"
        if not self.has_record("data.pkl"):
            if self.has_record("constants.pkl") or self.has_record("code/"):
                raise CheckpointError(f"{label} is a TorchScript archive (torch.jit.save); "
                                      "ember cannot load TorchScript programs")
            raise CheckpointError(f"{label} is a zip archive but not a PyTorch checkpoint: "
                                  f"it has no '{self.prefix}data.pkl' record")

    def has_record(self, name):
        return self.prefix + name in self._infos

    def _info(self, name):
        info = self._infos.get(self.prefix + name)
        if info is None:
            raise CheckpointError(f"{self.label} is corrupt: record '{self.prefix}{name}' "
                                  "is missing")
        if info.flag_bits & 0x1:
            raise CheckpointError(f"{self.label}: record '{info.filename}' is marked encrypted; "
                                  "PyTorch checkpoints are never encrypted")
        if info.compress_type != zipfile.ZIP_STORED:
            raise CheckpointError(f"{self.label}: record '{info.filename}' is compressed; "
                                  "PyTorch checkpoints store their records uncompressed")
        return info

    def read(self, name):
        """The whole record as bytes (small records: data.pkl, version, byteorder)."""
        info = self._info(name)
        try:
            return self._zip.read(info)
        except _READ_ERRORS as e:
            raise CheckpointError(f"{self.label} is corrupt: cannot read record "
                                  f"'{info.filename}': {e}") from None

    def read_array(self, name, nbytes):
        """The record as a new writable 1-D uint8 NumPy array of exactly ``nbytes`` bytes,
        read straight into the array and checked against its CRC-32."""
        info = self._info(name)
        start = self.data_offset(name, nbytes)
        out = numpy.empty(nbytes, numpy.uint8)
        try:
            self._file.seek(start)
            view, got = memoryview(out), 0
            while got < nbytes:
                n = self._file.readinto(view[got:got + _CHUNK])
                if not n:
                    break
                got += n
        except _READ_ERRORS as e:
            raise CheckpointError(f"{self.label} is corrupt: cannot read record "
                                  f"'{info.filename}': {e}") from None
        if got != nbytes:
            raise CheckpointError(f"{self.label} is truncated: record '{info.filename}' ends "
                                  "early")
        if zlib.crc32(out) != info.CRC:
            raise CheckpointError(f"{self.label} is corrupt: bad CRC-32 for record "
                                  f"'{info.filename}' (its data was damaged)")
        return out

    def data_offset(self, name, nbytes):
        """Where the record's data starts in the file (for memory mapping)."""
        info = self._info(name)
        self._check_size(info, nbytes)
        try:
            self._file.seek(info.header_offset)
            header = self._file.read(_LOCAL.size)
            fields = _LOCAL.unpack(header)
        except _READ_ERRORS as e:
            raise CheckpointError(f"{self.label} is corrupt: bad local header for "
                                  f"'{info.filename}': {e}") from None
        if fields[0] != 0x04034B50:
            raise CheckpointError(f"{self.label} is corrupt: bad local header for "
                                  f"'{info.filename}'")
        start = info.header_offset + _LOCAL.size + fields[9] + fields[10]
        if start + nbytes > self._end:      # (before anything of that size is allocated)
            raise CheckpointError(f"{self.label} is truncated or corrupt: record "
                                  f"'{info.filename}' would end past the end of the file")
        return start

    def _check_size(self, info, nbytes):
        if info.file_size != nbytes:
            raise CheckpointError(f"{self.label} is corrupt: record '{info.filename}' holds "
                                  f"{info.file_size} bytes but its tensors need {nbytes}")

    def verify(self):
        """Read every record and check it against the CRC-32 of the central directory."""
        for info in self._infos.values():
            if info.flag_bits & 0x1:
                raise CheckpointError(f"{self.label}: record '{info.filename}' is marked "
                                      "encrypted; PyTorch checkpoints are never encrypted")
            try:
                with self._zip.open(info) as r:
                    while r.read(_CHUNK):
                        pass
            except _READ_ERRORS as e:
                raise CheckpointError(f"{self.label} is corrupt: record '{info.filename}' "
                                      f"does not match its checksum or header: {e}") from None

    def close(self):
        self._zip.close()


def is_zip(file):
    """Whether a seekable binary file starts like a zip archive (position restored)."""
    pos = file.tell()
    magic = file.read(4)
    file.seek(pos)
    return magic in (b"PK\x03\x04", b"PK\x05\x06")


BYTEORDER = sys.byteorder
