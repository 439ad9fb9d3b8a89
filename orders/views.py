"""Staff pages of the order desk (server-rendered; business rules stay in services and selectors)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render

from .selectors import staff_tenant, staff_tenants

LATEST_ORDERS = 10


@login_required
def home(request):
    """Send a signed-in user to the dashboard of their first tenant."""
    tenants = staff_tenants(request.user)
    if not tenants:
        return render(request, "orders/no_tenant.html", status=403)
    return redirect("staff:dashboard", tenant=tenants[0].name)


@login_required
def dashboard(request, tenant):
    tenant = staff_tenant(request.user, tenant)
    orders = tenant.orders.all()
    context = {
        "tenant": tenant,
        "tenants": staff_tenants(request.user),
        "status_counts": orders.values("status").annotate(count=Count("pk")).order_by("status"),
        "latest_orders": orders.order_by("-created", "-order_id")[:LATEST_ORDERS],
    }
    return render(request, "orders/dashboard.html", context)
