from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from . import models
from .countries import country_code
from .exceptions import InvalidInput
from .languages import language_codes


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


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "timezone", "slot_minutes", "booking_opens", "booking_closes"]
    filter_horizontal = ["organisers"]


@admin.register(models.Participant)
class ParticipantAdmin(admin.ModelAdmin):
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
class MeetingRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "sender", "recipient", "status", "priority", "created_at"]
    list_filter = ["event", "status"]
    raw_id_fields = ["sender", "recipient"]


class SeatInline(admin.TabularInline):
    model = models.MeetingSeat
    raw_id_fields = ["participant", "slot"]
    extra = 0


class LogInline(admin.TabularInline):
    model = models.MeetingLog
    readonly_fields = ["at", "actor", "action", "detail"]
    extra = 0
    can_delete = False


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the services (API or organiser pages) to keep the guards."""

    list_display = ["id", "event", "slot", "table", "status", "source", "fixed"]
    list_filter = ["event", "status", "source"]
    readonly_fields = ["request", "slot", "table", "status", "uid", "sequence", "source"]
    inlines = [SeatInline, LogInline]


admin.site.register(models.Table)
admin.site.register(models.Organisation)
admin.site.register(models.Slot)
