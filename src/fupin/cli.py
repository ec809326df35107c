"""The `fupin` console script: Django management under a friendly name.

`fupin serve` is the production server (gunicorn, see fupin.server); `fupin runserver` is Django's development
server, for development only. Every other word is a management command (`fupin migrate`, `fupin demo`,
`fupin createsuperuser`, ...).
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "serve":
        from fupin.server import main as serve

        return serve(argv[2:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fupin", *argv[1:]])


if __name__ == "__main__":
    main()
