from django.urls import path

from . import bulk, export_views, views

app_name = "staff"

urlpatterns = [
    path("staff/", views.switch_tenant, name="switch_tenant"),
    path("staff/<id:tenant>/", views.dashboard, name="dashboard"),
    path("staff/<id:tenant>/orders/", views.order_list, name="order_list"),
    # Beside orders/, not in it: any name inside orders/ could be a client's order id.
    path("staff/<id:tenant>/orders.csv", views.order_export, name="order_export"),
    path("staff/<id:tenant>/exports/", export_views.export_list, name="export_list"),
    path("staff/<id:tenant>/exports/<int:export_id>.csv", export_views.export_download, name="export_download"),
    path("staff/<id:tenant>/order-actions/", bulk.order_bulk, name="order_bulk"),
    path("staff/<id:tenant>/orders/<id:order_id>/", views.order_detail, name="order_detail"),
    path("staff/<id:tenant>/orders/<id:order_id>/transition/", views.order_transition, name="order_transition"),
    path("staff/<id:tenant>/orders/<id:order_id>/deliveries/", views.order_deliveries, name="order_deliveries"),
    path("staff/<id:tenant>/orders/<id:order_id>/split/", views.order_split, name="order_split"),
]
