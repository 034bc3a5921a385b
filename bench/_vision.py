"""The torchvision-API package of a library: ember.vision for ember, torchvision for torch."""
import importlib


def vision_of(lib):
    return importlib.import_module("ember.vision" if lib.__name__ == "ember" else "torchvision")
