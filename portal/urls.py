from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from editorial import tagging
from portal.sitemaps import SITEMAPS
from portal.views import healthz

handler500 = "portal.views.server_error"

admin.site.site_header = "Connected Places Portal: editors"
admin.site.site_title = "Connected Places Portal admin"
admin.site.index_title = "Curate consultations and findings"


def superusers_only(model_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """`model_admin` shown to superusers alone, whatever permissions a group holds."""

    def allowed(check):
        return lambda self, request, *args: (
            request.user.is_superuser and check(self, request, *args)
        )

    checks = ["module", "view", "add", "change", "delete"]
    return type(
        model_admin.__name__,
        (model_admin,),
        {f"has_{name}_permission": allowed(getattr(model_admin, f"has_{name}_permission"))
         for name in checks},
    )  # fmt: skip


# Login lockouts (django-axes) are the administrators' business, not the editors'.
for model in apps.get_app_config("axes").get_models():
    if admin.site.is_registered(model):
        model_admin = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, superusers_only(model_admin))

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(f"{settings.ADMIN_URL}tags/autocomplete/", tagging.autocomplete, name="tag_autocomplete"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("browse.urls")),
    path("", include("insights.urls")),
    path("", include("workinggroups.urls")),
    path("", include("search.urls")),
    path("", include("progress.urls")),
    path("", include("recurring.urls")),
    path("", include("opendata.urls")),
]
