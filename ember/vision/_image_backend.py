"""Pillow, imported on first use with an install hint when it is missing."""


def import_pil():
    """Return the ``PIL.Image`` module (``pip install 'ember[vision]'`` when absent)."""
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError("ember.vision reads and writes images through Pillow: "
                          "pip install 'ember[vision]'") from exc
    return Image


def is_pil_image(obj):
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(obj, Image.Image)
