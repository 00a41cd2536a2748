"""Page routes: the organiser console under /organiser/ (namespace ``organiser``)."""

from django.urls import include, path

from matchmaking.pages import organiser as views

organiser_patterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.event_list, name="events"),
    path("<slug:slug>/grid/", views.grid, name="grid"),
    path("<slug:slug>/grid/live/", views.grid_partial, name="grid-partial"),
    path("<slug:slug>/meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/status/",
        views.meeting_status,
        name="meeting-status",
    ),
    path("<slug:slug>/meetings/<int:meeting_id>/move/", views.meeting_move, name="meeting-move"),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/cancel/",
        views.meeting_cancel_view,
        name="meeting-cancel",
    ),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/attendees/",
        views.meeting_attendee_add_view,
        name="meeting-attendee-add",
    ),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/fixed/",
        views.meeting_fixed,
        name="meeting-fixed",
    ),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/swap/",
        views.meeting_swap_view,
        name="meeting-swap",
    ),
    path("<slug:slug>/participants/", views.participant_list, name="participants"),
    path(
        "<slug:slug>/participants/<int:participant_id>/",
        views.participant_detail,
        name="participant",
    ),
    path(
        "<slug:slug>/participants/<int:participant_id>/presence/",
        views.participant_presence,
        name="participant-presence",
    ),
    path(
        "<slug:slug>/participants/<int:participant_id>/arrival/",
        views.participant_arrival,
        name="participant-arrival",
    ),
    path(
        "<slug:slug>/participants/<int:participant_id>/attendance/",
        views.participant_attendance,
        name="participant-attendance",
    ),
    path(
        "<slug:slug>/participants/<int:participant_id>/calendar-link/",
        views.participant_calendar_renew,
        name="participant-calendar-renew",
    ),
    path("<slug:slug>/agendas/", views.agendas_print, name="agendas-print"),
    path(
        "<slug:slug>/participants/<int:participant_id>/agenda/",
        views.participant_agenda,
        name="participant-agenda",
    ),
    path(
        "<slug:slug>/participants/<int:participant_id>/agenda.ics",
        views.participant_ics,
        name="participant-ics",
    ),
    path(
        "<slug:slug>/participants/<int:participant_id>/book/",
        views.participant_book,
        name="participant-book",
    ),
    path("<slug:slug>/stats/", views.statistics, name="stats"),
    path("<slug:slug>/settings/", views.event_settings, name="settings"),
    path("<slug:slug>/messages/", views.broadcasts, name="broadcasts"),
    path("<slug:slug>/scheduler/", views.scheduler, name="scheduler"),
    path("<slug:slug>/scheduler/runs/", views.scheduler_runs, name="scheduler-runs"),
    path(
        "<slug:slug>/scheduler/runs/<int:run_id>/publish/",
        views.scheduler_publish,
        name="scheduler-publish",
    ),
    path("<slug:slug>/exports/", views.exports, name="exports"),
    path("<slug:slug>/exports/meetings.csv", views.meetings_csv, name="meetings-csv"),
    path("<slug:slug>/exports/requests.csv", views.requests_csv, name="requests-csv"),
    path("<slug:slug>/exports/feedback.csv", views.feedback_csv, name="feedback-csv"),
    path("<slug:slug>/exports/participants.csv", views.participants_csv, name="participants-csv"),
    path("<slug:slug>/exports/event.json", views.event_json, name="event-json"),
    path("<slug:slug>/tables/", views.table_plan, name="tables"),
]

urlpatterns = [
    path("organiser/", include((organiser_patterns, "organiser"))),
]
