"""Write sine waves to traindata.pt with torch.save (a NumPy array, as the example does)."""
import numpy as np
import torch

np.random.seed(2)
T, L, N = 20, 120, 12
x = np.empty((N, L), "int64")
x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
data = np.sin(x / 1.0 / T).astype("float64")
torch.save(data, open("traindata.pt", "wb"))
