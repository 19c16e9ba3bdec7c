"""wagtail-lms under /lms/, Wagtail's admin, Django's login, and Wagtail's pages."""
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/login/", auth_views.LoginView.as_view()),
    path("lms/", include("wagtail_lms.urls")),
    path("", include(wagtail_urls)),
]
