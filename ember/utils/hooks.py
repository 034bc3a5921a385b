"""``RemovableHandle``: what ``register_*_hook`` returns (``torch.utils.hooks``)."""
import itertools

_ids = itertools.count()


class RemovableHandle:
    """Removes its hook from the dict(s) it was registered in when ``remove()`` is called."""

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_refs = [hooks_dict] + ([extra_dict] if extra_dict is not None else [])
        self.id = next(_ids)

    @classmethod
    def register(cls, hooks_dict, hook, prepend=False):
        """Add ``hook`` to the ordered ``hooks_dict`` (first if ``prepend``); return its handle."""
        handle = cls(hooks_dict)
        hooks_dict[handle.id] = hook
        if prepend:
            hooks_dict.move_to_end(handle.id, last=False)
        return handle

    def remove(self):
        for d in self.hooks_dict_refs:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
