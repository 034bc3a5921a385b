"""Regenerate the committed surface lists: ``python -m tests.surface.update``.

Run it from the repository root after adding or removing public names (or after a
merge), then review and commit the diff of ``tests/surface/*_names.txt``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from surface_names import write_all  # noqa: E402


def main():
    for surface, (added, removed) in write_all().items():
        print(f"{surface}: {len(added)} added, {len(removed)} removed")
        for n in added:
            print(f"  + {n}")
        for n in removed:
            print(f"  - {n}")


if __name__ == "__main__":
    main()
