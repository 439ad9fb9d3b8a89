from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("staff/<tenant>/", views.dashboard, name="dashboard"),
]
