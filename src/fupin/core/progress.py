"""Progress of a long operation, the one protocol every layer reports through: phases, each with a total, and
how far each has come.

The operation (the demo's load, an assessment, an import) names its phases; whoever started it decides what to do
with them: the CLI draws a rich bar per phase (RichProgress), an import job writes the small file its page polls
(exchange.services.JobProgress, on Steps), a bench times them. Progress() itself reports nothing.
"""


class Progress:
    """Reports nothing; subclasses draw or store what they are told."""

    def phase(self, name: str, total: int) -> None:
        """Phase `name` starts, with `total` steps to do."""

    def advance(self, name: str, amount: int = 1) -> None:
        """`amount` more steps of phase `name` are done."""


class RichProgress(Progress):
    """One bar per phase on a rich.progress.Progress (the management commands')."""

    def __init__(self, bars):
        self.bars, self.tasks = bars, {}

    def phase(self, name: str, total: int) -> None:
        self.tasks[name] = self.bars.add_task(name, total=total)

    def advance(self, name: str, amount: int = 1) -> None:
        self.bars.advance(self.tasks[name], amount)


class Steps(Progress):
    """Keeps how far each phase has come and hands every change to report(name, done, total): for whoever wants
    the figures themselves (an import job's progress file, a bench's timeline)."""

    def __init__(self):
        self.steps: dict[str, list[int]] = {}  # phase → [done, total]

    def phase(self, name: str, total: int) -> None:
        self.steps[name] = [0, total]
        self.report(name, 0, total)

    def advance(self, name: str, amount: int = 1) -> None:
        step = self.steps[name]
        step[0] += amount
        self.report(name, *step)

    def report(self, name: str, done: int, total: int) -> None:
        """Phase `name` has done `done` of `total` steps."""
