from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="consultation"),
    path("insights/", views.briefing_list, name="briefings"),
    path("insights/<slug:slug>/", views.briefing_detail, name="briefing"),
]
