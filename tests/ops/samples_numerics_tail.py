"""Table entries for issue 17's last numerics names: F.conv_tbc / torch.conv_tbc (pad 0,
positive, negative crop, kernel 1, empty result), torch.grid_sampler_2d / _3d (int modes:
bilinear/trilinear, nearest, bicubic x zeros/border/reflection, align_corners; grid
gradients except for nearest)."""
import warnings

from ops.table import OpSample, Arr, Const


def _grid(shape, grad=True):
    return Arr(shape, -1.1, 1.1, grad=grad)


_G2 = _grid((2, 3, 4, 2))
_G3 = _grid((2, 2, 3, 2, 3))

SAMPLES = [
    OpSample("F_conv_tbc", lambda t, x, w, b, p: t.nn.functional.conv_tbc(x, w, b, pad=p),
             [[(5, 2, 3), (3, 3, 4), (4,), Const(0)], [(5, 2, 3), (3, 3, 4), (4,), Const(2)],
              [(6, 1, 2), (1, 2, 3), (3,), Const(0)], [(7, 2, 3), (3, 3, 2), (2,), Const(-1)],
              [(2, 2, 3), (3, 3, 2), (2,), Const(0)]], noncontig=False),
    OpSample("torch_conv_tbc_default_pad", lambda t, x, w, b: t.conv_tbc(x, w, b),
             [[(4, 3, 2), (2, 2, 5), (5,)]], noncontig=False),
] + [
    OpSample(f"grid_sampler_2d_{m}_{p}", lambda t, x, g, m=m, p=p: (
        t.grid_sampler_2d(x, g, m, p, False), t.grid_sampler_2d(x, g, m, p, True)),
        [[(2, 3, 5, 4), _G2 if m != 1 else _grid((2, 3, 4, 2), grad=False)]],
        rtol=1e-4, atol=1e-4, gradgrad=False)
    for m in (0, 1, 2) for p in (0, 1, 2)
] + [
    OpSample(f"grid_sampler_3d_{m}_{p}", lambda t, x, g, m=m, p=p: (
        t.grid_sampler_3d(x, g, m, p, False), t.grid_sampler_3d(x, g, m, p, True)),
        [[(2, 3, 4, 3, 5), _G3 if m != 1 else _grid((2, 2, 3, 2, 3), grad=False)]],
        rtol=1e-4, atol=1e-4, gradgrad=False, noncontig=False)
    for m in (0, 1) for p in (0, 1, 2)
] + [
    OpSample("grid_sample_3d_functional", lambda t, x, g: t.nn.functional.grid_sample(
        x, g, mode="bilinear", padding_mode="border", align_corners=True),
        [[(1, 2, 3, 4, 3), _grid((1, 2, 2, 2, 3))]], rtol=1e-4, atol=1e-4, gradgrad=False),
    OpSample("torch_grid_sampler_5d", lambda t, x, g: t.grid_sampler(x, g, 0, 2, False),
             [[(1, 2, 3, 3, 3), _grid((1, 2, 2, 2, 3))]], rtol=1e-4, atol=1e-4, gradgrad=False),
]


# -- linalg.matrix_sqrth / linalg.polar ---------------------------------------------------
def _spd(t, x):
    """A well-conditioned symmetric positive-definite batch from any square ``x``."""
    return x @ x.mT + x.shape[-1] * t.eye(x.shape[-1], dtype=x.dtype)


def _hpd(t, x, y):
    z = t.complex(x, y)
    return z @ z.mH + x.shape[-1] * t.eye(x.shape[-1], dtype=z.dtype)


def _parts(z):
    return z.real, z.imag


SAMPLES += [
    OpSample("linalg_matrix_sqrth", lambda t, x: t.linalg.matrix_sqrth(_spd(t, x)),
             [[(3, 3)], [(2, 4, 4)], [(1, 1)], [(2, 0, 3, 3)]], rtol=1e-4, atol=1e-4),
    OpSample("linalg_matrix_sqrth_direct", lambda t, a: t.linalg.matrix_sqrth(
        a @ a.mT + t.eye(3)), [[(3, 3)]], rtol=1e-4, atol=1e-4),
    OpSample("linalg_matrix_sqrth_lower_triangle_only", lambda t, x, u: t.linalg.matrix_sqrth(
        _spd(t, x).tril() + (_spd(t, x) + u).triu(1)), [[(3, 3), (3, 3)]], grad=False,
             rtol=1e-4, atol=1e-4),
    OpSample("linalg_matrix_sqrth_complex", lambda t, x, y: _parts(t.linalg.matrix_sqrth(
        _hpd(t, x, y))), [[(3, 3), (3, 3)], [(2, 2, 2), (2, 2, 2)]], rtol=1e-4, atol=1e-4,
             check_dtype=False),
    OpSample("linalg_polar", lambda t, a: tuple(t.linalg.polar(a)),
             [[(5, 3)], [(4, 4)], [(2, 3, 3, 2)], [(3, 1)], [(0, 3, 2)]], rtol=1e-4, atol=1e-4),
    OpSample("linalg_polar_U_only", lambda t, a: t.linalg.polar(a).U, [[(4, 2)], [(2, 3, 3)]],
             rtol=1e-4, atol=1e-4),
    OpSample("linalg_polar_H_only", lambda t, a: t.linalg.polar(a)[1], [[(4, 3)]],
             rtol=1e-4, atol=1e-4),
    OpSample("linalg_polar_complex", lambda t, x, y: _parts(t.linalg.polar(t.complex(x, y))[0])
             + _parts(t.linalg.polar(t.complex(x, y))[1]), [[(4, 3), (4, 3)]],
             rtol=1e-4, atol=1e-4),
]


# -- Tensor method forms of the LAPACK-style factorisations -------------------------------
def _quiet(fn):
    """PyTorch warns that torch.lu is deprecated (ember does not): silence it for the run."""
    def run(t, *args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(t, *args)
    return run


def _geqrf_parts(t, a):
    q, tau = a.detach().geqrf()
    return q, tau


SAMPLES += [
    OpSample("Tensor_geqrf", lambda t, a: _geqrf_parts(t, a), [[(4, 3)], [(2, 3, 3)], [(3, 5)]],
             grad=False, atol=1e-4, rtol=1e-4),
    OpSample("Tensor_orgqr", lambda t, a: (lambda q, tau: q.orgqr(tau))(*_geqrf_parts(t, a)),
             [[(4, 3)], [(2, 3, 3)]], grad=False, atol=1e-4, rtol=1e-4),
    OpSample("Tensor_orgqr_grad", lambda t, a, tau: a.orgqr(tau),
             [[(4, 3), Arr((3,), 0.5, 1.5)], [(2, 3, 2), Arr((2, 2), 0.5, 1.5)]],
             atol=1e-4, rtol=1e-4),
    OpSample("Tensor_ormqr", lambda t, a, c: tuple(
        (lambda q, tau: (q.ormqr(tau, c), q.ormqr(tau, c, transpose=True),
                         q.ormqr(tau, c.mT, left=False)))(*_geqrf_parts(t, a))),
             [[Arr((4, 3), grad=False), (4, 2)]], atol=1e-4, rtol=1e-4),
    OpSample("Tensor_lu", _quiet(lambda t, a: tuple(a.detach().lu())
                                 + tuple(a.detach().lu(get_infos=True))),
             [[(3, 3)], [(2, 4, 4)], [(3, 5)], [(5, 3)]], grad=False, atol=1e-4, rtol=1e-4),
    # LU's gradient (pivots and info are integers, compared in forward only)
    OpSample("linalg_lu_factor", lambda t, a: t.linalg.lu_factor(a).LU,
             [[(3, 3)], [(2, 4, 4)], [(3, 5)], [(5, 3)], [(2, 2, 4)], [(2, 4, 2)], [(1, 1)],
              [(0, 3, 3)]], atol=1e-4, rtol=1e-4),
    OpSample("linalg_lu_factor_ex", lambda t, a: tuple(t.linalg.lu_factor_ex(a)),
             [[(4, 4)], [(2, 3, 5)]], atol=1e-4, rtol=1e-4, gradgrad=False),
    OpSample("linalg_lu_P_L_U", lambda t, a: tuple(t.linalg.lu(a)),
             [[(3, 3)], [(2, 3, 5)], [(5, 2)]], atol=1e-4, rtol=1e-4),
    OpSample("torch_lu_grad", _quiet(lambda t, a: t.lu(a)[0]), [[(3, 3)]], atol=1e-4,
             rtol=1e-4, gradgrad=False),
    OpSample("lu_unpack_grad", lambda t, a: tuple(t.lu_unpack(*t.linalg.lu_factor(a))[1:]),
             [[(4, 3)]], atol=1e-4, rtol=1e-4, gradgrad=False),
    OpSample("torch_lu_singular", _quiet(lambda t, a: tuple(t.lu(a.detach() * 0,
                                                                 get_infos=True))),
             [[(3, 3)]], grad=False),
    OpSample("invert_permutation", lambda t, p: t.nn.utils.rnn.invert_permutation(p),
             [[Const(lambda t: t.tensor([2, 0, 3, 1]))], [Const(lambda t: t.tensor([0]))],
              [Const(lambda t: t.tensor([], dtype=t.int64))]], grad=False),
]


# -- torch.lobpcg -------------------------------------------------------------------------
def _separated_spd(t, x):
    """SPD with eigenvalues 1.6^i (well separated at both ends, so both libraries converge
    in a few steps), rotated by x's Q and perturbed by x's symmetric part."""
    m = x.shape[-1]
    q = t.linalg.qr(x)[0]
    d = 1.6 ** t.arange(m, dtype=x.dtype)
    return (q * d) @ q.mT + 0.01 * (x + x.mT)


def _signed(E, X):
    return E, X * X[..., :1, :].sign()


def _lobpcg(**kw):
    def run(t, x, x0, *rest):
        extra = {"B": t.eye(x.shape[-1], dtype=x.dtype) + 0.05 * rest[0] @ rest[0].mT} \
            if rest else {}
        return _signed(*t.lobpcg(_separated_spd(t, x), X=x0, tol=1e-12, niter=-1, **kw,
                                 **extra))
    return run


_L9 = [(9, 9), Arr((9, 2), grad=False)]
_LOBPCG = dict(dtypes=("float64",), rtol=1e-6, atol=1e-6, noncontig=False)
SAMPLES += [
    OpSample("lobpcg_ortho_largest", _lobpcg(k=2), [_L9], **_LOBPCG),
    OpSample("lobpcg_ortho_batched", _lobpcg(k=2), [[(2, 9, 9), Arr((2, 9, 2), grad=False)]],
             gradcheck=False, **_LOBPCG),
    OpSample("lobpcg_basic_largest", _lobpcg(k=2, method="basic"), [_L9], gradgrad=False,
             **_LOBPCG),
    OpSample("lobpcg_k1_n3", _lobpcg(k=1), [[(9, 9), Arr((9, 3), grad=False)]],
             gradgrad=False, **_LOBPCG),
    OpSample("lobpcg_smallest", _lobpcg(k=1, largest=False), [[(9, 9), Arr((9, 2),
                                                                           grad=False)]],
             gradcheck=False, **_LOBPCG),
    OpSample("lobpcg_generalized_B", _lobpcg(k=2), [_L9 + [Arr((9, 9), grad=False)]],
             grad=False, **_LOBPCG),
]
