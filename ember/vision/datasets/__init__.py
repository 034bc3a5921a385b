"""``ember.vision.datasets``: torchvision's image datasets, read from its on-disk layouts.

No dataset touches the network when its files are present; ``download=True`` with files
absent and no network fails at once naming the files and the folder they belong in.
"""
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import EMNIST, KMNIST, MNIST, FashionMNIST
from .svhn import SVHN
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "DatasetFolder", "EMNIST", "FakeData", "FashionMNIST",
           "ImageFolder", "KMNIST", "MNIST", "SVHN", "VisionDataset"]
