from .functional import InterpolationMode
