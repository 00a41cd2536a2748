"""'Bring a colleague' with someone who is not one says what is wrong, in the reader's
language (it said "Something you entered is not valid" in French and Arabic)."""

import pytest
from django.conf import settings

from tests.pages.test_participant_pages import booked, client_of, messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting_of_amina(upcoming_event, make_participant):
    event = upcoming_event
    amina = make_participant(event=event, name="Amina")
    bruno = make_participant(event=event, name="Bruno")
    sami = make_participant(event=event, name="Sami", organisation=bruno.organisation)
    stranger = make_participant(event=event, name="Hind")
    meeting = booked(amina, bruno, event.slots.order_by("start").last())
    return event, meeting, {"Amina": amina, "Bruno": bruno, "Sami": sami, "Hind": stranger}


def bring(event, meeting, who, person, lang):
    client = client_of(who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    url = f"/my/{event.slug}/meetings/{meeting.pk}/attendees/"
    return messages_of(client.post(url, {"participant": person.pk}, follow=True))


@pytest.mark.parametrize(
    ("lang", "stranger", "other_side", "party"),
    [
        (
            "en",
            "Hind can join only a meeting of their own organisation or delegation.",
            "Sami is a colleague of the other side: only that side, or an organiser, can add "
            "them to the meeting.",
            "Bruno is one of the two sides of this meeting already; attendees are their "
            "colleagues.",
        ),
        (
            "fr",
            "Hind ne peut rejoindre qu’un rendez-vous de sa propre organisation ou délégation.",
            "Sami fait partie de l’organisation de l’autre partie : seule celle-ci, ou un "
            "organisateur, peut l’ajouter au rendez-vous.",
            "Bruno est déjà l’une des deux parties de ce rendez-vous ; les personnes ajoutées "
            "sont leurs collègues.",
        ),
        (
            "ar",
            "الانضمام إلى هذا اللقاء غير متاح لـHind: يقتصر على زملاء المؤسسة أو الوفد نفسه.",
            "Sami من جهة الطرف الآخر: لا تتم الإضافة إلى اللقاء إلا من قِبل ذلك الطرف أو من "
            "قِبل المنظمين.",
            "Bruno طرف في هذا اللقاء أصلًا؛ لا يُضاف إلى اللقاء إلا زملاء الطرفين.",
        ),
    ],
)
def test_bringing_someone_who_is_not_a_colleague_says_why_in_the_readers_language(
    meeting_of_amina, lang, stranger, other_side, party
):
    event, meeting, people = meeting_of_amina
    amina = people["Amina"]
    assert bring(event, meeting, amina, people["Hind"], lang) == [stranger]
    assert bring(event, meeting, amina, people["Sami"], lang) == [other_side]
    assert bring(event, meeting, amina, people["Bruno"], lang) == [party]
    assert meeting.seats.count() == 2  # nobody was added


def test_the_api_names_the_refusal_with_its_code(meeting_of_amina, as_participant):
    event, meeting, people = meeting_of_amina
    response = as_participant(people["Amina"]).post(
        f"/api/events/{event.slug}/meetings/{meeting.pk}/attendees/",
        {"participant": people["Hind"].pk},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Hind can join only a meeting of their own organisation or delegation.",
        "code": "not_a_colleague",
        "field": "participant",
    }
