from django.urls import path

from recurring import views

app_name = "recurring"

urlpatterns = [
    path("recurring-findings/", views.finding_list, name="list"),
    path("recurring-findings/<slug:slug>/", views.finding_detail, name="detail"),
]
