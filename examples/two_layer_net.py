"""The two-layer network of PyTorch's "Learning PyTorch with Examples" tutorial, on ember.

Linear(1000, 100) -> clamp(min=0) -> Linear(100, 10) fitted to random data with
MSELoss(reduction='sum') and Adam(lr=1e-4), batch 64, 500 steps. Only the import
differs from the PyTorch program.

    python examples/two_layer_net.py
"""
import ember as torch


def main(steps=500, log_every=100):
    torch.manual_seed(0)
    N, D_in, H, D_out = 64, 1000, 100, 10
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)

    model = torch.nn.Sequential(
        torch.nn.Linear(D_in, H),
        torch.nn.ReLU(),
        torch.nn.Linear(H, D_out),
    )
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

    for t in range(steps):
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        if t % log_every == log_every - 1:
            print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


if __name__ == "__main__":
    main()
