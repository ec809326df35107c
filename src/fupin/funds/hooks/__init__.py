"""What funds plugs into the layers below it, connected once in AppConfig.ready(): the exchange sheets of budgets,
allocations, projects and assets, the policy pack's standards, the household page's panels. One module a topic
(hooks/<topic>.py defines its `connect()`)."""

from . import assets, ledger, links, projects, standards


def connect():
    for topic in (ledger, projects, standards, assets, links):
        topic.connect()
