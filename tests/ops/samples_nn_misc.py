"""Table entries for the smaller nn op families (through lib.nn.functional):
channel_shuffle, grid_sample (bilinear/nearest x padding modes; gradients for input and
grid), the dropout family's deterministic cases (p=0, eval mode), and
scaled_dot_product_attention (plain, causal, with a float mask). Random masks are checked
statistically in tests/nn/test_dropout.py: the two libraries draw different streams.
"""
from ops.table import OpSample, Arr


def _f(fn):
    return lambda lib, *args: fn(lib.nn.functional, *args)


_GRID = Arr((2, 3, 4, 2), -0.9, 0.9)

SAMPLES = [
    OpSample("channel_shuffle", _f(lambda F, x: F.channel_shuffle(x, 2)), [[(2, 4, 3, 2)]]),
    OpSample("grid_sample_bilinear", _f(lambda F, x, g: F.grid_sample(
        x, g, mode="bilinear", padding_mode="zeros", align_corners=False)),
        [[(2, 3, 5, 4), _GRID]], rtol=1e-4, atol=1e-4, gradgrad=False),
    OpSample("grid_sample_border_aligned", _f(lambda F, x, g: F.grid_sample(
        x, g, mode="bilinear", padding_mode="border", align_corners=True)),
        [[(2, 3, 5, 4), _GRID]], rtol=1e-4, atol=1e-4, gradgrad=False),
    OpSample("grid_sample_nearest_reflection", _f(lambda F, x, g: F.grid_sample(
        x, g.detach(), mode="nearest", padding_mode="reflection", align_corners=False)),
        [[(2, 3, 5, 4), Arr((2, 3, 4, 2), -0.9, 0.9, grad=False)]], gradgrad=False),
    # (grid_sample has no double backward, as in PyTorch)
] + [
    OpSample(f"{name}_deterministic", _f(lambda F, x, name=name: (
        getattr(F, name)(x, 0.0), getattr(F, name)(x, 0.5, training=False))),
        [[(2, 4, 3, 3)]])
    for name in ("dropout", "dropout2d", "alpha_dropout", "feature_alpha_dropout")
] + [
    OpSample("scaled_dot_product_attention", _f(lambda F, q, k, v: F.scaled_dot_product_attention(
        q, k, v)), [[(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)]], rtol=1e-4, atol=1e-4),
    OpSample("scaled_dot_product_attention_causal", _f(
        lambda F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True)),
        [[(2, 4, 5), (2, 4, 5), (2, 4, 3)]], rtol=1e-4, atol=1e-4),
    OpSample("scaled_dot_product_attention_mask", _f(
        lambda F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.3)),
        [[(2, 4, 5), (2, 6, 5), (2, 6, 3), (4, 6)]], rtol=1e-4, atol=1e-4),
]
