"""Staff users as the domain sees them: their actor, their permissions, their groups, and the page guard."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from ..actors import Actor
from ..errors import DomainError, NotFound
from ..models import Order, Tenant
from ..selectors import get_order, staff_tenant, staff_tenants
from .navigation import order_list_url

VIEW_ORDERS = "orders.view_order"
MANAGE_ORDERS = "orders.manage_orders"
# Pick-pack's permissions, named here only as data: orders never imports pickpack.
VIEW_JOBS = "pickpack.view_recalculationjob"
VIEW_PACKING_EVENTS = "pickpack.view_packingevent"
MANAGE_JOBS = "pickpack.manage_jobs"
VIEW_WEBHOOKS = "orders.view_webhookendpoint"
MANAGE_WEBHOOKS = "orders.manage_webhooks"
# What each permission lets a person do, for a refusal that says what is missing.
PERMISSION_WORDS = {
    VIEW_ORDERS: "see orders",
    MANAGE_ORDERS: "change orders",
    VIEW_JOBS: "see recalculation jobs",
    VIEW_PACKING_EVENTS: "see packing events",
    MANAGE_JOBS: "start and manage recalculation jobs",
    VIEW_WEBHOOKS: "see webhook endpoints",
    MANAGE_WEBHOOKS: "manage webhook endpoints",
}

# The order desk's groups. Job managers see orders too: a job's results link to them.
STAFF_GROUPS: dict[str, tuple[str, ...]] = {
    "Order desk: viewers": (VIEW_ORDERS,),
    "Order desk: managers": (VIEW_ORDERS, MANAGE_ORDERS),
    "Order desk: job managers": (VIEW_ORDERS, VIEW_JOBS, VIEW_PACKING_EVENTS, MANAGE_JOBS),
    # Endpoints receive every order of the tenant: adding one is for whoever runs the integrations.
    "Order desk: integration managers": (VIEW_ORDERS, VIEW_WEBHOOKS, MANAGE_WEBHOOKS),
}


def staff_actor(user) -> Actor:
    """The actor for a staff user's changes; managing orders includes changing COMPLETED ones."""
    return Actor(
        label=f"user:{user.get_username()}",
        may_change_completed=user.has_perm(MANAGE_ORDERS),
        kind="user",
        id=user.get_username(),
        name=user.get_full_name() or user.get_username(),
    )


def ensure_staff_groups() -> list[str]:
    """Create the order desk's groups with their permissions; returns the permissions not found (not migrated yet).

    Idempotent: a group's permissions are set to exactly the ones listed.
    """
    missing = []
    for name, permission_names in STAFF_GROUPS.items():
        permissions = []
        for permission_name in permission_names:
            permission = find_permission(permission_name)
            if permission is None:
                missing.append(permission_name)
            else:
                permissions.append(permission)
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
    return sorted(set(missing))


def find_permission(name: str) -> Permission | None:
    app_label, codename = name.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def staff_page(permission: str) -> Callable:
    """Guard a staff view: login (else redirect), then `permission` (else 403), then the tenant (else 404).

    The view receives the Tenant object instead of the tenant name from the URL.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def guarded(request: HttpRequest, tenant: str, *args, **kwargs) -> HttpResponse:
            require(request.user, permission)
            return view(request, staff_tenant(request.user, tenant), *args, **kwargs)

        return guarded

    return decorate


def require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(f"You are not allowed to {PERMISSION_WORDS.get(permission, permission)}.")


def staff_order(tenant: Tenant, order_id: str, user) -> Order:
    """The tenant's order as a staff user sees it, or 404."""
    try:
        return get_order(tenant, order_id, staff_actor(user))
    except NotFound as error:
        raise Http404(error.message) from error


def page_context(request: HttpRequest, tenant: Tenant, section: str, **context) -> dict:
    """What every staff page's layout needs: the tenant, the tenants to switch to, the current section, and the
    order list as last filtered (for the breadcrumbs of order pages)."""
    return {
        "tenant": tenant,
        "tenants": staff_tenants(request.user),
        "section": section,
        "order_list_url": order_list_url(request, tenant),
        **context,
    }


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request gets only the region it swaps; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def error_message(error: DomainError) -> str:
    """The error's message, followed by what its details add."""
    extra = [f"{detail.field}: {detail.message}" for detail in error.details if detail.message not in error.message]
    return f"{error.message} ({'; '.join(extra)})" if extra else error.message
