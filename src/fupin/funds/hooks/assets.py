"""What the assets topic plugs in (exchange sheets, panels, pack sections)."""


def connect():
    pass
