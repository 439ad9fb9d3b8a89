from django.urls import path

from . import views

app_name = "orders-api"

urlpatterns = [
    path("order-v2/<tenant>/salesorders", views.SalesOrderListView.as_view(), name="salesorder-list"),
    path("order-v2/<tenant>/salesorders/<order_id>", views.SalesOrderDetailView.as_view(), name="salesorder-detail"),
    path(
        "order-v2/<tenant>/salesorders/<order_id>/transitions",
        views.SalesOrderTransitionsView.as_view(),
        name="salesorder-transitions",
    ),
    path(
        "order-v2/<tenant>/salesorders/<order_id>/historical-transitions",
        views.HistoricalTransitionsView.as_view(),
        name="salesorder-historical-transitions",
    ),
]
