"""Emails in Arabic: lists of names with the Arabic comma and و (each other language with its
own list words), and sentences about a person whose gender we do not know written without a
masculine verb ("طلب لقاء من …", "تم قبول …"), as nouns or in the passive."""

import re

import pytest
from django.core import mail

from matchmaking.models import Notification
from matchmaking.services.meetings import Actor, meeting_book
from matchmaking.services.notifications import list_text
from tests.factories import OrganisationFactory, RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(upcoming_event):
    return upcoming_event


@pytest.mark.parametrize(
    ("language", "names", "text"),
    [
        ("ar", ["أمينة", "كريم", "برونو"], "أمينة، كريم وبرونو"),
        ("ar", ["Amina (Atlas)", "Bruno (Nord)"], "Amina (Atlas) وBruno (Nord)"),
        ("fr", ["Amina", "Karim", "Bruno"], "Amina, Karim et Bruno"),
        ("en", ["Amina", "Karim", "Bruno"], "Amina, Karim, and Bruno"),
        ("en", ["Amina", "Bruno"], "Amina and Bruno"),
        ("ar", ["Amina"], "Amina"),
        ("ar", [], ""),
    ],
)
def test_list_text_joins_names_as_each_language_does(language, names, text):
    assert list_text(names, language) == text


def test_list_text_of_a_language_babel_does_not_know_uses_english():
    assert list_text(["A", "B"], "xx") == "A and B"


@pytest.fixture
def people(event, make_participant):
    """Amina reads Arabic; Bruno (French) comes with two colleagues of his company."""
    atlas, nord = OrganisationFactory(name="Atlas"), OrganisationFactory(name="Nord")
    amina = make_participant(name="Amina", organisation=atlas, languages=["ar"])
    bruno = make_participant(name="Bruno", organisation=nord, languages=["fr"])
    karim = make_participant(name="Karim", organisation=nord, languages=["fr"])
    lina = make_participant(name="Lina", organisation=nord, languages=["en"])
    return amina, bruno, karim, lina


def test_an_arabic_booking_email_lists_the_others_with_the_arabic_comma_and_waw(
    event, people, send
):
    amina, bruno, karim, lina = people
    with send():
        meeting_book(
            request=RequestFactory(sender=bruno, recipient=amina),
            slot=event.slots.order_by("start").first(),
            actor=Actor(system=True),
            attendees=[karim, lina],
        )

    # the seats come in no set order: each subject is checked for its list's words
    subjects = {
        note.recipient.name: note.subject
        for note in Notification.objects.filter(kind="meeting_booked").select_related("recipient")
    }
    to_amina = Notification.objects.get(recipient=amina, kind="meeting_booked")
    assert to_amina.language == "ar"
    named = re.fullmatch(r"تم حجز لقاء مع (.+)، (.+) و(.+) يوم .+", subjects["Amina"])
    assert named, subjects["Amina"]
    assert set(named.groups()) == {"Bruno (Nord)", "Karim (Nord)", "Lina (Nord)"}
    assert ", " not in subjects["Amina"]  # no Latin comma between the names
    assert re.match(r"لقاء مع .+، .+ و.+ يوم ", to_amina.body), to_amina.body
    named = re.fullmatch(r"Rendez-vous réservé avec (.+), (.+) et (.+) le .+", subjects["Karim"])
    assert named, subjects["Karim"]
    assert set(named.groups()) == {"Amina (Atlas)", "Bruno (Nord)", "Lina (Nord)"}
    named = re.fullmatch(r"Meeting booked with (.+), (.+), and (.+) on .+", subjects["Lina"])
    assert named, subjects["Lina"]
    assert set(named.groups()) == {"Amina (Atlas)", "Bruno (Nord)", "Karim (Nord)"}
    assert len(mail.outbox) == 4


def test_arabic_request_emails_name_the_sender_without_a_masculine_verb(
    event, people, as_participant, send
):
    amina, bruno, karim, lina = people
    url = f"/api/events/{event.slug}/requests/"
    with send():
        created = as_participant(bruno).post(url, {"recipient": amina.pk, "message": "Bonjour"})
    received = Notification.objects.get(recipient=amina, kind="request_received")
    assert received.subject == "طلب لقاء جديد من Bruno (Nord)"
    assert received.body.startswith(
        "طلب لقاء من Bruno (Nord). يمكنك الرد على الطلب في صفحة الطلبات. يُرجى الرد قبل "
    )  # then the date to answer by
    assert "\n\nنص الرسالة:\n> Bonjour" in received.body

    # Amina asks Bruno's colleague, who accepts; Bruno declines another of her requests
    karim_req = RequestFactory(sender=amina, recipient=karim, status="pending")
    with send():
        as_participant(karim).post(f"{url}{karim_req.pk}/accept/")
    accepted = Notification.objects.get(recipient=amina, kind="request_accepted")
    assert accepted.subject == "تم قبول طلب لقائك من طرف Karim (Nord)"
    assert accepted.body.startswith("قُبل طلب لقائك مع Karim (Nord). لم يُحدَّد للقاء موعد بعد")

    with send():
        as_participant(amina).post(f"{url}{created.data['id']}/decline/")
    declined = Notification.objects.get(recipient=bruno, kind="request_declined")
    assert declined.language == "fr"  # Bruno reads French: his email is not concerned
    lina_req = RequestFactory(sender=amina, recipient=lina, status="pending")
    with send():
        as_participant(lina).post(f"{url}{lina_req.pk}/decline/")
    declined = Notification.objects.get(recipient=amina, kind="request_declined")
    assert declined.subject == "اعتذار من Lina (Nord) عن طلب لقائك"
    assert declined.body == "وصل اعتذار من Lina (Nord) عن طلبك."

    masculine = ("قبل طلب", "اعتذر ", "يرغب ", "سحب ", "كتب ", "أرسل ", "رسالته", "رسائله")
    for note in Notification.objects.filter(language="ar"):
        for word in masculine:
            assert word not in f"{note.subject}\n{note.body}", (word, note.kind)


def test_an_arabic_message_email_is_about_the_message_not_what_he_did(
    event, people, as_participant, send
):
    amina, bruno, _karim, _lina = people
    meeting_book(
        request=RequestFactory(sender=bruno, recipient=amina, status="accepted"),
        slot=event.slots.order_by("start").first(),
        actor=Actor(system=True),
    )
    with send():
        response = as_participant(bruno).post(
            f"/api/events/{event.slug}/me/conversations/{amina.pk}/messages/",
            {"body": "À demain"},
            format="json",
        )
    assert response.status_code == 201, response.data

    note = Notification.objects.get(recipient=amina, kind="message_received")
    assert note.subject == "رسالة جديدة من Bruno (Nord)"
    assert note.body.startswith("رسالة من Bruno (Nord):\n\n> À demain\n\nيمكنك الرد من قسم الرسائل")
    assert "لن تصلك الرسائل التالية من الطرف نفسه" in note.body


def test_an_arabic_email_about_a_colleague_who_left_names_them_without_a_gender(
    event, people, send
):
    from matchmaking.services.meetings import meeting_leave

    amina, bruno, karim, _lina = people
    meeting = meeting_book(
        request=RequestFactory(sender=bruno, recipient=amina),
        slot=event.slots.order_by("start").first(),
        actor=Actor(system=True),
        attendees=[karim],
    )
    with send():
        meeting_leave(meeting=meeting, participant=karim)

    note = Notification.objects.get(recipient=amina, kind="attendee_left")
    assert note.subject.startswith("غياب Karim عن موعدك يوم ")
    assert note.body.startswith("أُلغيت مشاركة Karim في موعدك مع Bruno (Nord) يوم ")
    assert note.body.endswith("يستمر الموعد.")
