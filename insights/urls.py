from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.home, name="home"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="consultation"),
    path("insights/<slug:slug>/", views.briefing_detail, name="briefing"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
