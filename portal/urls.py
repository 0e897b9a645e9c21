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
