"""The `fupin` console script: Django management under a friendly name.

`fupin serve` is `runserver` without the autoreloader noise; every other word is a management command
(`fupin migrate`, `fupin demo`, `fupin createsuperuser`, ...).
"""

import os
import sys

ALIASES = {"serve": "runserver"}


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    execute_from_command_line(["fupin", *argv[1:]])


if __name__ == "__main__":
    main()
