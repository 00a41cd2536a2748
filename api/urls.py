"""API routes. Everything about one event lives under /api/events/{slug}/."""

from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from api import feeds, views
from api.exceptions import unmatched

events = DefaultRouter(trailing_slash=True)
events.register("events", views.EventViewSet, basename="event")

scoped = DefaultRouter(trailing_slash=True)
scoped.include_root_view = False
scoped.register("slots", views.SlotViewSet, basename="slot")
scoped.register("participants", views.ParticipantViewSet, basename="participant")
scoped.register("requests", views.RequestViewSet, basename="request")
scoped.register("meetings", views.MeetingViewSet, basename="meeting")
scoped.register("broadcasts", views.BroadcastViewSet, basename="broadcast")
scoped.register("feedback", views.FeedbackViewSet, basename="feedback")
scoped.register("schedule-runs", views.ScheduleRunViewSet, basename="schedule-run")

urlpatterns = [
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar-feed"),
    path("events/<slug:slug>/me/", views.MeView.as_view(), name="me"),
    path(
        "events/<slug:slug>/me/availability/",
        views.MyAvailabilityView.as_view(),
        name="my-availability",
    ),
    path(
        "events/<slug:slug>/participants/<int:pk>/availability/",
        views.ParticipantAvailabilityView.as_view(),
        name="participant-availability",
    ),
    path(
        "events/<slug:slug>/me/attendance/",
        views.MyAttendanceView.as_view(),
        name="my-attendance",
    ),
    path("events/<slug:slug>/me/marks/", views.MyMarksView.as_view(), name="my-marks"),
    path(
        "events/<slug:slug>/me/marks/<int:pk>/",
        views.MyMarkView.as_view(),
        name="my-mark",
    ),
    path(
        "events/<slug:slug>/me/conversations/",
        views.MyConversationsView.as_view(),
        name="my-conversations",
    ),
    path(
        "events/<slug:slug>/me/conversations/<int:pk>/messages/",
        views.MyMessagesView.as_view(),
        name="my-messages",
    ),
    path(
        "events/<slug:slug>/me/conversations/<int:pk>/read/",
        views.MyMessagesReadView.as_view(),
        name="my-messages-read",
    ),
    path(
        "events/<slug:slug>/me/arrival/",
        views.MyArrivalView.as_view(),
        name="my-arrival",
    ),
    path(
        "events/<slug:slug>/participants/<int:pk>/arrival/",
        views.ParticipantArrivalView.as_view(),
        name="participant-arrival",
    ),
    path(
        "events/<slug:slug>/participants/<int:pk>/attendance/",
        views.ParticipantAttendanceView.as_view(),
        name="participant-attendance",
    ),
    path(
        "events/<slug:slug>/me/calendar-link/",
        views.MyCalendarLinkView.as_view(),
        name="my-calendar-link",
    ),
    path(
        "events/<slug:slug>/participants/<int:pk>/calendar-link/",
        views.ParticipantCalendarLinkView.as_view(),
        name="participant-calendar-link",
    ),
    path("events/<slug:slug>/agenda.ics", views.AgendaIcsView.as_view(), name="agenda-ics"),
    path(
        "events/<slug:slug>/organisers/",
        views.EventOrganisersView.as_view(),
        name="event-organisers",
    ),
    path(
        "events/<slug:slug>/organisers/<int:pk>/",
        views.EventOrganiserView.as_view(),
        name="event-organiser",
    ),
    path("events/<slug:slug>/search/", views.SearchView.as_view(), name="search"),
    path(
        "events/<slug:slug>/recommendations/",
        views.RecommendationsView.as_view(),
        name="recommendations",
    ),
    path("events/<slug:slug>/", include(scoped.urls)),
    path("", include(events.urls)),
    # last: any other address under /api/ answers the API's JSON 404, whatever DEBUG is
    re_path(r"", unmatched, name="api-unmatched"),
]
