from django.urls import path

from workinggroups import views

app_name = "workinggroups"

urlpatterns = [
    path("working-groups/", views.group_list, name="groups"),
    path("working-groups/<slug:slug>/", views.detail, name="detail"),
    path("actions/", views.finder, name="finder"),
    path("actions/<str:reference>/", views.output_detail, name="output"),
]
