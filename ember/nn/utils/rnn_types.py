"""Type checks for packed sequences (PackedSequence itself is not implemented yet)."""


def is_packed(obj):
    return type(obj).__name__ == "PackedSequence"
