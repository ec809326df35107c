"""The demo's refusals, as domain errors with a code: the command shows their message, a test matches the code."""

from fupin.core.errors import Conflict, DomainError


class DemoDataExists(Conflict):
    code = "demo_data_exists"


class InvalidDemoOptions(DomainError):
    code = "invalid_demo_options"
