"""The tutorial two-layer network: 500 Adam steps (forward, MSE sum loss, backward, step).

Linear(1000, 100) -> clamp(min=0) -> Linear(100, 10), batch 64, Adam lr=1e-4. 500 steps
stay clear of the denormal slowdown DESIGN.md warns about (that starts near step 500 for
this model, so the run is short enough and both libraries see the same data).
"""
DESCRIPTION = "two-layer net, 500 Adam steps (tutorial)"
NUMBER = 1


def make(lib):
    lib.manual_seed(0)
    N, D_in, H, D_out = 64, 1000, 100, 10
    x = lib.randn(N, D_in)
    y = lib.randn(N, D_out)

    def run():
        lib.manual_seed(1)
        l1, l2 = lib.nn.Linear(D_in, H), lib.nn.Linear(H, D_out)
        loss_fn = lib.nn.MSELoss(reduction="sum")
        opt = lib.optim.Adam(list(l1.parameters()) + list(l2.parameters()), lr=1e-4)
        for _ in range(500):
            loss = loss_fn(l2(l1(x).clamp(min=0)), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return run
