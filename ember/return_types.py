"""Named tuples returned by reductions (``torch.return_types``): ``values``/``indices`` ...

Built from one sequence like torch's structseq; they print and pickle like torch's.
"""
import operator


def _structseq(name, fields=("values", "indices")):
    """A tuple type with named fields, built from one sequence like torch's structseq."""
    def __new__(cls, sequence):
        seq = tuple(sequence)
        if len(seq) != len(fields):
            raise TypeError(f"ember.return_types.{name} takes a {len(fields)}-sequence "
                            f"({len(seq)}-sequence given)")
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"ember.return_types.{name}(\n{body})"

    ns = {"__slots__": (), "__new__": __new__, "__repr__": __repr__,
          "__reduce__": lambda self: (type(self), (tuple(self),)),
          "__module__": "ember.return_types", "n_fields": len(fields),
          "n_sequence_fields": len(fields),
          "__doc__": f"``torch.return_types.{name}``: a tuple with fields {', '.join(fields)}."}
    for i, f in enumerate(fields):
        ns[f] = property(operator.itemgetter(i), doc=f"Alias for field number {i}")
    return type(name, (tuple,), ns)


for _n in ("max", "min", "sort", "topk", "median", "mode", "kthvalue"):
    globals()[_n] = _structseq(_n)
aminmax = _structseq("aminmax", ("min", "max"))

# the numerics tail (issue 17, tail-math): frexp, cummax/cummin, histogram, nanmedian
frexp = _structseq("frexp", ("mantissa", "exponent"))
cummax = _structseq("cummax")
cummin = _structseq("cummin")
nanmedian = _structseq("nanmedian")
histogram = _structseq("histogram", ("hist", "bin_edges"))
histogramdd = _structseq("histogramdd", ("hist", "bin_edges"))
