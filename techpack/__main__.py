"""python -m techpack: the same as the techpack command."""

from techpack.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    main(prog_name="techpack")
