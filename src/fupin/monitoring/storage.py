"""Where monitoring keeps its files (evidence, department reports): one storage, read from the settings when used."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class MonitoringFiles(FileSystemStorage):
    """MONITORING_FILES_DIR as the setting is when a file is saved or opened: a storage built with `location=` would
    keep the value it had when the model class was made, whatever a test or a deployment sets later."""

    @property
    def base_location(self):
        return str(settings.MONITORING_FILES_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)
