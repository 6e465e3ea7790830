"""Every text field of every form has a length limit (the SWOT fields once took 200,000 characters)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator

import pytest
from django import forms
from django.apps import apps

from arusha_web.core.text_limits import TEXT, limited


def _form_fields() -> Iterator[tuple[str, dict[str, forms.Field]]]:
    """The fields of each form class defined in an app's ``forms`` module and of each formset's form."""
    for config in apps.get_app_configs():
        if not config.name.startswith("arusha_web."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if not inspect.isclass(value) or value.__module__ != module.__name__:
                continue
            if issubclass(value, forms.Form | forms.ModelForm):
                yield f"{module.__name__}.{name}", value.base_fields
            elif issubclass(value, forms.BaseFormSet):
                form = getattr(value, "form", None)  # a formset base class has none yet
                if isinstance(form, type) and issubclass(form, forms.Form | forms.ModelForm):
                    yield f"{module.__name__}.{name}.form", form.base_fields


def test_every_text_field_of_every_form_has_a_length_limit() -> None:
    unlimited = [
        f"{form_name}.{field_name}"
        for form_name, fields in _form_fields()
        for field_name, field in fields.items()
        # A password is hashed, never stored or shown as text.
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.PasswordInput)
        and field.max_length is None
    ]
    assert len(list(_form_fields())) > 30  # the walk finds the forms (guards against a silent pass)
    assert unlimited == []


@pytest.mark.django_db
def test_limited_gives_a_text_field_its_limit_and_refuses_more_with_the_length() -> None:
    from arusha_web.diagnose.models import FactorResult

    class SwotForm(forms.ModelForm[FactorResult]):
        class Meta:
            model = FactorResult
            fields = ["strengths"]
            formfield_callback = limited(strengths=TEXT)

    form = SwotForm({"strengths": "x" * (TEXT + 1)})
    assert not form.is_valid()
    assert form.errors["strengths"] == [
        f"Ensure this value has at most {TEXT} characters (it has {TEXT + 1})."
    ]
    assert SwotForm({"strengths": "x" * TEXT}).is_valid()
