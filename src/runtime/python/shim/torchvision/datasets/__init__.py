"""torchvision.datasets: MNIST, FashionMNIST and KMNIST. Other datasets are not part of the runtime yet:
constructing one raises NotImplementedError naming it."""
from torch._tensor import unsupported

from .mnist import EMNIST, KMNIST, MNIST, QMNIST, FashionMNIST
from .vision import VisionDataset

__all__ = ["EMNIST", "FashionMNIST", "KMNIST", "MNIST", "QMNIST", "VisionDataset"]


def _not_in_runtime(name):
    """A stand-in class for a dataset the runtime lacks: constructing it raises NotImplementedError."""

    def __init__(self, *args, **kwargs):
        raise unsupported(f"torchvision.datasets.{name}")

    return type(name, (VisionDataset,), {"__init__": __init__, "__module__": __name__,
                                         "__doc__": f"Not supported by the Trainloop runtime yet: torchvision.datasets.{name}."})


UNSUPPORTED_DATASETS = ("CIFAR10", "CIFAR100", "SVHN", "STL10", "CelebA", "ImageNet", "ImageFolder", "DatasetFolder",
                        "VOCDetection", "VOCSegmentation", "CocoDetection", "CocoCaptions", "Omniglot", "USPS",
                        "Caltech101", "Caltech256", "Flowers102", "OxfordIIITPet", "Food101", "StanfordCars",
                        "FakeData", "Places365", "LSUN", "SBU", "Kinetics", "UCF101", "HMDB51")

for _name in UNSUPPORTED_DATASETS:
    globals()[_name] = _not_in_runtime(_name)
__all__ += list(UNSUPPORTED_DATASETS)
