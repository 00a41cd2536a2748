"""Forms of the organiser console."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from matchmaking.models import Meeting


class OrganiserLoginForm(AuthenticationForm):
    """The usual login form, for staff users only."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": _("This account is not an organiser account."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class MeetingStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Meeting.Status.SCHEDULED, _("Scheduled")),
            (Meeting.Status.CHECKED_IN, _("Checked in")),
            (Meeting.Status.HELD, _("Held")),
            (Meeting.Status.NO_SHOW, _("No-show")),
        ]
    )


class ScheduleRunForm(forms.Form):
    time_limit = forms.FloatField(
        label=_("Time limit (seconds)"),
        min_value=1,
        max_value=3600,
        initial=10,
        help_text=_("The solver stops after this time and keeps its best plan."),
    )
    pin_participant_bookings = forms.BooleanField(
        label=_("Keep meetings participants booked themselves"),
        required=False,
        initial=True,
        help_text=_("Pinned meetings keep their slot; the scheduler plans around them."),
    )
    fair_weight_share = forms.FloatField(
        label=_("Weight given up for first meetings (%)"),
        min_value=0,
        max_value=5,
        initial=0,
        required=False,
        help_text=_(
            "Up to this share of the total match weight may be traded so that participants "
            "left without any meeting get one. 0 keeps the highest total weight."
        ),
    )
