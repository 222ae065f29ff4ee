"""torchvision.models for the Trainloop runtime: ResNet, VGG, MobileNetV2 and AlexNet built as torchvision builds
them, without pretrained weights (the runtime downloads nothing: asking for weights says so, see _weights.py). The
other architectures torchvision has are placeholders that say they are not supported yet when used."""
from . import alexnet as _alexnet_module, mobilenetv2, resnet, vgg
from ._weights import WeightsEnum, Weights
from .alexnet import AlexNet, AlexNet_Weights, alexnet
from .mobilenetv2 import MobileNetV2, MobileNet_V2_Weights, mobilenet_v2
from .resnet import (ResNet, ResNet18_Weights, ResNet34_Weights, ResNet50_Weights, ResNet101_Weights,
                     ResNet152_Weights, resnet18, resnet34, resnet50, resnet101, resnet152)
from .vgg import (VGG, VGG11_Weights, VGG11_BN_Weights, VGG13_Weights, VGG13_BN_Weights, VGG16_Weights,
                  VGG16_BN_Weights, VGG19_Weights, VGG19_BN_Weights, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16,
                  vgg16_bn, vgg19, vgg19_bn)

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet", "MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2", "ResNet",
           "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights", "ResNet101_Weights", "ResNet152_Weights",
           "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "VGG", "VGG11_Weights", "VGG11_BN_Weights",
           "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights",
           "VGG19_BN_Weights", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
           "get_weight", "WeightsEnum", "Weights"]


def get_weight(name):
    """The weights member a name such as "ResNet50_Weights.IMAGENET1K_V2" gives, as torchvision.models.get_weight."""
    enum_name, _, member = name.partition(".")
    enum_class = globals().get(enum_name)
    if not (isinstance(enum_class, type) and issubclass(enum_class, WeightsEnum)) or not member:
        raise ValueError(f"Invalid weight name provided: '{name}'.")
    return enum_class.verify(member)


def __getattr__(name):
    """Other torchvision architectures (densenet121, vit_b_16, ...): placeholders that fail when used."""
    if name.startswith("_"):
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    from torch._missing_modules import placeholder

    value = placeholder(f"{__name__}.{name}")
    globals()[name] = value
    return value
