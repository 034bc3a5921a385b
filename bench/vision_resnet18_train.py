"""ResNet-18 (vision.models.resnet18, ImageNet layout with its 7x7 stem and max-pool) train
step: batch 16 of 3x112x112 (half the ImageNet side, so the bench stays under a minute),
100 classes, cross-entropy, SGD with momentum."""
from bench._vision import vision_of

DESCRIPTION = "vision.models.resnet18 train step, batch 16, 112x112"
NUMBER = 1


def make(lib):
    lib.manual_seed(0)
    model = vision_of(lib).models.resnet18(num_classes=100).train()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = lib.randn(16, 3, 112, 112)
    y = lib.randint(0, 100, (16,))

    def run():
        opt.zero_grad()
        lib.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return run
