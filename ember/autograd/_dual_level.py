"""The active forward-AD level, kept apart from ``forward_ad`` so that the in-place write
paths (ops/pointwise.py ``apply_inplace``, ops/indexing.py ``_put``) can test it with one
list index, without importing ``forward_ad`` while no level is active.

``level[0]``: the active ``forward_ad._ForwardMode`` (one level at a time), or None.
"""
level = [None]
