"""The participant's pages, mounted at /my/ (namespace ``participant``)."""

from django.urls import path

from matchmaking.pages import participant_views as views

app_name = "participant"

urlpatterns = [
    path("", views.index, name="index"),
    path("login/", views.login_request, name="login"),
    path("login/<str:secret>/", views.login_link, name="login-link"),
    path("logout/", views.logout_view, name="logout"),
    path("<slug:slug>/", views.event_home, name="event"),
    path("<slug:slug>/profile/", views.profile, name="profile"),
    path("<slug:slug>/presence/", views.presence, name="presence"),
    path("<slug:slug>/attendance/", views.attendance, name="attendance"),
    path("<slug:slug>/arrival/", views.arrival_view, name="arrival"),
    path("<slug:slug>/recommendations/", views.recommendations, name="recommendations"),
    path("<slug:slug>/marks/", views.mark, name="mark"),
    path("<slug:slug>/requests/", views.requests_page, name="requests"),
    path("<slug:slug>/requests/new/", views.request_send, name="request-send"),
    path(
        "<slug:slug>/requests/decline-all/",
        views.requests_decline_all,
        name="requests-decline-all",
    ),
    path(
        "<slug:slug>/requests/<int:request_id>/accept/",
        views.request_accept_view,
        name="request-accept",
    ),
    path(
        "<slug:slug>/requests/<int:request_id>/decline/",
        views.request_decline_view,
        name="request-decline",
    ),
    path(
        "<slug:slug>/requests/<int:request_id>/cancel/",
        views.request_cancel_view,
        name="request-cancel",
    ),
    path("<slug:slug>/messages/", views.messages_page, name="messages"),
    path(
        "<slug:slug>/messages/<int:participant_id>/",
        views.conversation,
        name="conversation",
    ),
    path("<slug:slug>/agenda/", views.agenda, name="agenda"),
    path("<slug:slug>/agenda/book/", views.agenda_book, name="agenda-book"),
    path("<slug:slug>/agenda.ics", views.agenda_ics, name="agenda-ics"),
    path("<slug:slug>/agenda/calendar-link/", views.calendar_renew, name="calendar-renew"),
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
        "<slug:slug>/meetings/<int:meeting_id>/feedback/",
        views.meeting_feedback_view,
        name="meeting-feedback",
    ),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/leave/",
        views.meeting_leave_view,
        name="meeting-leave",
    ),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/move/",
        views.meeting_move_view,
        name="meeting-move",
    ),
    path(
        "<slug:slug>/meetings/<int:meeting_id>/check-in/",
        views.meeting_check_in_view,
        name="meeting-check-in",
    ),
]
