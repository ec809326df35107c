"""Where funds keeps its files (acceptance records, audit reports, notices of projects): one storage, read from the
settings when used."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class FundsFiles(FileSystemStorage):
    """FUNDS_FILES_DIR as the setting is when a file is saved or opened (tests and deployments set it later)."""

    @property
    def base_location(self):
        return str(settings.FUNDS_FILES_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)
