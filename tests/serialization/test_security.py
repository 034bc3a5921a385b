"""weights_only=True (the default) never runs code from a file.

Every payload below would create a marker file when unpickled normally; the tests load
it with the default and check both the error and that the marker does not exist, then
(for most) load it with weights_only=False to prove the payload was real.
"""
import io
import os
import pickle
import struct
import subprocess

import numpy as np
import pytest

import ember
from ember.serialization import CheckpointError
from ckpt_util import tensor_pickle, checkpoint_with_pickle


def _marker_action(path):
    """A module-level function a payload might call (also refused: not allow-listed)."""
    with open(path, "w") as f:
        f.write("ran")


class _OsSystem:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch '{self.path}'",))


class _Eval:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (eval, (f"open({str(self.path)!r}, 'w').close()",))


class _Subprocess:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (subprocess.check_call, (["touch", str(self.path)],))


class _OwnFunction:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (_marker_action, (str(self.path),))


def _getattr_chain(path):
    """getattr(__import__('os'), 'system')('touch ...') written opcode by opcode."""
    def s(text):
        b = text.encode()
        return b"X" + struct.pack("<I", len(b)) + b
    return (b"\x80\x02" + b"c__builtin__\ngetattr\n" + b"(" + b"c__builtin__\n__import__\n"
            + b"(" + s("os") + b"tR" + s("system") + b"tR" + b"(" + s(f"touch '{path}'")
            + b"tR.")


def _payload_pickles(marker):
    out = {}
    for name, cls in [("os.system", _OsSystem), ("eval", _Eval), ("subprocess", _Subprocess),
                      ("own function", _OwnFunction)]:
        for proto in (2, 4):
            out[f"{name} (protocol {proto})"] = pickle.dumps(
                {"weights": ember.ones(2).numpy().tolist(), "evil": cls(marker)}, protocol=proto)
    out["getattr chain"] = _getattr_chain(marker)
    out["INST opcode"] = (b"(S'touch " + str(marker).encode() + b"'\nios\nsystem\n.")
    out["OBJ opcode"] = (b"\x80\x02(cos\nsystem\nS'touch " + str(marker).encode() + b"'\no.")
    return out


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "PWNED"


@pytest.mark.parametrize("name", list(_payload_pickles("m")))
def test_payloads_refused_and_nothing_runs(name, marker, tmp_path):
    pkl = _payload_pickles(marker)[name]
    data = checkpoint_with_pickle(pkl)
    with pytest.raises(pickle.UnpicklingError) as err:
        ember.load(io.BytesIO(data))
    msg = str(err.value)
    assert "weights_only=False" in msg
    assert not marker.exists(), "the payload ran under weights_only=True"
    # the same data through the legacy-format reader (its storage scan runs nothing either)
    legacy = b"".join(pickle.dumps(x, protocol=2) for x in
                      (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(legacy + pkl + pickle.dumps([], protocol=2)))
    assert not marker.exists()


def test_refusal_names_the_global_and_how_to_allow_it(marker):
    data = checkpoint_with_pickle(pickle.dumps(_OwnFunction(marker), protocol=2))
    with pytest.raises(pickle.UnpicklingError) as err:
        ember.load(io.BytesIO(data))
    msg = str(err.value)
    assert f"{__name__}._marker_action" in msg
    assert f"ember.serialization.add_safe_globals([{__name__}._marker_action])" in msg
    assert not marker.exists()
    for cls, name in [(_OsSystem, "posix.system" if os.name == "posix" else "nt.system"),
                      (_Subprocess, "subprocess.check_call"), (_Eval, "builtins.eval")]:
        data = checkpoint_with_pickle(pickle.dumps(cls(marker), protocol=2))
        with pytest.raises(pickle.UnpicklingError, match=name.replace(".", r"\.")):
            ember.load(io.BytesIO(data))
        assert not marker.exists()


@pytest.mark.skipif(os.name != "posix", reason="uses touch")
@pytest.mark.parametrize("name", list(_payload_pickles("m")))
def test_payloads_are_real(name, marker):
    """Control: with weights_only=False the very same files do run their payload."""
    data = checkpoint_with_pickle(_payload_pickles(marker)[name])
    ember.load(io.BytesIO(data), weights_only=False)
    assert marker.exists()


def test_blocked_modules_stay_blocked_even_if_allowed(marker):
    ember.serialization.add_safe_globals([os.system, eval])
    try:
        for cls in (_OsSystem, _Eval):
            data = checkpoint_with_pickle(pickle.dumps(cls(marker), protocol=2))
            with pytest.raises(pickle.UnpicklingError, match="never allows"):
                ember.load(io.BytesIO(data))
    finally:
        ember.serialization.clear_safe_globals()
    assert not marker.exists()


def test_allowed_callables_cannot_be_tampered_with():
    """BUILD on an allowed function or class (to change its defaults or attributes) and
    calls of allowed types as memory bombs are refused."""
    build_fn = (b"\x80\x02c_codecs\nencode\n(}X\x0c\x00\x00\x00__defaults__"
                b"X\x05\x00\x00\x00rot13\x85stb.")
    build_cls = b"\x80\x02c__builtin__\nset\n}X\x03\x00\x00\x00bad\x88sb."
    bomb = b"\x80\x02ctorch\nTensor\nJ\x00\x00\x00\x40\x85R."
    bytes_bomb = b"\x80\x02c__builtin__\nbytearray\nJ\x00\x00\x00\x40\x85R."
    codec = b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R."
    for pkl in (build_fn, build_cls, bomb, bytes_bomb, codec):
        with pytest.raises(pickle.UnpicklingError):
            ember.load(io.BytesIO(checkpoint_with_pickle(pkl)))
    from ember._serialization.names import _safe_encode
    assert _safe_encode.__defaults__ == ("utf-8", "strict")
    assert not hasattr(set, "bad")


def test_only_storages_may_be_persistent_loaded():
    for pid in (b"X\x06\x00\x00\x00module", b"X\x07\x00\x00\x00storage"):
        pkl = b"\x80\x02(" + pid + b"tQ."
        with pytest.raises((pickle.UnpicklingError, CheckpointError)):
            ember.load(io.BytesIO(checkpoint_with_pickle(pkl)))
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(checkpoint_with_pickle(b"\x80\x02X\x01\x00\x00\x00aQ.")))


@pytest.mark.parametrize("offset,size,stride", [
    (0, (5,), (1,)),               # one past the end
    (3, (2,), (1,)),               # offset pushes it out
    (0, (2, 2), (3, 1)),           # stride reaches element 4
    (-1, (2,), (1,)),              # negative offset
    (0, (2,), (-1,)),              # negative stride
    (0, (-2,), (1,)),              # negative size
    (0, (2, 2 ** 40), (1, 2 ** 40)),
    (2 ** 62, (1,), (1,)),
])
def test_out_of_bounds_geometry_is_refused(offset, size, stride):
    pkl = tensor_pickle(offset, size, stride, numel=4)
    data = checkpoint_with_pickle(pkl, {"data/0": np.arange(4, dtype=np.float32).tobytes()})
    with pytest.raises(CheckpointError, match="corrupt") as err:
        ember.load(io.BytesIO(data))
    assert "BytesIO" in str(err.value)


def test_in_bounds_geometry_from_a_crafted_file_loads():
    pkl = tensor_pickle(1, (2, 2), (2, 1), numel=5)
    data = checkpoint_with_pickle(pkl, {"data/0": np.arange(5, dtype=np.float32).tobytes()})
    out = ember.load(io.BytesIO(data))
    assert out.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_storage_size_must_match_its_record():
    pkl = tensor_pickle(0, (4,), (1,), numel=1000)
    data = checkpoint_with_pickle(pkl, {"data/0": np.arange(4, dtype=np.float32).tobytes()})
    with pytest.raises(CheckpointError, match="holds 16 bytes but its tensors need 4000"):
        ember.load(io.BytesIO(data))


def test_quantized_storage_is_a_clear_error():
    # (QInt8/QUInt8/QInt32/QUInt4x2 storages load: ember has quantized tensors)
    pkl = tensor_pickle(0, (4,), (1,), numel=4, storage="QUInt2x4Storage")
    data = checkpoint_with_pickle(pkl, {"data/0": bytes(4)})
    with pytest.raises(NotImplementedError, match="quantized"):
        ember.load(io.BytesIO(data))


def test_huge_sizes_claimed_by_a_file_allocate_nothing():
    """Sizes in a crafted file are checked against the file's length before any memory is
    allocated for them."""
    numel = 0x3FFFFFFF                             # float32 elements: almost 4 GiB
    pkl = tensor_pickle(0, (4,), (1,), numel=numel)
    data = bytearray(checkpoint_with_pickle(pkl, {"data/0": bytes(16)}))
    entry = next(i for i in range(len(data)) if data[i:i + 4] == b"PK\x01\x02"
                 and data[i + 46:i + 60] == b"archive/data/0")
    data[entry + 20:entry + 28] = struct.pack("<II", 4 * numel, 4 * numel)   # sizes lie
    with pytest.raises(CheckpointError, match="past the end of the file"):
        ember.load(io.BytesIO(bytes(data)))
    legacy = b"".join(pickle.dumps(x, protocol=2) for x in
                      (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
    legacy += pkl + pickle.dumps(["0"], protocol=2) + struct.pack("<q", numel) + bytes(16)
    with pytest.raises(CheckpointError, match="past the end of the file"):
        ember.load(io.BytesIO(legacy))
