"""Where assistance keeps its files (visit photos): one storage, read from the settings when used."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class AssistanceFiles(FileSystemStorage):
    """ASSISTANCE_FILES_DIR as the setting is when a file is saved or opened (a `location=` given at class creation
    would keep the value of that moment, whatever a test or a deployment sets later)."""

    @property
    def base_location(self):
        return str(settings.ASSISTANCE_FILES_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)
