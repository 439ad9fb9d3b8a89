from django.urls import path

from . import bulk, views

app_name = "jobs"

urlpatterns = [
    path("staff/<id:tenant>/jobs/", views.job_list, name="job_list"),
    path("staff/<id:tenant>/jobs/<id:job_id>/", views.job_detail, name="job_detail"),
    path("staff/<id:tenant>/jobs/<id:job_id>/retry-failed/", views.retry_failed, name="retry_failed"),
    path("staff/<id:tenant>/jobs/<id:job_id>/cancel/", views.cancel_job, name="cancel_job"),
    # Beside jobs/, not in it: a job id could be any 3-16 letters.
    path("staff/<id:tenant>/recent-jobs/", views.recent_jobs, name="recent_jobs"),
    path("staff/<id:tenant>/events/", views.event_list, name="event_list"),
    # The order list's bulk action: a job of the orders selected there.
    path("staff/<id:tenant>/recalculate-orders/", bulk.recalculate_selection, name="recalculate_selection"),
]
