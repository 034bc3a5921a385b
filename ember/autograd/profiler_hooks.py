"""Where code outside the ops reports to an active profiler.

Op calls reach the profiler through the dispatch-mode stack (``autograd/dispatch.py``);
a few places that are not op calls are ranges in PyTorch's traces too: each backward node
the engine runs (``autograd::engine::evaluate_function: AddmmBackward0``) and each
``DataLoader`` batch (``enumerate(DataLoader)#_SingleProcessDataLoaderIter.__next__``).
Those places check ``active[0]``: None (one index and one ``is`` test) unless
``ember.profiler.profile`` is recording, when it holds the recorder, which offers
``run_backward_node(run, node, grads, create_graph)`` and ``range(name, category)``.
Optimizer steps and module calls are recorded through their public global hooks
(``register_optimizer_step_pre_hook``, ``register_module_forward_pre_hook``).
"""

active = [None]
