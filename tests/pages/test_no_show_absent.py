"""Who did not come to a no-show, recorded from the meeting page and the grid's dialog."""

from html import unescape

import pytest

from matchmaking.models import Meeting

pytestmark = pytest.mark.django_db


def _status_url(event, meeting):
    return f"/organiser/{event.slug}/meetings/{meeting.pk}/status/"


def test_meeting_page_offers_who_did_not_come_naming_the_parties(
    staff_client, event, make_participant, book
):
    meeting = book(make_participant(name="Amina"), make_participant(name="Bruno"), 0)

    html = unescape(
        staff_client.get(f"/organiser/{event.slug}/meetings/{meeting.pk}/").content.decode()
    )

    assert (
        '<select name="absent" id="status-absent"><option value="" selected>Who did not come: '
        'not said</option><option value="both">Neither side came</option><option '
        'value="sender">Amina did not come</option><option value="recipient">Bruno did not '
        "come</option></select>"
    ) in html


def test_meeting_page_no_show_records_the_side_and_shows_it(
    staff_client, event, make_participant, book
):
    meeting = book(make_participant(name="Amina"), make_participant(name="Bruno"), 0)

    response = staff_client.post(
        _status_url(event, meeting), {"status": "no_show", "absent": "recipient"}
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.absent) == ("no_show", "recipient")
    html = staff_client.get(f"/organiser/{event.slug}/meetings/{meeting.pk}/").content.decode()
    assert '<span class="muted small" data-absent="recipient">Bruno did not come</span>' in html
    assert "Status: Scheduled → No-show · the requested side did not come" in unescape(html)
    # the no-show button stays on: a second click corrects who did not come
    staff_client.post(_status_url(event, meeting), {"status": "no_show", "absent": "both"})
    meeting.refresh_from_db()
    assert meeting.absent == "both"
    html = unescape(
        staff_client.get(f"/organiser/{event.slug}/meetings/{meeting.pk}/").content.decode()
    )
    assert "Who did not come: the requested side did not come → neither side came" in html


def test_other_buttons_ignore_the_absent_select(staff_client, event, make_participant, book):
    """The select goes with every button of the form: only a no-show reads it."""
    meeting = book(make_participant(), make_participant(), 0)

    staff_client.post(_status_url(event, meeting), {"status": "held", "absent": "both"})

    meeting.refresh_from_db()
    assert (meeting.status, meeting.absent) == ("held", "")


def test_unknown_absent_is_a_400(staff_client, event, make_participant, book):
    meeting = book(make_participant(), make_participant(), 0)

    response = staff_client.post(
        _status_url(event, meeting), {"status": "no_show", "absent": "nobody"}
    )

    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_grid_cell_and_dialog_carry_who_did_not_come(staff_client, event, make_participant, book):
    meeting = book(make_participant(name="Amina"), make_participant(name="Bruno"), 0)
    day = meeting.slot.date.isoformat()
    grid_url = f"/organiser/{event.slug}/grid/?date={day}"
    live_url = f"/organiser/{event.slug}/grid/live/?date={day}"
    staff_client.post(_status_url(event, meeting), {"status": "no_show", "absent": "sender"})

    html = staff_client.get(grid_url).content.decode()

    assert f'data-version="{meeting.version + 1}" data-absent="sender">' in html
    assert '<select name="absent" id="dialog-absent" data-dialog-absent>' in html
    assert '<script type="application/json" id="absent-label">"%(name)s did not come"' in html
    # correcting only the side changes the grid's mark too (its ETag, its "Updated" time)
    mark = staff_client.get(live_url)["ETag"]
    assert staff_client.get(live_url, HTTP_IF_NONE_MATCH=mark).status_code == 304
    staff_client.post(_status_url(event, meeting), {"status": "no_show", "absent": "both"})
    again = staff_client.get(live_url, HTTP_IF_NONE_MATCH=mark)
    assert again.status_code == 200
    assert 'data-absent="both">' in again.content.decode()
