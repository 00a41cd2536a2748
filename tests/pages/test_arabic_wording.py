"""Arabic wording of the participant pages: a third person is named with neutral (noun-based
or passive) wording, never with a masculine verb or pronoun, since half the people named are
women ("أصبح Laura Vidal" reads "he became Laura Vidal")."""

import pytest
from django.test import Client
from django.utils import translation

from matchmaking.models import MeetingRequest
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

NEUTRAL = {
    "Your request to them:": "الطلب المرسَل منك:",
    "Their request to you:": "الطلب الوارد إليك:",
    "%(name)s is on your shortlist.": "تمت إضافة %(name)s إلى قائمتك المختارة.",
    "%(name)s is off your shortlist.": "تمت إزالة %(name)s من قائمتك المختارة.",
    "%(name)s may be recommended to you again.": "يمكن اقتراح %(name)s عليك من جديد.",
    "%(name)s will no longer be recommended to you (Recommend again, under Not interested at "
    "the bottom of this page, undoes it).": "لن يتم اقتراح %(name)s عليك بعد الآن (يمكنك التراجع "
    "بـ«إعادة الاقتراح» تحت «غير مهتم» أسفل هذه الصفحة).",
    "Recommend again": "إعادة الاقتراح",
    "%(name)s joins the meeting and has been told.": "تمت إضافة %(name)s إلى الاجتماع، "
    "وأُرسل إشعار بذلك.",
    "%(name)s joined the meeting": "انضمام %(name)s إلى الاجتماع",
    "%(name)s left the meeting": "مغادرة %(name)s للقاء",
    "%(name)s has reached their limit of meetings.": "وصل عدد لقاءات %(name)s إلى الحدّ الأقصى.",
    "You have written several messages in a row to this person; wait for an answer before "
    "writing again.": "لقد كتبت عدة رسائل متتالية لهذا الشخص؛ انتظر الرد قبل أن تكتب من جديد.",
}


@pytest.mark.parametrize("english", list(NEUTRAL))
def test_arabic_names_a_third_person_with_neutral_wording(english):
    with translation.override("ar"):
        assert translation.gettext(english) == NEUTRAL[english]


def test_arabic_conversation_says_whose_request_without_a_gender(event, make_participant):
    me = make_participant(name="Mariem Ould Cheikh", languages=["ar", "fr"])
    laura = make_participant(name="Laura Vidal", languages=["en"])
    RequestFactory(sender=me, recipient=laura, status=MeetingRequest.Status.PENDING)
    client = Client()
    client.force_login(me.user)
    html = client.get(
        f"/my/{event.slug}/messages/{laura.pk}/", HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert "الطلب المرسَل منك:" in html
    assert "طلبك إليه" not in html
