from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("staff/<id:tenant>/webhooks/", views.endpoint_list, name="endpoint_list"),
    path("staff/<id:tenant>/webhooks/<int:endpoint_id>/", views.endpoint_detail, name="endpoint_detail"),
    path(
        "staff/<id:tenant>/webhooks/<int:endpoint_id>/disable/",
        views.endpoint_active,
        {"active": False},
        name="endpoint_disable",
    ),
    path(
        "staff/<id:tenant>/webhooks/<int:endpoint_id>/enable/",
        views.endpoint_active,
        {"active": True},
        name="endpoint_enable",
    ),
    path("staff/<id:tenant>/webhooks/<int:endpoint_id>/rotate-secret/", views.rotate_secret, name="rotate_secret"),
    path(
        "staff/<id:tenant>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
        views.redeliver,
        name="redeliver",
    ),
]
