"""What supervision plugs into the layers below it, connected once in AppConfig.ready(): the exchange sheet of the
problems ledger, the household page's panel, the county exit's spot-check estimates (policy). One module a topic
(hooks/<topic>.py defines its `connect()`)."""

from . import bulletins, checks, problems


def connect():
    for topic in (problems, checks, bulletins):
        topic.connect()
