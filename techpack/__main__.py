"""python -m techpack: the same as the techpack command."""

from techpack.cli import main

main(prog_name="techpack")
