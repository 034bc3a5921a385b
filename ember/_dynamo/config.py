"""``torch._dynamo.config``: the settings programs commonly set; kept, not consulted."""
suppress_errors = False
cache_size_limit = 8
accumulated_cache_size_limit = 256
verbose = False
capture_scalar_outputs = False
capture_dynamic_output_shape_ops = False
optimize_ddp = True
automatic_dynamic_shapes = True
assume_static_by_default = True
recompile_limit = 8
