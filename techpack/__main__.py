"""python -m techpack: the same as the techpack command."""

from techpack.cli import run

if __name__ == "__main__":  # not when a spawned worker process imports this module
    run()
