"""Helpers shared by the mobile models (``torchvision.models._utils``)."""


def _make_divisible(v, divisor, min_value=None):
    """Round channel count ``v`` to a multiple of ``divisor``, never more than 10% down
    (the rule of TensorFlow's slim MobileNet, as torchvision)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def init_mobile_weights(model, nn):
    """Kaiming-normal fan_out convolutions, unit norms, N(0, 0.01) linears, zero biases."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.zeros_(m.bias)
