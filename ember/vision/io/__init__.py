"""``ember.vision.io``: image files to and from uint8 tensors (``torchvision.io``), through
Pillow. Decoded pixels are torchvision's for PNG; JPEG decoding is libjpeg's in both
(Pillow's build), and encoded bytes differ from torchvision's (another encoder) while
decoding to the same image for PNG. Video reading is not provided.
"""
from .image import (ImageReadMode, decode_image, decode_jpeg, decode_png, encode_jpeg,
                    encode_png, read_file, read_image, write_file, write_jpeg, write_png)

__all__ = ["ImageReadMode", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg",
           "encode_png", "read_file", "read_image", "write_file", "write_jpeg", "write_png"]
