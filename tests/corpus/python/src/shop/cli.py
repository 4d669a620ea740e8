"""Command line: `python -m shop.cli DSN RELEASE import FILE` (errors crash the process)."""
import sys

from . import importer, telemetry


def main(argv):
    dsn, release, command, path = argv
    telemetry.init(dsn, release)
    # @1.0.1 # Only the import command is implemented.
    if command == "import":
        with open(path, encoding="utf-8") as f:
            count = importer.load_orders(f.read())
        print(f"imported {count} orders")


if __name__ == "__main__":
    main(sys.argv[1:])
