"""A delegation's members see, before asking someone, that a colleague of theirs is already in
touch with that person (the recommendation cards, the shortlist, Find someone)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from matchmaking.models import MeetingRequest
from matchmaking.services.marks import mark_set
from tests.factories import OrganisationFactory, RequestFactory
from tests.pages.test_participant_pages import recommend

pytestmark = pytest.mark.django_db


def _notes(page: str) -> list[str]:
    return re.findall(r'<p class="pt-muted" data-colleague>(.*?)</p>', page)


@pytest.fixture
def shanghai(make_participant):
    """Two members of the Shanghai delegation, and three companies."""
    city = OrganisationFactory(name="Shanghai Municipal Government")
    fang = make_participant(name="Fang Liu", kind="delegation", organisation=city)
    lei = make_participant(name="Lei Yang", kind="delegation", organisation=city)
    companies = [
        make_participant(name=name, kind="exhibitor")
        for name in ("Wattnow", "Blue Analytics", "Noor Systems")
    ]
    return fang, lei, companies


def _client(participant, lang="en") -> Client:
    client = Client()
    client.force_login(participant.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def test_recommendation_cards_say_a_colleague_is_already_in_touch_with_them(event, shanghai):
    """Lei's request to Wattnow was accepted and Blue Analytics asked Lei: Fang's cards for
    them said nothing, and the delegation asked the same company twice (two slots of the
    company's day for one city). The cards now say it, in the page's language; a declined
    request is no tie, and my own request is shown as mine, not as a colleague's."""
    fang, lei, (wattnow, blue, noor) = shanghai
    for rank, company in enumerate((wattnow, blue, noor), start=1):
        recommend(fang, company, rank)
    RequestFactory(sender=lei, recipient=wattnow, status=MeetingRequest.Status.ACCEPTED)
    RequestFactory(sender=blue, recipient=lei, status=MeetingRequest.Status.PENDING)
    RequestFactory(sender=lei, recipient=noor, status=MeetingRequest.Status.DECLINED)

    page = _client(fang).get(f"/my/{event.slug}/recommendations/").content.decode()
    assert _notes(page) == [
        "Your colleague Lei Yang already meets them: Lei Yang can bring you to that meeting, "
        "rather than you asking them again.",
        "Your colleague Lei Yang already has a meeting request with them, waiting for an answer.",
    ]
    assert page.index("Wattnow") < page.index("already meets them") < page.index("Blue Analytics")

    french = _client(fang, "fr").get(f"/my/{event.slug}/recommendations/").content.decode()
    assert _notes(french)[1] == (
        "Votre collègue Lei Yang a déjà une demande de rendez-vous en cours avec eux, en "
        "attente de réponse."
    )
    # Lei's own cards: his requests are his, not a colleague's
    lei_page = _client(lei).get(f"/my/{event.slug}/recommendations/").content.decode()
    assert _notes(lei_page) == []


def test_the_shortlist_and_find_someone_say_it_too(event, shanghai):
    fang, lei, (wattnow, _blue, _noor) = shanghai
    RequestFactory(sender=lei, recipient=wattnow, status=MeetingRequest.Status.ACCEPTED)
    mark_set(participant=fang, candidate_id=wattnow.pk, kind="saved")
    client = _client(fang, "ar")

    page = client.get(f"/my/{event.slug}/recommendations/").content.decode()
    shortlist = page[page.index('id="shortlist"') :]
    shortlist = shortlist[: shortlist.index("</section>")]
    assert _notes(shortlist) == [
        "زميلك Lei Yang سيلتقي بهم: يمكن لـLei Yang أن يضيفك إلى ذلك اللقاء، بدل أن تطلب منهم "
        "لقاءً آخر."
    ]
    found = client.get(f"/my/{event.slug}/requests/?q=Wattnow").content.decode()
    assert len(_notes(found)) == 1
    # a colleague found by name is no outside contact of the delegation
    assert _notes(client.get(f"/my/{event.slug}/requests/?q=Lei").content.decode()) == []
