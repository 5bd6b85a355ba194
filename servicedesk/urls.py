from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from audit import api as audit_api
from catalogue import api as catalogue_api
from changes import api as changes_api
from contacts.api import ContactViewSet
from incidents.api import QueueViewSet, TicketViewSet
from knowledge import api as knowledge_api
from portal import views as portal_views
from sla import api as sla_api

from . import auth_api, views
from .api import GroupViewSet, ServiceViewSet, UserViewSet

lazy_static = lazy(static, str)  # the storage's URL, read when first asked, not at import

router = DefaultRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("queues", QueueViewSet, basename="queue")
router.register("services", ServiceViewSet, basename="service")
router.register("groups", GroupViewSet, basename="group")
router.register("users", UserViewSet, basename="user")
router.register("contacts", ContactViewSet, basename="contact")
changes_api.register(router)
catalogue_api.register(router)
sla_api.register(router)
knowledge_api.register(router)

api_patterns: list[URLPattern | URLResolver] = [
    path("auth/token/", auth_api.obtain_token, name="token"),
    path("auth/logout/", auth_api.logout, name="logout"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("access-log/", audit_api.AccessLogList.as_view(), name="access-log"),
    path("tickets/<int:pk>/access-log/", audit_api.TicketAccessLogList.as_view(), name="ticket-access-log"),
    path("reports/", include("reports.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    # Self-service portal: "/" sends end users there and IT staff to the console.
    path("", portal_views.landing, name="landing"),
    path("portal/", include("portal.urls")),
    path("accessibility/", portal_views.accessibility, name="accessibility"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the pages link; send them to the static file.
    path("favicon.ico", RedirectView.as_view(url=lazy_static("favicon.ico")), name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("console/health/", views.health_page, name="health"),
    path("console/changes/", include("changes.urls")),
    path("console/catalogue/", include("catalogue.urls")),
    path("console/audit/", include("audit.urls")),
    path("console/reports/", include("reports.urls")),
    path("console/kb/", include("knowledge.urls")),
    path("console/", include("incidents.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
