"""What funds plugs into the layers below it, connected once in AppConfig.ready(): the exchange sheets of budgets,
allocations, projects and assets, and the household page's panels. Each topic adds its own function here."""


def connect():
    pass
