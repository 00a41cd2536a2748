"""Dates as the pages write them, in the active language (``{% load fair_dates %}``)."""

import datetime as dt

from django import template
from django.utils import timezone

from matchmaking.reasons import weekday_date_text

register = template.Library()


@register.filter
def weekday_date(value, year=""):
    """A day (or a moment, in the active time zone) standing alone, with its weekday, as
    ``weekday_date_text`` writes it: "Wednesday 18 April", "mercredi 18 avril", "يوم الأربعاء
    18 إبريل"; ``|weekday_date:"year"`` adds the year. Empty for no value."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return weekday_date_text(value, year=bool(year))
