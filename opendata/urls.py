from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers
from rest_framework.renderers import JSONRenderer

from opendata import api, views

app_name = "opendata"


class APIRootView(routers.APIRootView):
    renderer_classes = [JSONRenderer]


router = routers.DefaultRouter()
router.APIRootView = APIRootView
router.include_format_suffixes = False
router.register("actions", api.ActionViewSet, basename="action")
router.register("consultations", api.ConsultationViewSet, basename="consultation")
router.register("insights", api.BriefingViewSet, basename="briefing")
router.register("working-groups", api.WorkingGroupViewSet, basename="workinggroup")
router.register("partners", api.PartnerViewSet, basename="partner")
router.register("themes", api.ThemeViewSet, basename="theme")
router.register("tags", api.TagViewSet, basename="tag")
router.register("commitments", api.CommitmentViewSet, basename="commitment")
router.register("recurring-findings", api.RecurringFindingViewSet, basename="recurringfinding")

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", views.api_docs, name="api_docs"),
    path(
        "api/consultations/<str:slug>/export/",
        api.consultation_export,
        name="consultation-export",
    ),
    path("api/", include(router.urls)),
    re_path(r"^api/(?P<path>.*)$", api.not_found),
    path("actions.csv", views.actions_csv, name="actions_csv"),
    path("actions.atom", views.actions_atom, name="actions_atom"),
    path("insights.atom", views.insights_atom, name="insights_atom"),
    path("commitments.csv", views.commitments_csv, name="commitments_csv"),
    path("updates.atom", views.updates_atom, name="updates_atom"),
    path(
        "actions/<str:reference>/updates.atom",
        views.action_updates_atom,
        name="action_updates_atom",
    ),
    path(
        "partners/<slug:slug>/updates.atom",
        views.partner_updates_atom,
        name="partner_updates_atom",
    ),
    path("recurring-findings.csv", views.recurring_csv, name="recurring_csv"),
    path("recurring-findings.atom", views.recurring_atom, name="recurring_atom"),
    path("open-data/", views.open_data, name="open_data"),
]
