from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from citizeninfo.api import api
from core import views as core_views

admin.site.site_header = "CITIZENinfo"

urlpatterns = [
    path("", include("core.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    # Early: the QR code's /f/<point>/ is the busiest address (each pattern before it is tried
    # on every citizen's answer, ADR 0044).
    path("", include("feedback.urls")),
    # Early too: filing a complaint is the other citizen write at national volume (ADR 0101);
    # its patterns all start with complaints/, opendata/complaints/ or my-agency/complaints/.
    path("", include("complaints.urls")),
    # LINE's webhook, hundreds of events a second at peak (issue 21): early for the same reason.
    path("", include("line_channel.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("accounts.urls")),
    path("", include("agencies.urls")),
    path("", include("exchange.urls")),
    path("", include("manual.urls")),
    path("", include("service_points.urls")),
    path("", include("readiness.urls")),
    path("", include("progress.urls")),
    path("", include("counter.urls")),
    path("", include("console.urls")),
    path("", include("citizens.urls")),
    path("open311/v2/", include("complaints.open311_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.THAID_DEMO_PROVIDER:
    # The demo's stand-in for ThaiD (ADR 0110); never mounted in production.
    urlpatterns.append(path("demo-thaid/", include("citizens.demo_urls")))

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

# Uploaded files, in the demo and in production alike, through the owning app's access rule
# (core.media; X-Accel-Redirect / X-Sendfile when MEDIA_ACCEL_REDIRECT / MEDIA_X_SENDFILE).
urlpatterns += [
    path(settings.MEDIA_URL.strip("/") + "/<path:name>", core_views.media, name="media"),
]
