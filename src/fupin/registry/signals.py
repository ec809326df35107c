"""Signals of the registry for the apps that keep data derived from it.

`households_changed` is sent by writers that change registry rows in bulk without model saves (the importer's
UPDATE of existing members, incomes, conditions and households), inside their transaction, with the ids of the
households whose rows changed; per-record saves send Django's own post_save/post_delete instead.

`risk_reported` carries a risk found by an app above the registry to the app that records clues (monitoring)."""

from django.dispatch import Signal

households_changed = Signal()
#: a risk found in the field (a cadre's visit): monitoring receives it and records a clue (渠道 基层干部排查), so the
#: app that finds the risk never imports monitoring. kwargs: user, household, risk_types (RiskType values, the main
#: one first), description, reported_on (date), source_ref ("visit:<id>"); a receiver returns the clue's reference
risk_reported = Signal()  # kwargs: household_ids (iterable of int), using (database alias)
