"""Actions on the households a run flagged, offered by the apps above policy, so policy never imports them.

An app registers its action in its AppConfig.ready() (monitoring: 发起监测, which starts a case per household)::

    from fupin.policy import actions

    actions.register_flagged_action("monitoring.start", _("发起监测"), "monitoring:start-from-run",
                                    kinds={"monitoring"}, may=lambda user, run: ...)

The flagged list then shows a tick box per household and, for each action the user may take on the run shown, a
button per household and one for the ticked households. Each posts to the action's URL: `run` (the run's id),
`household` (each ticked household's id) or `one` (the household of a row's button), and `next` (the list's own
address, to come back to). The action's view does the checking: scope, role, which households the run flagged.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FlaggedAction:
    name: str  # unique, "<app>.<what>"; registering a name again replaces it in its place
    label: str
    url_name: str
    kinds: frozenset  # the run kinds (policy.models.Kind values) it applies to
    may: Callable  # (user, run) -> bool: whether the user is offered it on this run


_actions: dict[str, FlaggedAction] = {}


def register_flagged_action(name: str, label, url_name: str, *, kinds, may: Callable) -> None:
    _actions[name] = FlaggedAction(name, label, url_name, frozenset(kinds), may)


def flagged_actions(user, run) -> list[FlaggedAction]:
    """The actions offered on this run's flagged list to this user, in registration order."""
    if run is None:
        return []
    return [action for action in _actions.values() if run.kind in action.kinds and action.may(user, run)]
