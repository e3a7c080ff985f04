"""Every page that shows participant-level data writes an access-log row (issue 9, class 4).

The participant URLs are read from the URL resolver, as in tests/test_access_matrix.py: a new
participant view fails here until it is either shown to log (GET, and a POST that is invalid and
re-renders the page or is refused) or listed in NOT_PARTICIPANT_LEVEL with the reason it shows no
participant-level data.
"""

import pytest
from django.urls import get_resolver, reverse

from finsam.audit.models import AccessLog
from finsam.tenancy.models import PrivacyModel

from tests.conftest import set_privacy_model

# URL name -> why the page shows no stored data about a participant.
NOT_PARTICIPANT_LEVEL = {
    "volumes": "counts by gender per period, no individuals",
    "consent_create": "creates an unanswered consent link; nothing about a person",
    "consent_status": "whether an unidentified link was answered; no person is named",
    "consent_answer": "the participant's own page: the consent text, nothing stored about them",
    "template": "an empty Excel template",
}
# URL name -> methods for which the page holds no participant data: the empty registration form
# and the import form (a POST shows the user's own file back; a refusal that names stored
# participations is logged by importing.import_file, tested in tests/test_import.py).
EMPTY_FORM_ON = {"create": {"get"}, "import": {"get", "post"},
                 # The empty form, and an empty POST refused before any search; every search is
                 # logged (tests/test_register_extract.py).
                 "extract": {"get", "post"}}


def participant_routes():
    resolver = get_resolver().namespace_dict["participants"][1]
    return sorted(p.name for p in resolver.url_patterns)


def _kwargs(world, name):
    pattern = next(p for p in get_resolver().namespace_dict["participants"][1].url_patterns if p.name == name)
    kwargs = {}
    for converter in pattern.pattern.converters:
        kwargs[converter] = {
            "association_slug": world.alfa.slug, "intervention_slug": world.assigned.slug,
            "pk": world.participation.pk, "token": "okand-token",
        }[converter]
    return kwargs


def test_the_exemptions_name_existing_routes():
    routes = set(participant_routes())
    assert set(NOT_PARTICIPANT_LEVEL) <= routes and set(EMPTY_FORM_ON) <= routes


# Every other participant route, with each method that shows data: derived, so a new view is here.
LOGGED = [(name, method) for name in participant_routes() if name not in NOT_PARTICIPANT_LEVEL
          for method in ("get", "post") if method not in EMPTY_FORM_ON.get(name, ())]


# Who reaches every participant page in each privacy model: the assigned deltagaransvarig when the
# members are responsible, the förbundsadministratör when the förbund is.
READER_BY_MODEL = {PrivacyModel.MEMBERS: "manager", PrivacyModel.ASSOCIATION: "admin"}


@pytest.mark.parametrize("model", list(READER_BY_MODEL))
@pytest.mark.parametrize(("name", "method"), LOGGED)
def test_participant_page_writes_an_access_log_row(world, login, name, method, model):
    set_privacy_model(world.alfa, model)
    user = world.users[READER_BY_MODEL[model]]
    client = login(user)
    before = AccessLog.objects.count()
    # An empty POST is the invalid one: no field a form needs, no confirmation.
    response = getattr(client, method)(reverse(f"participants:{name}", kwargs=_kwargs(world, name)), {})
    assert response.status_code != 500
    if response.status_code == 405:
        return  # the view does not take this method: nothing shown
    assert response.status_code in (200, 302), response.status_code
    assert AccessLog.objects.count() == before + 1, f"{method.upper()} {name} shows participant data without a log row"
    entry = AccessLog.objects.order_by("-id").first()
    assert (entry.user, entry.association) == (user, world.alfa)


@pytest.mark.parametrize("name", ["edit", "exit"])
def test_forms_that_re_render_with_errors_are_logged(world, login, name):
    """Issue 9: the edit and exit forms, and an invalid POST re-rendering them, wrote no row."""
    client = login(world.users["manager"])
    page = reverse(f"participants:{name}", args=[world.alfa.slug, world.assigned.slug, world.participation.pk])
    client.get(page)
    client.post(page, {"version": world.participation.version, "startdatum": "inte ett datum", "slutdatum": "x"})
    rows = AccessLog.objects.filter(user=world.users["manager"], intervention_slug=world.assigned.slug)
    assert rows.count() == 2
    assert all(str(world.participation.pk) in row.subject for row in rows)
