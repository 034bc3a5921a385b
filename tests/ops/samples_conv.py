"""Table entries for ember.ops.conv / im2col / padding (through lib.nn.functional):
conv1d/2d/3d (stride, padding int/tuple/'same'/'valid', dilation, groups incl. depthwise,
bias), transposed convolutions (output_padding, groups, dilation), unfold/fold, and pad in
every mode with positive and negative pads. Gradgrad runs on every entry: conv's backward
is made of convolutions, pad's of pads. Internal code paths (column layouts, chunking) are
tests/nn/test_conv.py's: they need the conv module's tuning constants patched.
"""
from ops.table import OpSample


def _f(fn):
    return lambda lib, *args: fn(lib.nn.functional, *args)


def _conv(name, dim, x, w, b=True, tol=1e-4, **kw):
    """One convolution sample: ``name`` is the functional (conv1d, conv_transpose2d, ...)."""
    fn = getattr
    if b:
        call = _f(lambda F, x, w, b: fn(F, name)(x, w, b, **kw))
        out_channels = w[1] * kw.get("groups", 1) if "transpose" in name else w[0]
        case = [x, w, (out_channels,)]
    else:
        call = _f(lambda F, x, w: fn(F, name)(x, w, **kw))
        case = [x, w]
    label = "_".join([name] + [f"{k}{v}" for k, v in kw.items()] + ([] if b else ["nobias"]))
    return OpSample(label.replace(" ", ""), call, [case], rtol=tol, atol=tol)


SAMPLES = [
    _conv("conv2d", 2, (2, 4, 6, 5), (4, 4, 3, 2)),
    _conv("conv2d", 2, (2, 4, 6, 5), (4, 2, 3, 2), padding=(1, 2), stride=(2, 1), groups=2,
          dilation=(1, 2)),
    _conv("conv2d", 2, (2, 4, 6, 5), (8, 1, 3, 3), b=False, padding=1, stride=2, groups=4),
    _conv("conv2d", 2, (2, 4, 6, 5), (4, 4, 3, 3), padding="same", dilation=2),
    _conv("conv2d", 2, (2, 4, 6, 5), (4, 4, 3, 2), b=False, padding="valid"),
    _conv("conv2d", 2, (4, 6, 5), (3, 4, 3, 3), padding=1),               # unbatched
    _conv("conv1d", 1, (2, 4, 9), (4, 2, 3), padding=2, stride=2, groups=2, dilation=2),
    _conv("conv1d", 1, (2, 4, 9), (4, 4, 3), b=False, padding="same"),
    _conv("conv3d", 3, (1, 2, 3, 4, 4), (2, 1, 2, 2, 3), padding=1, groups=2),
    _conv("conv3d", 3, (1, 2, 3, 4, 4), (3, 2, 2, 3, 2), b=False, stride=(1, 2, 1)),
    _conv("conv_transpose2d", 2, (2, 4, 3, 4), (4, 3, 3, 2), stride=2, padding=1,
          output_padding=1, groups=2),
    _conv("conv_transpose2d", 2, (2, 3, 4, 4), (3, 2, 3, 3), b=False, dilation=2),
    _conv("conv_transpose1d", 1, (2, 2, 5), (2, 3, 3), b=False, dilation=2, output_padding=1),
    _conv("conv_transpose3d", 3, (1, 2, 2, 3, 3), (2, 2, 2, 2, 2), stride=2, padding=1),
    OpSample("unfold", _f(lambda F, x: F.unfold(x, (2, 3), padding=1, stride=(2, 1),
                                                dilation=(1, 2))), [[(2, 3, 7, 6)], [(3, 7, 6)]]),
    OpSample("fold", _f(lambda F, c: F.fold(c, (5, 4), 2, padding=1, stride=(2, 1))),
             [[(2, 8, 15)], [(8, 15)]]),
] + [
    OpSample(f"pad_{mode}", _f(lambda F, x, mode=mode, pad=pad: F.pad(x, pad, mode=mode)),
             [[shape]])
    for mode, shape, pad in [
        ("constant", (2, 3, 7), (-1, 2)), ("constant", (2, 3, 4, 5, 2), (1, 1, 0, 2, -1, 1)),
        ("reflect", (2, 3, 7), (3, -2)), ("reflect", (2, 3, 5, 6), (2, -1, -1, 3)),
        ("reflect", (2, 2, 4, 5, 6), (1, 1, 2, 0, 1, 3)),
        ("replicate", (3, 7), (2, 0)), ("replicate", (2, 3, 5, 6), (1, 2, 2, 1)),
        ("replicate", (2, 4, 5, 6, 3), (1, 2, 0, 1, 2, 1)),
        ("circular", (2, 3, 7), (-2, -3)), ("circular", (2, 3, 5, 6), (2, -1, 1, 2)),
        ("circular", (2, 2, 4, 5, 6), (1, 1, 2, 0, 1, 3)),
    ]
] + [
    OpSample("pad_constant_value", _f(lambda F, x: F.pad(x, (1, 2, 2, 0), value=2.5)),
             [[(2, 3, 4)]]),
]
