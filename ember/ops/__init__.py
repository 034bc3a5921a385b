"""Every differentiable primitive, one module per family (see DESIGN.md)."""
