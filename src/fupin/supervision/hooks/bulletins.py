"""What the bulletins topic plugs into the layers below (exchange sheets, registry panels, policy estimates):
nothing yet."""


def connect():
    pass
