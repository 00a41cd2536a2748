"""Errors in the language the app asks for (``Accept-Language``): Django REST framework's own
sentences were French or Arabic, the service's and the API's own stayed English, so one French
screen read "limit: Assurez-vous que cette valeur est supérieure ou égale à 1." and then "You
cannot request a meeting with yourself."."""

import pytest

from matchmaking.models import MeetingRequest
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


def base(event):
    return f"/api/events/{event.slug}"


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "You cannot request a meeting with yourself."),
        ("fr", "Vous ne pouvez pas demander un rendez-vous avec vous-même."),
        ("ar", "لا يمكنك طلب لقاء مع نفسك."),
        ("fr-FR,fr;q=0.9,en;q=0.5", "Vous ne pouvez pas demander un rendez-vous avec vous-même."),
    ],
)
def test_a_refusal_speaks_the_apps_language(
    event, make_participant, as_participant, language, sentence
):
    a = make_participant()
    answer = as_participant(a).post(
        f"{base(event)}/requests/", {"recipient": a.pk}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert answer.status_code == 400
    assert answer.json() == {"detail": sentence, "code": "request_self", "field": "recipient"}


def test_a_refusal_with_particulars_keeps_them_in_the_language(
    event, make_participant, as_participant
):
    """A refusal that names someone or a number (a ``Reason``) says it all in the language."""
    a, b, c = make_participant(), make_participant(max_meetings=1), make_participant()
    first = RequestFactory(sender=a, recipient=b, status="accepted")
    booked = as_participant(a).post(
        f"{base(event)}/meetings/book/", {"request": first.pk, "slot": event.slots.first().pk}
    )
    assert booked.status_code == 201, booked.data
    waiting = RequestFactory(sender=c, recipient=b, status="pending")
    answers = {
        language: as_participant(b).post(
            f"{base(event)}/requests/{waiting.pk}/accept/", HTTP_ACCEPT_LANGUAGE=language
        )
        for language in ("en", "fr", "ar")
    }
    assert {a.status_code for a in answers.values()} == {409}
    assert {a.json()["code"] for a in answers.values()} == {"limit_reached"}
    assert answers["en"].json()["detail"] == (
        "You have reached your limit of 1 meeting: raise it on your profile or cancel a meeting "
        "before accepting."
    )
    assert answers["fr"].json()["detail"].startswith("Vous avez atteint votre limite de 1 ")
    assert answers["ar"].json()["detail"] == (
        "لقد بلغت حدّك الأقصى وهو لقاء واحد: ارفع هذا الحدّ في ملفك الشخصي أو ألغِ أحد لقاءاتك "
        "قبل القبول."
    )
    assert MeetingRequest.objects.get(pk=waiting.pk).status == "pending"


def test_an_unknown_id_is_named_in_the_language(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    req = RequestFactory(sender=a, recipient=b, status="accepted")
    client = as_participant(a)
    body = {"request": req.pk, "slot": 99}
    fr = client.post(f"{base(event)}/meetings/book/", body, HTTP_ACCEPT_LANGUAGE="fr")
    ar = client.post(f"{base(event)}/meetings/book/", body, HTTP_ACCEPT_LANGUAGE="ar")
    en = client.post(f"{base(event)}/meetings/book/", body)
    assert en.json() == {"detail": "No slot 99 in this event.", "code": "invalid", "field": "slot"}
    assert fr.json() == {
        "detail": "Il n'y a pas de créneau 99 à cet événement.",
        "code": "invalid",
        "field": "slot",
    }
    assert ar.json()["detail"] == "لا يوجد موعد رقم 99 في هذا الحدث."
    unknown = client.post(
        f"{base(event)}/meetings/book/", {"request": 999, "slot": 1}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert unknown.json()["detail"] == "Vous n'avez pas de demande 999 à cet événement."
    gone = client.get(f"{base(event)}/meetings/99/", HTTP_ACCEPT_LANGUAGE="fr")
    assert gone.status_code == 404
    assert gone.json() == {
        "detail": "Ce rendez-vous n'existe pas à cet événement.",
        "code": "not_found",
    }
    listed = client.get(
        f"{base(event)}/requests/", {"participant": 123456}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert listed.json()["detail"] == "Il n'y a pas de participant 123456 à cet événement."


def test_the_apis_own_sentences_are_in_the_language(event, make_participant, as_participant):
    a, b = make_participant(), make_participant()
    client = as_participant(a)
    page = client.get(f"{base(event)}/participants/", {"page": "abc"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert page.json() == {
        "detail": "page doit être un nombre entier à partir de 1, pas 'abc'.",
        "code": "invalid",
        "field": "page",
    }
    typo = client.post(
        f"{base(event)}/requests/",
        {"recipient": b.pk, "sesion": "morning"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert typo.json()["errors"] == {"sesion": ["Champ inconnu."]}
    nowhere = client.get("/api/events/nowhere/at/all/", HTTP_ACCEPT_LANGUAGE="ar")
    assert nowhere.json() == {
        "detail": "غير موجود: لا يوجد هذا العنوان في واجهة البرمجة.",
        "code": "not_found",
    }
    first = client.post(f"{base(event)}/requests/", {"recipient": b.pk}, HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    reused = client.post(
        f"{base(event)}/requests/",
        {"recipient": b.pk, "message": "hi"},
        HTTP_IDEMPOTENCY_KEY="k",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert reused.status_code == 422
    assert reused.json()["detail"] == "Cette Idempotency-Key a déjà servi pour une autre requête."
