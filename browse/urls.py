from django.urls import path

from browse import views

app_name = "browse"

urlpatterns = [
    path("", views.home, name="home"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner"),
    path("tags/", views.tag_list, name="tags"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("contact/", views.contact, name="contact"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
]
