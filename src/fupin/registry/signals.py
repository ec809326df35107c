"""Signals of the registry for the apps that keep data derived from it.

`households_changed` is sent by writers that change registry rows in bulk without model saves (the importer's
UPDATE of existing members, incomes, conditions and households), inside their transaction, with the ids of the
households whose rows changed; per-record saves send Django's own post_save/post_delete instead."""

from django.dispatch import Signal

households_changed = Signal()  # kwargs: household_ids (iterable of int), using (database alias)
