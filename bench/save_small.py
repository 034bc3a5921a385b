"""save + load of a state dict of many small tensors (1000 tensors of 16 floats, the
shape of a big model's biases and norms) to an in-memory file, PyTorch's zip format."""
import io

DESCRIPTION = "save+load 1000 small tensors"
NUMBER = 2


def make(lib):
    lib.manual_seed(0)
    sd = {f"layer{i}.bias": lib.randn(16) for i in range(1000)}

    def run():
        for _ in range(NUMBER):
            buf = io.BytesIO()
            lib.save(sd, buf)
            buf.seek(0)
            lib.load(buf)
    return run
