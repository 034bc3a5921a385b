"""``torch.layout`` objects: ``ember.strided`` (dense tensors), ``ember.sparse_coo`` (sparse
COO tensors) and the names of torch's other layouts, which ember has no tensors for."""


class layout:
    """A tensor layout; prints as ``ember.<name>`` (``torch.layout``)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "ember." + self.name

    def __reduce__(self):
        return (_layout_by_name, (self.name,))


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")
_mkldnn = layout("_mkldnn")
jagged = layout("jagged")
_LAYOUTS = {x.name: x for x in (strided, sparse_coo, sparse_csr, sparse_csc, sparse_bsr,
                                sparse_bsc, _mkldnn, jagged)}


def _layout_by_name(name):
    return _LAYOUTS[name]
