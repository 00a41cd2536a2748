"""Calendar subscription feeds: a secret URL per participant that calendar apps can poll."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from matchmaking import selectors
from matchmaking.models import Participant


@require_GET
def calendar_feed(request, token: str):
    """The participant's agenda as iCalendar, for calendar apps that cannot send a login."""
    person = Participant.objects.select_related("event").filter(calendar_token=token).first()
    if person is None:  # the API's error shape (a calendar app shows it as a failed feed)
        return JsonResponse(
            {
                "detail": "No calendar has this address; ask for your current link.",
                "code": "not_found",
            },
            status=404,
        )
    body = selectors.agenda_ics(event=person.event, participant=person)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
