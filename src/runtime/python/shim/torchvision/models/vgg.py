"""torchvision.models.vgg: VGG-11/13/16/19, with and without batch norm, as torchvision builds and initializes them,
without pretrained weights."""
from torch import nn

from ._weights import Weights, WeightsEnum, resolve_weights

__all__ = ["VGG", "make_layers", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights",
           "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights", "vgg11", "vgg11_bn", "vgg13",
           "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]

_MODELS = "https://download.pytorch.org/models/"
# Channels of each 3×3 convolution, "M" for a 2×2 max pool: configurations A, B, D and E of the VGG paper.
cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """Convolutional `features`, pooled to 7×7, then three linear layers with ReLU and dropout."""

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def make_layers(cfg, batch_norm=False):
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


def _weights(file, num_params):
    return Weights(_MODELS + file, num_params, min_size=(32, 32))


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11-8a719046.pth", 132863336)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11_bn-6002323d.pth", 132868840)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg13-19584684.pth", 133047848)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg13_bn-abd245e5.pth", 133053736)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16-397923af.pth", 138357544)
    IMAGENET1K_FEATURES = _weights("vgg16_features-amdegroot-88682ab5.pth", 138357544)
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16_bn-6c64b313.pth", 138365992)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg19-dcbb9e9d.pth", 143667240)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg19_bn-c79401a0.pth", 143678248)
    DEFAULT = IMAGENET1K_V1


def _vgg(name, weights_enum, cfg, batch_norm, weights, args, kwargs):
    resolve_weights(name, weights_enum, weights, args, kwargs)
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg11", VGG11_Weights, "A", False, weights, args, kwargs)


def vgg11_bn(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg11_bn", VGG11_BN_Weights, "A", True, weights, args, kwargs)


def vgg13(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg13", VGG13_Weights, "B", False, weights, args, kwargs)


def vgg13_bn(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg13_bn", VGG13_BN_Weights, "B", True, weights, args, kwargs)


def vgg16(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg16", VGG16_Weights, "D", False, weights, args, kwargs)


def vgg16_bn(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg16_bn", VGG16_BN_Weights, "D", True, weights, args, kwargs)


def vgg19(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg19", VGG19_Weights, "E", False, weights, args, kwargs)


def vgg19_bn(*args, weights=None, progress=True, **kwargs):
    return _vgg("vgg19_bn", VGG19_BN_Weights, "E", True, weights, args, kwargs)
