"""A dataset for the 'spawn' test in its own module: a spawned worker imports the module
that defines the dataset, and this one does not import torch (keeps the test fast)."""
import ember
from ember.utils.data import Dataset, get_worker_info


class Labelled(Dataset):
    def __getitem__(self, i):
        return ember.tensor([float(i)]), i, get_worker_info().id

    def __len__(self):
        return 9
