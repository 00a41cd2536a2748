"""Top-level URLs: the API under /api/, its docs, the admin."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerView

from api.schema import SchemaView
from matchmaking.pages.forms import AdminLoginForm
from matchmaking.pages.participant_views import set_language_chosen

admin.site.login_form = AdminLoginForm  # the console's limit on failed sign-ins

urlpatterns = [
    path("", RedirectView.as_view(url="/api/docs/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("api.urls")),
    # the menu's language choice, marked as chosen (the pages stop following the profile)
    path("i18n/setlang/", set_language_chosen, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("my/", include("matchmaking.pages.participant_urls")),
    path("", include("matchmaking.pages.urls")),
]

handler404 = "api.exceptions.not_found"
