"""ResNet-50 (vision.models.resnet50, torchvision's architecture) eval forward, batch 8 of
3x224x224, under no_grad. Target: ember within 1.5x of PyTorch's time."""
from bench._vision import vision_of

DESCRIPTION = "vision.models.resnet50 eval forward, batch 8, 224x224"
NUMBER = 1


def make(lib):
    lib.manual_seed(0)
    model = vision_of(lib).models.resnet50().eval()
    x = lib.randn(8, 3, 224, 224)

    def run():
        with lib.no_grad():
            model(x)
    return run
