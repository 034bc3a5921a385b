"""``torch.layout`` objects: ``ember.strided`` (dense tensors), ``ember.sparse_coo`` (sparse
COO tensors) and the names of torch's other layouts, which ember has no tensors for."""


from ._named import NamedSingleton


class layout(NamedSingleton):
    """A tensor layout; prints as ``ember.<name>`` (``torch.layout``)."""

    __slots__ = ()


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")
_mkldnn = layout("_mkldnn")
jagged = layout("jagged")
_LAYOUTS = layout._by_name
