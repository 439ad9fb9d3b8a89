from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import RevokeTokenView, TokenView

from orders.staff import views as staff_views

urlpatterns = [
    path("oauth/token", TokenView.as_view(), name="oauth-token"),
    path("oauth/revoke", RevokeTokenView.as_view(), name="oauth-revoke"),
    path("", include("orders.api.urls")),
    path("", include("pickpack.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("orders.staff.urls")),
    path("", include("orders.webhooks.urls")),
    path("", include("pickpack.staff.urls")),
    path("", staff_views.home, name="home"),
]

handler403 = "orders.staff.errors.permission_denied"
handler404 = "orders.staff.errors.page_not_found"
