"""``ember.utils.tensorboard``: ``torch.utils.tensorboard``'s SummaryWriter on the
``tensorboard`` package's event-file writer and protobufs (``pip install
'ember[tensorboard]'``). Importing this module imports tensorboard; ``import ember``
does not."""
try:
    import tensorboard  # noqa: F401
except ImportError as err:     # the same failure torch.utils.tensorboard has, with the fix
    raise ImportError("ember.utils.tensorboard needs the tensorboard package: "
                      "pip install 'ember[tensorboard]'") from err

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["FileWriter", "SummaryWriter"]
