from django.urls import path

from . import views

app_name = "pickpack-api"

urlpatterns = [
    path("pick-pack/<id:tenant>/events", views.PackingEventListView.as_view(), name="event-list"),
    path("pick-pack/<id:tenant>/jobs/recalculations", views.RecalculationJobListView.as_view(), name="job-list"),
    path(
        "pick-pack/<id:tenant>/jobs/recalculations/<id:job_id>",
        views.RecalculationJobDetailView.as_view(),
        name="job-detail",
    ),
]
