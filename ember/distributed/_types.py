"""The small public types of ``torch.distributed``: ``Backend``, ``ReduceOp``,
``GroupMember``/``group`` and the error classes."""
import enum
from datetime import timedelta

__all__ = [
    "Backend",
    "DistBackendError",
    "DistError",
    "DistNetworkError",
    "DistStoreError",
    "GroupMember",
    "ReduceOp",
    "default_pg_timeout",
    "group",
]

# torch.distributed.constants.default_pg_timeout
default_pg_timeout = timedelta(minutes=30)


class DistError(RuntimeError):
    """Base of the errors ember.distributed raises (``torch.distributed.DistError``)."""


class DistBackendError(DistError):
    """A collective failed or timed out (``torch.distributed.DistBackendError``)."""


class DistNetworkError(DistError):
    """Ranks could not reach each other (``torch.distributed.DistNetworkError``)."""


class DistStoreError(DistError):
    """``torch.distributed.DistStoreError``."""


class Backend(str):
    """Backend names, as ``torch.distributed.Backend``: ``Backend("GLOO") == "gloo"``.

    ``"gloo"`` and ``"mpi"`` both run on MPI here; ``"nccl"`` runs on CuPy's NCCL."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"
    UCC = "ucc"
    backend_list = [UNDEFINED, GLOO, NCCL, UCC, MPI]
    default_device_backend_map = {"cpu": GLOO, "cuda": NCCL}

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got "
                             f"{type(name)}")
        value = name.lower()
        if value not in (cls.GLOO, cls.NCCL, cls.MPI, cls.UNDEFINED) and ":" not in value:
            if value == cls.UCC:
                raise NotImplementedError("ember.distributed: the 'ucc' backend is not "
                                          "available; use 'gloo', 'mpi' or 'nccl'")
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, value)


class RedOpType(enum.IntEnum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
    UNUSED = 9


class ReduceOp:
    """Reduction operations (``torch.distributed.ReduceOp``). ``ReduceOp.SUM`` is the
    enum member ``RedOpType.SUM``; ``ReduceOp(ReduceOp.SUM)`` gives it back."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM
    UNUSED = RedOpType.UNUSED

    def __new__(cls, op=RedOpType.SUM):
        return RedOpType(op)


class GroupMember:
    """``GroupMember.WORLD`` is the default group once initialised;
    ``GroupMember.NON_GROUP_MEMBER`` is what ``new_group`` returns on ranks outside it."""

    WORLD = None
    NON_GROUP_MEMBER = -100


class group:
    """``torch.distributed.group``: ``group.WORLD`` is the default process group."""

    WORLD = None
