"""What the links topic plugs in (exchange sheets, panels, pack sections)."""


def connect():
    pass
