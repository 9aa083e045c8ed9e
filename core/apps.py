from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Practice"

    def ready(self):
        from django_scopes.manager import DisabledQuerySet

        # django-scopes 2.1 refuses a scoped model's queries outside a scope, but lets exists() and
        # explain() through: `Membership.objects.exclude(...).exists()` would answer across all firms.
        # Close them, so the scope fails closed for every query (tests/security/test_scoping.py).
        DisabledQuerySet.exists = DisabledQuerySet.error
        DisabledQuerySet.explain = DisabledQuerySet.error
