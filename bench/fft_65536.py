"""torch.fft on 2**16 points: complex fft + ifft and real rfft + irfft, float32
(issue 17's target is within 1.5x of torch)."""
DESCRIPTION = "fft/ifft/rfft/irfft, 2**16 points, float32"
NUMBER = 20  # rounds per timed repeat


def make(lib):
    lib.manual_seed(0)
    x = lib.randn(2 ** 16)
    z = lib.fft.fft(x)

    def run():
        for _ in range(NUMBER):
            lib.fft.ifft(lib.fft.fft(z))
            lib.fft.irfft(lib.fft.rfft(x))
    return run
