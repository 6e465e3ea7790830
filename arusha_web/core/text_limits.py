"""How much text a person may type into each kind of field.

A model ``TextField`` has no length, so a form built on it stored whatever was sent: a SWOT field
took 200,000 characters, which then filled every page, export and audit entry that shows it.
Every free-text field of a form now has the length a person writing it could need, and a longer
text is refused with a message giving the limit and the length typed (never cut short). The
limits live in the forms, not in the models, so that no migration is needed: anything written
without a form (answers sheets, imported workbooks, service calls) checks the same constants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django import forms
from django.db import models

LINE: Final = 200  # a title, a name, a list of codes: one line
NOTE: Final = 2_000  # a reason for the history, a question, a definition: a paragraph
TEXT: Final = 5_000  # a scheme, a SWOT field, an activity, a comment: a few paragraphs
LONG_TEXT: Final = 20_000  # a reporter's account, an investigator's entry or conclusion: pages

FormfieldCallback = Callable[..., "forms.Field | None"]


def limited(**limits: int) -> FormfieldCallback:
    """Return a ModelForm ``formfield_callback`` that gives the named model fields a maximum length.

    Example (in a ModelForm's ``Meta``, or ``modelformset_factory(formfield_callback=...)``)::

        formfield_callback = limited(strengths=TEXT, weaknesses=TEXT)
    """

    def formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
        if db_field.name in limits:
            kwargs["max_length"] = limits[db_field.name]
        return db_field.formfield(**kwargs)

    return formfield
