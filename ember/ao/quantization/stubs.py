"""QuantStub / DeQuantStub / QuantWrapper (``torch.ao.quantization.stubs``): placeholders
that ``convert`` swaps for Quantize / DeQuantize."""
from ...nn.modules.module import Module


class QuantStub(Module):
    """Before calibration an identity; ``convert`` makes it a ``Quantize``."""

    def __init__(self, qconfig=None):
        super().__init__()
        if qconfig:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class DeQuantStub(Module):
    """Before calibration an identity; ``convert`` makes it a ``DeQuantize``."""

    def __init__(self, qconfig=None):
        super().__init__()
        if qconfig:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class QuantWrapper(Module):
    """``quant -> module -> dequant``."""

    def __init__(self, module):
        super().__init__()
        qconfig = getattr(module, "qconfig", None)
        self.add_module("quant", QuantStub(qconfig))
        self.add_module("dequant", DeQuantStub(qconfig))
        self.add_module("module", module)
        self.train(module.training)

    def forward(self, X):
        return self.dequant(self.module(self.quant(X)))
