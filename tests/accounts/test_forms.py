"""add_domain_error: how every page shows a service's refusal on its form."""

from django import forms

from accounts.exceptions import DomainError
from accounts.forms import add_domain_error


class TwoFields(forms.Form):
    name = forms.CharField(required=False)
    price = forms.CharField(required=False)


def _shown(error: DomainError) -> dict:
    form = TwoFields(data={})
    form.is_valid()
    add_domain_error(form, error)
    return {key: list(messages) for key, messages in form.errors.items()}


def test_a_refusal_naming_a_field_of_the_form_shows_next_to_it_only():
    assert _shown(DomainError("Too high.", field="price")) == {"price": ["Too high."]}


def test_a_refusal_naming_no_field_or_another_field_shows_above_the_form():
    assert _shown(DomainError("Not now.")) == {"__all__": ["Not now."]}
    assert _shown(DomainError("Not yours.", field="owner")) == {"__all__": ["Not yours."]}


def test_several_problems_show_by_their_fields_with_the_summary_above():
    error = DomainError("The query is not valid.", errors={"name": "Too short.", "colour": "Unknown."})

    assert _shown(error) == {"name": ["Too short."], "__all__": ["Unknown.", "The query is not valid."]}
