"""torch.linalg on 256x256 float32: inv, solve, cholesky, qr, svd, eigh and det in one
call each (LAPACK underneath both libraries; issue 17's target is within 1.2x)."""
DESCRIPTION = "linalg inv/solve/cholesky/qr/svd/eigh/det, 256x256 float32"
NUMBER = 3  # rounds of the seven calls per timed repeat


def make(lib):
    lib.manual_seed(0)
    a = lib.randn(256, 256)
    spd = a @ a.T + 256 * lib.eye(256)
    b = lib.randn(256, 8)
    L = lib.linalg

    def run():
        for _ in range(NUMBER):
            L.inv(spd)
            L.solve(spd, b)
            L.cholesky(spd)
            L.qr(a)
            L.svd(a, full_matrices=False)
            L.eigh(spd)
            L.det(spd)
    return run
