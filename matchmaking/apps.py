from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = "Matchmaking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from matchmaking import checks  # noqa: F401  (registers the system checks)
