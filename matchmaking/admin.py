from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from . import models
from .countries import country_code
from .exceptions import InvalidInput
from .languages import language_codes


class SuperusersOnly:
    """The admin edits every event's rows: superusers only. Organisers (staff accounts on an
    event's team) steer their events in the console and the API, which check the team; model
    permissions given in the admin would reach every event (the review: one put themselves on
    any team)."""

    @staticmethod
    def _allowed(request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class ParticipantAdminForm(forms.ModelForm):
    """The admin's participant form (the admin supplies model and fields)."""

    def clean_country(self) -> str:
        try:
            return country_code(self.cleaned_data["country"])  # the API's and pages' rule
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_languages(self) -> list[str]:
        value = self.cleaned_data["languages"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(_('A list of language codes, such as ["fr", "ar"].'))
        try:
            return language_codes(value)  # the API's and pages' rule
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc


class SuperusersOnlyAdmin(SuperusersOnly, admin.ModelAdmin):
    pass


@admin.register(models.Event)
class EventAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["slug", "name", "timezone", "slot_minutes", "booking_opens", "booking_closes"]
    filter_horizontal = ["organisers"]


@admin.register(models.Participant)
class ParticipantAdmin(SuperusersOnly, admin.ModelAdmin):
    form = ParticipantAdminForm
    list_display = ["name", "email", "kind", "organisation", "event"]
    list_filter = ["event", "kind"]
    search_fields = ["name", "email", "organisation__name"]
    raw_id_fields = ["user", "organisation", "fixed_table"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # every participant has a profile, whose folded columns the directory searches: a new
        # name, organisation or city is found at once, accents or not
        profile, _ = models.Profile.objects.get_or_create(participant=obj)
        profile.participant = obj
        profile.refresh_search_text()
        profile.save(update_fields=["search_text", "search_names"])


@admin.register(models.MeetingRequest)
class MeetingRequestAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["id", "sender", "recipient", "status", "priority", "created_at"]
    list_filter = ["event", "status"]
    raw_id_fields = ["sender", "recipient"]


class SeatInline(SuperusersOnly, admin.TabularInline):
    model = models.MeetingSeat
    raw_id_fields = ["participant", "slot"]
    extra = 0


class LogInline(SuperusersOnly, admin.TabularInline):
    model = models.MeetingLog
    readonly_fields = ["at", "actor", "action", "detail"]
    extra = 0
    can_delete = False


@admin.register(models.Meeting)
class MeetingAdmin(SuperusersOnly, admin.ModelAdmin):
    """Read-mostly: changes go through the services (API or organiser pages) to keep the guards."""

    list_display = ["id", "event", "slot", "table", "status", "absent", "source", "fixed"]
    list_filter = ["event", "status", "absent", "source"]
    # who did not come goes with the status (a no-show only): both are set on the grid
    readonly_fields = ["request", "slot", "table", "status", "absent", "uid", "sequence", "source"]
    inlines = [SeatInline, LogInline]


@admin.register(models.Arrival)
class ArrivalAdmin(SuperusersOnly, admin.ModelAdmin):
    """The entrance desk's record, to look up (who arrived which day, when, marked by whom) or
    take back a wrong mark; marks are made at the desk (console or API), which checks the day
    and the person."""

    list_display = ["participant", "event", "date", "at", "by"]
    list_filter = ["event", "date"]
    search_fields = ["participant__name", "participant__email", "participant__ref"]
    list_select_related = ["participant", "event", "by"]
    date_hierarchy = "date"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(models.Table, SuperusersOnlyAdmin)
admin.site.register(models.Organisation, SuperusersOnlyAdmin)
admin.site.register(models.Slot, SuperusersOnlyAdmin)
