"""What the projects topic plugs in (exchange sheets, panels, pack sections)."""


def connect():
    pass
