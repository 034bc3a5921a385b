"""``ember.profiler``: ``torch.profiler``'s API on ember's dispatch hook.

``profile`` records every op call (named as PyTorch names them: ``aten::linear``,
``aten::conv2d``, ``aten::addmm`` ...; see ``_names.py``), backward nodes
(``autograd::engine::evaluate_function: AddmmBackward0``), optimizer steps
(``Optimizer.step#SGD.step``), DataLoader batches, ``record_function`` ranges and, with
``with_modules``, module calls; ``key_averages().table()`` prints PyTorch's table and
``export_chrome_trace`` / ``tensorboard_trace_handler`` write Chrome-trace JSON.
"""
from .profiler import (profile, schedule, ProfilerActivity, ProfilerAction,
                       supported_activities, tensorboard_trace_handler, _KinetoProfile)
from ._recorder import record_function
from ._events import EventList, FunctionEvent, FunctionEventAvg

__all__ = ["profile", "schedule", "ProfilerActivity", "ProfilerAction", "record_function",
           "supported_activities", "tensorboard_trace_handler", "EventList",
           "FunctionEvent", "FunctionEventAvg"]
