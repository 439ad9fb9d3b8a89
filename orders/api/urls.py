from django.urls import path

from . import views

app_name = "orders-api"

urlpatterns = [
    path("order-v2/<id:tenant>/salesorders", views.SalesOrderListView.as_view(), name="salesorder-list"),
    path("order-v2/<id:tenant>/salesorders/search", views.SalesOrderSearchView.as_view(), name="salesorder-search"),
    path(
        "order-v2/<id:tenant>/salesorders/<id:order_id>", views.SalesOrderDetailView.as_view(), name="salesorder-detail"
    ),
    path(
        "order-v2/<id:tenant>/salesorders/<id:order_id>/calculations",
        views.SalesOrderCalculationsView.as_view(),
        name="salesorder-calculations",
    ),
    path(
        "order-v2/<id:tenant>/salesorders/<id:order_id>/split",
        views.SalesOrderSplitView.as_view(),
        name="salesorder-split",
    ),
    path(
        "order-v2/<id:tenant>/salesorders/<id:order_id>/entries",
        views.SalesOrderEntriesView.as_view(),
        name="salesorder-entries",
    ),
    path(
        "order-v2/<id:tenant>/salesorders/<id:order_id>/transitions",
        views.SalesOrderTransitionsView.as_view(),
        name="salesorder-transitions",
    ),
    path(
        "order-v2/<id:tenant>/salesorders/<id:order_id>/changes",
        views.SalesOrderChangesView.as_view(),
        name="salesorder-changes",
    ),
    path("order-v2/<id:tenant>/changes", views.TenantChangesView.as_view(), name="tenant-changes"),
    path(
        "order-v2/<id:tenant>/salesorders/<id:order_id>/historical-transitions",
        views.HistoricalTransitionsView.as_view(),
        name="salesorder-historical-transitions",
    ),
]
