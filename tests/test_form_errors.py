"""Every form's errors at its top (templates/includes/form_errors.html): the errors of the
whole form first, then each field's, linked to the field."""

from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from tests.factories import make_employee

SUMMARY = '<section class="alert alert-danger error-summary" tabindex="-1"'


class _Form(forms.Form):
    name = forms.CharField(label="Your name")
    colour = forms.ChoiceField(
        label="Colour", choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect
    )
    topics = forms.MultipleChoiceField(
        label="Topics", choices=[("a", "A")], widget=forms.CheckboxSelectMultiple
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Nothing adds up.")


def _render(form) -> str:
    template = Template('{% include "includes/form_errors.html" %}')
    return template.render(Context({"form": form, "csp_nonce": "n0nce"}))


def _items(html: str) -> list[str]:
    summary = html[html.index(SUMMARY) :].split("</section>")[0]
    return [item.split("</li>")[0].strip() for item in summary.split("<li>")[1:]]


def test_the_summary_links_each_field_and_lists_the_forms_own_errors_first():
    html = _render(_Form({}))
    assert html.count(SUMMARY) == 1
    assert '<h2 class="h5" id="form-error-summary-title">There is a problem</h2>' in html
    assert _items(html) == [
        "Nothing adds up.",
        '<a href="#id_name">Your name: This field is required.</a>',
        # Radio buttons and checkboxes: their first option.
        '<a href="#id_colour_0">Colour: This field is required.</a>',
        '<a href="#id_topics_0">Topics: This field is required.</a>',
        # A hidden field has nothing to focus, nor a label to show.
        "This field is required.",
    ]
    assert '<script src="/static/js/error-summary.js" nonce="n0nce" defer></script>' in html


def test_a_prefixed_form_gets_its_own_ids():
    html = _render(_Form({}, prefix="end"))
    assert 'id="end-error-summary-title"' in html
    assert '<a href="#id_end-name">' in html


def test_no_errors_no_summary():
    assert _render(_Form()).strip() == ""
    assert _render(None).strip() == ""


@pytest.mark.django_db
def test_the_login_form_sums_up_its_error(client):
    response = client.post(reverse("login"), {"username": "nobody@example.org", "password": "x"})
    html = response.content.decode()
    assert html.count(SUMMARY) == 1
    assert html.index(SUMMARY) < html.index('name="username"')
    # Said once, in the summary: crispy's own box of the form's errors is switched off.
    assert html.count("Please enter a correct") == 1


def test_every_template_that_renders_a_form_with_crispy_sums_up_its_errors():
    # templates/bootstrap5/errors.html hides crispy's box of the form's own errors, so a
    # crispy form without the summary would show them nowhere.
    templates = Path(settings.BASE_DIR) / "templates"
    missing = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if ("|crispy" in (text := path.read_text()) or "{% crispy" in text)
        and "includes/form_errors.html" not in text
    ]
    assert missing == []


@pytest.mark.django_db
def test_the_profile_form_links_its_bad_field(client):
    employee = make_employee()
    client.force_login(employee.user)
    response = client.post(reverse("programs:profile"), {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(SUMMARY) == 1
    assert '<a href="#id_time_zone">My time zone: ' in html


@pytest.mark.django_db
def test_the_hr_participant_form_links_each_bad_field(client, hr_admin, program):
    client.force_login(hr_admin)
    response = client.post(
        reverse("hr:participant_add", args=[program.slug]),
        {"email": "not an email", "name": "", "level": "9", "role": "mentee", "style": "either"},
    )
    assert _items(response.content.decode()) == [
        '<a href="#id_email">Email: Enter a valid email address.</a>',
        '<a href="#id_email">Email: This email cannot be used to sign in here (letters, digits '
        "and @ . + - _ only).</a>",
        '<a href="#id_name">Name: This field is required.</a>',
        '<a href="#id_level">Level: Select a valid choice. 9 is not one of the available '
        "choices.</a>",
    ]
