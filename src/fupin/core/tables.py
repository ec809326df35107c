"""The base of every result table (django-tables2): the grid's look, and pages that turn as the lists' always did."""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2 import A


def _resolve(record, path):
    """An accessor's value (attributes joined by "__", a method called), None past a None: tables2's Accessor,
    less its dict and index lookups, which our records (model instances) never need."""
    value = record
    for name in path:
        value = getattr(value, name, None)
        if callable(value):
            value = value()
        if value is None:
            return None
    return value


def record_link(url_name: str, record, text):
    """`text` linked to the record's page (a render method's body: tables2's linkify resolved its arguments per cell
    through several layers, the list page's largest cost after the template)."""
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[record.pk]), text)


class ResultTable(tables.Table):
    """A list's table as the pages draw it (web/_table.html, through `drawn_rows`): no sorting links (each list
    has its one order), an empty value shown empty, one page of rows at a time. A column's own drawing is a
    `render_<column>(self, record, value)` method."""

    class Meta:
        abstract = True
        orderable = False
        default = ""

    def turn_to(self, number, per_page: int):
        """Show page `number` as Django's Paginator.get_page does: one that is not a number shows the first page,
        one out of range (0, -1, 2**70) the last. Returns the page."""
        self.paginator = Paginator(self.rows, per_page)
        self.page = self.paginator.get_page(number)
        self._records = None
        return self.page

    def page_records(self) -> list:
        """The records of the page shown, read once: the view annotates them (member counts, decisions) and the
        rows drawn are these same objects (a page's rows slice the queryset anew at each reading)."""
        if self._records is None:
            self._records = list(self.page.object_list.data)  # the records themselves, no BoundRow around each
        return self._records

    def drawn_rows(self):
        """The page's rows, each a list of (<td> tag, cell). Drawn here from the columns' accessor, default,
        `render_<column>(record, value)` method and link, each looked up once per column: django-tables2's own
        row drawing inspects the render method's signature anew for every cell, which made a 50-row list page
        several times slower to draw than the template it replaces."""
        columns = []
        for column in self.columns:
            td = column.attrs["td"].as_html()
            render = getattr(self, f"render_{column.name}", None)
            tag = format_html("<td {}>", td) if td else mark_safe("<td>")
            columns.append((tag, A(column.accessor).bits, column, render))
        rows = []
        for record in self.page_records():
            cells = []
            for tag, accessor, column, render in columns:
                value = _resolve(record, accessor)
                if value in column.column.empty_values:
                    cells.append((tag, column.default))
                    continue
                content = render(record=record, value=value) if render else value
                cells.append((tag, column.link(content, record=record, value=value) if column.link else content))
            rows.append(cells)
        return rows
