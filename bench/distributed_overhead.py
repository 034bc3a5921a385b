"""Per-call overhead of ``all_reduce``: a 4 KB float32 tensor in a world of one process
(ember on MPI, torch on gloo), so the time is the library's own cost around the
collective. The 2-rank comparisons are separate scripts (they need several processes):
``python -m bench.distributed_allreduce`` (ember vs raw mpi4py) and
``python -m bench.distributed_ddp`` (DDP throughput, 1 vs 2 processes, ember vs torch).
"""
DESCRIPTION = "all_reduce 4 KB float32, world of 1"
NUMBER = 1000  # calls per timed repeat


def make(lib):
    dist = lib.distributed
    if not dist.is_initialized():
        if lib.__name__ == "torch":
            import socket
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=0,
                                    world_size=1)
        else:
            dist.init_process_group("gloo", rank=0, world_size=1)
    t = lib.ones(1024)
    dist.all_reduce(t)

    def run():
        for _ in range(NUMBER):
            dist.all_reduce(t)
    return run
