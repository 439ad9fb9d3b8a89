"""The staff isolation matrix: every staff page that writes or hands out a file, against every person who must be
refused, and the person it is for.

The API's matrix (`test_isolation_matrix.py`) does this for tokens; here the principals are browser sessions. Each
path is sent by someone anonymous, a member whose account was deactivated after logging in, a member of the other
tenant only (every permission), a member of this tenant holding every staff permission but one the path needs (one
principal per needed permission), the allowed member without the CSRF token, and the allowed member aiming at the
other tenant's job, export, endpoint or delivery through this tenant's URL. Every refusal is the answer the product
gives (302 to the login page, 403 naming what is missing, 404), changes nothing stored (orders, their events and
change records, jobs and their rows, exports and their files, webhook endpoints, deliveries and events) and holds
no order, job, export or endpoint of either tenant that the request did not name itself. The member holding exactly
the permissions a path needs succeeds, and changes nothing of the other tenant.

Staff users are bound to no vendor (`staff_actor` has none): there is no vendor principal on this side.

The world is built once per module in a transaction that is always rolled back; each test runs in a savepoint of it
(pytest-django), so nothing outlives the module, even when building it fails half-way.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from orders.actors import Actor
from orders.models import ChangeRecord, ExportStatus, Order, OrderEvent, OrderEventType, OrderExport, Tenant
from orders.services import create_order, create_tenant
from orders.staff.access import (
    MANAGE_JOBS,
    MANAGE_ORDERS,
    MANAGE_WEBHOOKS,
    PERMISSION_WORDS,
    STAFF_GROUPS,
    VIEW_JOBS,
    VIEW_ORDERS,
    VIEW_PACKING_EVENTS,
    VIEW_WEBHOOKS,
)
from orders.staff.exports import start_export, write_export
from orders.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from orders.webhooks.services import create_endpoint, set_endpoint_active
from pickpack.models import JobOrderStatus, JobStatus, JobType, RecalculationJob, RecalculationJobOrder
from pickpack.services import create_recalculation_job, select_job_orders

from ..conftest import load_fixture
from ..staff import permission
from .marked_orders import Line, OrderSpec, order_document

# Every staff permission, and what its 403 says is missing (written out: the page must say it in these words).
MISSING_WORDS = {
    VIEW_ORDERS: "see orders",
    MANAGE_ORDERS: "change orders",
    VIEW_JOBS: "see recalculation jobs",
    VIEW_PACKING_EVENTS: "see packing events",
    MANAGE_JOBS: "start and manage recalculation jobs",
    VIEW_WEBHOOKS: "see webhook endpoints",
    MANAGE_WEBHOOKS: "manage webhook endpoints",
}
ALL_PERMISSIONS = tuple(MISSING_WORDS)
# A fixed CSRF secret in the cookie and the form, as a page would have given it (32 characters, unmasked).
CSRF_SECRET = "staffIsolationMatrixCsrfSecret32"
NOTE = "Matrix note 6613: call the customer back"

# --- the data: two tenants with orders, jobs, exports and webhook endpoints of recognisable values ---------------

VENDOR_A, VENDOR_B = "vendor-a", "vendor-b"
# The order the matrix aims at: of two vendors, so it can be split.
TARGET = OrderSpec(
    "EON7731",
    "target.7731@acme.example",
    (
        Line("ENTRY-TARGET-A", "PRODUCT-TARGET-A", VENDOR_A, "4711.37"),
        Line("ENTRY-TARGET-B", "PRODUCT-TARGET-B", VENDOR_B, "4733.59"),
    ),
)
IN_FAILED_JOB = OrderSpec(
    "EON7735", "failed.7735@acme.example", (Line("ENTRY-FAILED-1", "PRODUCT-FAILED-1", VENDOR_A, "2515.17"),)
)
IN_RUNNING_JOB = OrderSpec(
    "EON7736", "running.7736@acme.example", (Line("ENTRY-RUNNING-1", "PRODUCT-RUNNING-1", VENDOR_A, "3613.29"),)
)
ACME_ORDERS = (TARGET, IN_FAILED_JOB, IN_RUNNING_JOB)
# The other tenant's order under the target's id: a wrong tenant filter would find it.
TWIN = OrderSpec("EON7731", "twin.7731@globex.example", (Line("ENTRY-TWIN-1", "PRODUCT-TWIN-1", VENDOR_A, "5822.19"),))
# The other tenant's orders under ids this tenant does not have.
FOREIGN = OrderSpec(
    "EON7734", "foreign.7734@globex.example", (Line("ENTRY-FOREIGN-1", "PRODUCT-FOREIGN-1", VENDOR_A, "6911.43"),)
)
FOREIGN_IN_FAILED_JOB = OrderSpec(
    "EON7737", "failed.7737@globex.example", (Line("ENTRY-GFAILED-1", "PRODUCT-GFAILED-1", VENDOR_A, "7122.61"),)
)
FOREIGN_IN_RUNNING_JOB = OrderSpec(
    "EON7738", "running.7738@globex.example", (Line("ENTRY-GRUNNING-1", "PRODUCT-GRUNNING-1", VENDOR_A, "8233.83"),)
)
GLOBEX_ORDERS = (TWIN, FOREIGN, FOREIGN_IN_FAILED_JOB, FOREIGN_IN_RUNNING_JOB)
HOOK_URLS = {
    "acme": ("http://127.0.0.1:9/acme-hook-5521", "http://127.0.0.1:9/acme-hook-off-5523"),
    "globex": ("http://127.0.0.1:9/globex-hook-5522", "http://127.0.0.1:9/globex-hook-off-5524"),
}
NEW_HOOK_URL = "http://127.0.0.1:9/new-hook-5525"


@dataclass
class TenantData:
    """One tenant's objects the paths aim at, by the names the paths give them, and every value it must keep."""

    tenant: Tenant
    ids: dict[str, str]
    secrets: list[str]


@dataclass
class StaffWorld:
    acme: TenantData
    globex: TenantData
    sessions: dict[str, str]  # principal -> session key
    exports_dir: Path
    http: Client

    def order(self, spec: OrderSpec) -> Order:
        return Order.objects.get(tenant=self.acme.tenant, order_id=spec.order_id)

    def secrets(self) -> list[str]:
        return self.acme.secrets + self.globex.secrets

    def secrets_of_globex(self) -> list[str]:
        # (the twin has the target's id on purpose: that id is no secret of the other tenant)
        return [value for value in self.globex.secrets if value != TARGET.order_id]


# --- the principals ---------------------------------------------------------------------------------------------

DEACTIVATED = "member of this tenant deactivated after logging in (every permission)"
OTHER_TENANT_MEMBER = "member of the other tenant only (every permission)"
COLLEAGUE = "another member of this tenant (sees orders)"


def holding_only(permissions: tuple[str, ...]) -> str:
    return "member holding only " + " and ".join(permissions)


def lacking(missing: str) -> str:
    return f"member holding every permission but {missing}"


def create_member(tenant: Tenant, username: str, permissions: tuple[str, ...]):
    user = get_user_model().objects.create_user(username, "", None)  # no password to hash: sessions are forced
    tenant.members.add(user)
    user.user_permissions.add(*(permission(name) for name in permissions))
    return user


def staff_users(acme: Tenant, globex: Tenant) -> dict:
    """Every principal but the anonymous one, by name."""
    specs = {
        DEACTIVATED: (acme, ALL_PERMISSIONS),
        OTHER_TENANT_MEMBER: (globex, ALL_PERMISSIONS),
        COLLEAGUE: (acme, (VIEW_ORDERS,)),
        **{lacking(missing): (acme, tuple(p for p in ALL_PERMISSIONS if p != missing)) for missing in ALL_PERMISSIONS},
        **{holding_only(path.needs): (acme, path.needs) for path in PATHS},
    }
    return {name: create_member(tenant, f"staff{n}", perms) for n, (name, (tenant, perms)) in enumerate(specs.items())}


def logged_in(http: Client, users: dict) -> dict[str, str]:
    """A session of each user; the deactivated one is deactivated once logged in, as if by an admin later."""
    sessions = {}
    for name, user in users.items():
        http.cookies = SimpleCookie()  # else login() flushes the session of the user logged in before
        http.force_login(user)
        sessions[name] = http.cookies[settings.SESSION_COOKIE_NAME].value
    users[DEACTIVATED].is_active = False
    users[DEACTIVATED].save(update_fields=["is_active"])
    return sessions


# --- the data ---------------------------------------------------------------------------------------------------


def started_job(tenant: Tenant, order_ids: list[str]) -> RecalculationJob:
    """A MANUAL job with its rows, as its worker's first task leaves it; its worker would be queued by a commit that
    never comes, so it stays IN_PROGRESS."""
    job = create_recalculation_job(tenant=tenant, job_type=JobType.MANUAL, order_ids=order_ids, actor=Actor(label="t"))
    select_job_orders(job)
    return job


def failed_job(tenant: Tenant, order_ids: list[str]) -> RecalculationJob:
    """A job whose orders all failed, marked so directly (a worker's outcome does not matter here, only its rows)."""
    job = started_job(tenant, order_ids)
    job.order_rows.update(status=JobOrderStatus.FAILURE, message="Recalculation failed")
    RecalculationJob.objects.filter(pk=job.pk).update(job_status=JobStatus.FAILURE, finished_at=timezone.now())
    return job


def tenant_data(tenant: Tenant, specs: tuple[OrderSpec, ...], *, target: str, exporters: dict) -> TenantData:
    """Endpoints first, so that creating the orders queues deliveries; then jobs over the second and third order
    (one failed, one running), and a finished export of all orders by each of `exporters`."""
    seed = load_fixture("seed_order.json")
    active_url, disabled_url = HOOK_URLS[tenant.name]
    active, active_secret = create_endpoint(tenant=tenant, url=active_url)
    disabled, disabled_secret = create_endpoint(tenant=tenant, url=disabled_url)
    set_endpoint_active(endpoint=disabled, active=False)
    for spec in specs:
        create_order(tenant=tenant, document=order_document(seed, spec), actor=Actor(label="test"))
    delivery = WebhookDelivery.objects.filter(endpoint=active).order_by("pk").first()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=5, finished_at=timezone.now()
    )
    failed = failed_job(tenant, [specs[-2].order_id])
    running = started_job(tenant, [specs[-1].order_id])
    exports = {name: start_export(tenant=tenant, user=user, filters="") for name, user in exporters.items()}
    for export in exports.values():
        write_export(export.pk)
        export.refresh_from_db()
    ids = {
        "order": target,
        "failed job": failed.job_id,
        "running job": running.job_id,
        "endpoint": str(active.pk),
        "disabled endpoint": str(disabled.pk),
        "finished delivery": str(delivery.pk),
        **{name: str(export.pk) for name, export in exports.items()},
    }
    secrets = [
        *(marker for spec in specs for marker in spec.markers),
        failed.job_id,
        running.job_id,
        active_url,
        disabled_url,
        active_secret,
        disabled_secret,
        *(export.file_name for export in exports.values()),
    ]
    return TenantData(tenant, ids, secrets)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, in a transaction rolled back after the module's last test (or at once, if building fails)."""
    exports_dir = tmp_path_factory.mktemp("staff-matrix-exports")
    http = Client(enforce_csrf_checks=True)
    with (
        override_settings(EXPORTS_DIR=exports_dir, WEBHOOKS_ALLOW_PRIVATE_URLS=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        acme, globex = create_tenant(name="acme"), create_tenant(name="globex")
        users = staff_users(acme, globex)
        sessions = logged_in(http, users)
        own_export_by = {
            "own export": users[holding_only(EXPORT_DOWNLOAD_NEEDS)],
            "colleague's export": users[COLLEAGUE],
        }
        yield StaffWorld(
            acme=tenant_data(acme, ACME_ORDERS, target=TARGET.order_id, exporters=own_export_by),
            globex=tenant_data(
                globex, GLOBEX_ORDERS, target=FOREIGN.order_id, exporters={"own export": users[OTHER_TENANT_MEMBER]}
            ),
            sessions=sessions,
            exports_dir=exports_dir,
            http=http,
        )
        transaction.set_rollback(True)


def stored_state(world: StaffWorld, data: TenantData | None = None) -> dict:
    """Everything a staff request could have changed; of one tenant only, given its data."""
    tenant = data.tenant if data else None

    def of(model, tenant_path: str = "tenant"):
        return model.objects.filter(**{tenant_path: tenant}) if tenant else model.objects.all()

    prefix = f"{tenant.name}-" if tenant else ""
    return {
        "orders": sorted(of(Order).values_list("pk", "version", "status", "document")),
        "order events": sorted(of(OrderEvent, "order__tenant").values_list("pk", "order_id", "type")),
        "change records": of(ChangeRecord).count(),
        "jobs": sorted(of(RecalculationJob).values_list("pk", "job_status", "cancelled_at", "finished_at")),
        "job rows": sorted(of(RecalculationJobOrder, "job__tenant").values_list("pk", "status", "order_id")),
        "exports": sorted(of(OrderExport).values_list("pk", "requested_by_id", "status", "file_name")),
        "export files": sorted(
            (file.name, file.stat().st_size) for file in world.exports_dir.iterdir() if file.name.startswith(prefix)
        ),
        "webhook endpoints": sorted(
            of(WebhookEndpoint).values_list("pk", "url", "is_active", "encrypted_secret", "secret_rotated_at")
        ),
        "webhook deliveries": sorted(
            of(WebhookDelivery, "endpoint__tenant").values_list("pk", "status", "attempts", "queued_at")
        ),
        "webhook events": of(WebhookEvent).count(),
    }


# --- what the allowed member's request did ----------------------------------------------------------------------


def csv_order_ids(body: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "orderId", rows[:1]
    return [row[0] for row in rows[1:]]


def new_jobs(world: StaffWorld) -> list[RecalculationJob]:
    known = {world.acme.ids["failed job"], world.acme.ids["running job"]}
    return list(RecalculationJob.objects.filter(tenant=world.acme.tenant).exclude(job_id__in=known))


def job_rows(job: RecalculationJob) -> list[tuple[str, str, int | None]]:
    """(order id, status, order's primary key) of each row, once the job's worker has added them."""
    select_job_orders(job)
    return list(job.order_rows.order_by("pk").values_list("order_number", "status", "order"))


def note_added(world, body, before):
    notes = OrderEvent.objects.filter(order__tenant=world.acme.tenant, type=OrderEventType.NOTE)
    assert [(note.order.order_id, note.parameters["text"]) for note in notes] == [(TARGET.order_id, NOTE)]


def target_confirmed(world, body, before):
    assert world.order(TARGET).status == "CONFIRMED"


def delivered_amount_saved(world, body, before):
    order = world.order(TARGET)
    assert order.version == 2
    assert Decimal(str(order.document["entries"][0]["deliveredAmount"])) == 1


def target_split(world, body, before):
    # the target of two vendors and its two suborders, beside the two orders held by jobs
    assert Order.objects.filter(tenant=world.acme.tenant).count() == 5
    assert world.order(TARGET).document["subOrders"]


def csv_of_target(world, body, before):
    assert csv_order_ids(body) == [TARGET.order_id]


def csv_of_every_acme_order(world, body, before):
    assert sorted(csv_order_ids(body)) == ["EON7731", "EON7735", "EON7736"]


def background_export_queued(world, body, before):
    assert OrderExport.objects.filter(tenant=world.acme.tenant, status=ExportStatus.QUEUED).count() == 1


def job_of_target_started(world, body, before):
    [job] = new_jobs(world)
    target = world.order(TARGET)
    assert (job.job_type, job_rows(job)) == (JobType.MANUAL, [(TARGET.order_id, JobOrderStatus.PENDING, target.pk)])


def failed_orders_retried(world, body, before):
    [job] = new_jobs(world)
    assert job.retry_of.job_id == world.acme.ids["failed job"]
    assert job_rows(job) == [(IN_FAILED_JOB.order_id, JobOrderStatus.PENDING, world.order(IN_FAILED_JOB).pk)]


def running_job_cancelled(world, body, before):
    job = RecalculationJob.objects.get(job_id=world.acme.ids["running job"])
    assert job.cancelled_at is not None
    assert job.job_status == JobStatus.FAILURE


def endpoint_created(world, body, before):
    assert WebhookEndpoint.objects.filter(tenant=world.acme.tenant, url=NEW_HOOK_URL).count() == 1
    assert "whsec_" in body


def endpoint_disabled(world, body, before):
    assert not WebhookEndpoint.objects.get(pk=world.acme.ids["endpoint"]).is_active


def endpoint_enabled(world, body, before):
    assert WebhookEndpoint.objects.get(pk=world.acme.ids["disabled endpoint"]).is_active


def secret_rotated(world, body, before):
    [old] = [row for row in before["webhook endpoints"] if str(row[0]) == world.acme.ids["endpoint"]]
    assert WebhookEndpoint.objects.get(pk=world.acme.ids["endpoint"]).encrypted_secret != old[3]
    assert "whsec_" in body


def delivery_queued_again(world, body, before):
    delivery = WebhookDelivery.objects.get(pk=world.acme.ids["finished delivery"])
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)


# --- the paths --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffPath:
    """A staff page that writes or hands out a file: what it needs, who it is for, and what it does for them."""

    name: str
    method: str
    route: str
    targets: dict[str, str]  # URL argument -> the name of the tenant's object it names (`TenantData.ids`)
    needs: tuple[str, ...]  # every permission it needs
    desk_group: str  # the order desk's group meant to use it
    allowed: int  # the status the member holding exactly `needs` gets
    succeeded: Callable[[StaffWorld, str, dict], None]  # (world, answer's body, stored state before)
    data: Callable[[StaffWorld], dict] = lambda world: {}
    settings: dict = field(default_factory=dict)
    # refusal name -> reason, for the cases a known production bug fails
    known_bugs: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name

    def url(self, world: StaffWorld, ids: dict[str, str]) -> str:
        kwargs = {name: ids.get(name, world.acme.ids[target]) for name, target in self.targets.items()}
        return reverse(self.route, kwargs={"tenant": world.acme.tenant.name, **kwargs})


def deliveries_saved_as_previewed(world: StaffWorld) -> dict:
    """The deliveries form with 1 delivered of the first entry, and the hidden fields of its preview."""
    return {
        "action": "save",
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "2",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "2",
        "entries-0-entry_id": "ENTRY-TARGET-A",
        "entries-0-delivered_amount": "1",
        "entries-1-entry_id": "ENTRY-TARGET-B",
        "entries-1-delivered_amount": "",
        "version": str(world.order(TARGET).version),
        "amounts": '[["ENTRY-TARGET-A", "1"]]',
        "delivered": '[["ENTRY-TARGET-A", null], ["ENTRY-TARGET-B", null]]',
    }


ORDER = {"order_id": "order"}
TICKED_TARGET = f"{TARGET.order_id}:1"
MANAGERS, VIEWERS = "Order desk: managers", "Order desk: viewers"
JOB_MANAGERS, INTEGRATION_MANAGERS = "Order desk: job managers", "Order desk: integration managers"
EXPORT_DOWNLOAD_NEEDS = (VIEW_ORDERS,)

PATHS = (
    StaffPath(
        "note on the order page",
        "POST",
        "staff:order_detail",
        ORDER,
        (VIEW_ORDERS, MANAGE_ORDERS),
        MANAGERS,
        302,
        note_added,
        lambda world: {"action": "note", "text": NOTE},
    ),
    StaffPath(
        "status change on the order page",
        "POST",
        "staff:order_detail",
        ORDER,
        (VIEW_ORDERS, MANAGE_ORDERS),
        MANAGERS,
        302,
        target_confirmed,
        lambda world: {"action": "transition", "status": "CONFIRMED"},
    ),
    StaffPath(
        "delivered amounts saved",
        "POST",
        "staff:order_deliveries",
        ORDER,
        (MANAGE_ORDERS,),
        MANAGERS,
        302,
        delivered_amount_saved,
        deliveries_saved_as_previewed,
    ),
    StaffPath(
        "split by vendor",
        "POST",
        "staff:order_split",
        ORDER,
        (MANAGE_ORDERS,),
        MANAGERS,
        302,
        target_split,
        lambda world: {"split_by": "VENDOR_ID", "version": str(world.order(TARGET).version)},
    ),
    StaffPath(
        "bulk status change",
        "POST",
        "staff:order_bulk",
        {},
        (VIEW_ORDERS, MANAGE_ORDERS),
        MANAGERS,
        302,
        target_confirmed,
        lambda world: {"action": "transition", "status": "CONFIRMED", "order": TICKED_TARGET},
    ),
    StaffPath(
        "bulk CSV of ticked orders",
        "POST",
        "staff:order_bulk",
        {},
        (VIEW_ORDERS,),
        VIEWERS,
        200,
        csv_of_target,
        lambda world: {"action": "export", "order": TICKED_TARGET},
    ),
    StaffPath(
        "CSV of the order list", "GET", "staff:order_export", {}, (VIEW_ORDERS,), VIEWERS, 200, csv_of_every_acme_order
    ),
    StaffPath(
        "CSV of the order list, written in the background",
        "GET",
        "staff:order_export",
        {},
        (VIEW_ORDERS,),
        VIEWERS,
        302,
        background_export_queued,
        settings={"EXPORT_BACKGROUND_ABOVE": 0},
    ),
    StaffPath(
        "export download",
        "GET",
        "staff:export_download",
        {"export_id": "own export"},
        EXPORT_DOWNLOAD_NEEDS,
        VIEWERS,
        200,
        csv_of_every_acme_order,
    ),
    StaffPath(
        "bulk recalculation job",
        "POST",
        "jobs:recalculate_selection",
        {},
        (VIEW_ORDERS, MANAGE_JOBS),
        JOB_MANAGERS,
        302,
        job_of_target_started,
        lambda world: {"order": TICKED_TARGET},
    ),
    StaffPath(
        "new job on the jobs page",
        "POST",
        "jobs:job_list",
        {},
        (VIEW_JOBS, MANAGE_JOBS),
        JOB_MANAGERS,
        302,
        job_of_target_started,
        lambda world: {"job_type": "MANUAL", "order_ids": TARGET.order_id},
    ),
    StaffPath(
        "retry of a job's failed orders",
        "POST",
        "jobs:retry_failed",
        {"job_id": "failed job"},
        (MANAGE_JOBS,),
        JOB_MANAGERS,
        302,
        failed_orders_retried,
    ),
    StaffPath(
        "cancel of a running job",
        "POST",
        "jobs:cancel_job",
        {"job_id": "running job"},
        (MANAGE_JOBS,),
        JOB_MANAGERS,
        302,
        running_job_cancelled,
    ),
    StaffPath(
        "new webhook endpoint",
        "POST",
        "webhooks:endpoint_list",
        {},
        (VIEW_WEBHOOKS, MANAGE_WEBHOOKS),
        INTEGRATION_MANAGERS,
        200,
        endpoint_created,
        lambda world: {"url": NEW_HOOK_URL, "description": "matrix"},
    ),
    StaffPath(
        "webhook endpoint disabled",
        "POST",
        "webhooks:endpoint_disable",
        {"endpoint_id": "endpoint"},
        (MANAGE_WEBHOOKS,),
        INTEGRATION_MANAGERS,
        302,
        endpoint_disabled,
    ),
    StaffPath(
        "webhook endpoint enabled",
        "POST",
        "webhooks:endpoint_enable",
        {"endpoint_id": "disabled endpoint"},
        (MANAGE_WEBHOOKS,),
        INTEGRATION_MANAGERS,
        302,
        endpoint_enabled,
    ),
    StaffPath(
        "webhook secret rotated",
        "POST",
        "webhooks:rotate_secret",
        {"endpoint_id": "endpoint"},
        (MANAGE_WEBHOOKS,),
        INTEGRATION_MANAGERS,
        200,
        secret_rotated,
    ),
    StaffPath(
        "webhook delivery sent again",
        "POST",
        "webhooks:redeliver",
        {"endpoint_id": "endpoint", "delivery_id": "finished delivery"},
        (MANAGE_WEBHOOKS,),
        INTEGRATION_MANAGERS,
        302,
        delivery_queued_again,
    ),
)
# The staff pages that only read (a GET that writes nothing): every other staff route must have a row above.
READ_ONLY_PAGES = {
    "staff:switch_tenant",
    "staff:dashboard",
    "staff:order_list",
    "staff:order_transition",  # the confirmation step; the change itself is a POST to the order
    "staff:export_list",
    "jobs:job_detail",
    "jobs:recent_jobs",
    "jobs:event_list",
    "webhooks:endpoint_detail",
}


def send(world: StaffWorld, path: StaffPath, session: str | None, *, csrf: bool = True, ids=None, data=None):
    """The path's request in `session` (none: anonymous); the answer, its body read to the end, and what was sent."""
    http = world.http
    http.cookies = SimpleCookie()  # no messages or other cookies carried over from another test
    if session is not None:
        http.cookies[settings.SESSION_COOKIE_NAME] = session
    http.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    url = path.url(world, ids or {})
    data = path.data(world) if data is None else data
    with override_settings(**path.settings):
        if path.method == "GET":
            response = http.get(url, data)
        else:
            response = http.post(url, data | ({"csrfmiddlewaretoken": CSRF_SECRET} if csrf else {}))
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body.decode(), " ".join([url, *map(str, data.values())])


def assert_no_leak(response, body: str, sent: str, secret_values: list[str]) -> None:
    """Neither the body nor a header holds any of the values, except those the request named itself."""
    seen = body + "\n" + "\n".join(f"{name}: {value}" for name, value in response.items())
    leaked = [value for value in secret_values if value not in sent and value in seen]
    assert not leaked, (leaked, seen[:500])


# --- the principals that must be refused ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    name: str
    status: int
    session: Callable[[StaffWorld, StaffPath], str | None]
    says: str = ""  # what the refusal's page must say
    csrf: bool = True
    ids: Callable[[StaffWorld], dict[str, str]] = lambda world: {}  # objects named in place of this tenant's own

    def __str__(self) -> str:
        return self.name


def allowed_member(world: StaffWorld, path: StaffPath) -> str:
    return world.sessions[holding_only(path.needs)]


ANONYMOUS = Refusal("anonymous", 302, lambda world, path: None)
DEACTIVATED_MEMBER = Refusal(DEACTIVATED, 302, lambda world, path: world.sessions[DEACTIVATED])
MEMBER_OF_THE_OTHER_TENANT = Refusal(OTHER_TENANT_MEMBER, 404, lambda world, path: world.sessions[OTHER_TENANT_MEMBER])
WITHOUT_CSRF_TOKEN = Refusal(
    "the allowed member, without the CSRF token", 403, allowed_member, says="CSRF verification failed", csrf=False
)
COLLEAGUES_EXPORT = Refusal(
    "the allowed member, another member's export",
    404,
    allowed_member,
    ids=lambda world: {"export_id": world.acme.ids["colleague's export"]},
)


def lacking_refusal(missing: str) -> Refusal:
    return Refusal(
        lacking(missing),
        403,
        lambda world, path: world.sessions[lacking(missing)],
        f"not allowed to {MISSING_WORDS[missing]}.",
    )


def other_tenants_object(argument: str, target: str) -> Refusal:
    return Refusal(
        f"the allowed member, the other tenant's {target} in this tenant's URL",
        404,
        allowed_member,
        ids=lambda world: {argument: world.globex.ids[target]},
    )


def refusals_of(path: StaffPath) -> list[Refusal]:
    refusals = [ANONYMOUS, DEACTIVATED_MEMBER, MEMBER_OF_THE_OTHER_TENANT, *map(lacking_refusal, path.needs)]
    if path.method == "POST":
        refusals.append(WITHOUT_CSRF_TOKEN)
    refusals += [other_tenants_object(argument, target) for argument, target in path.targets.items()]
    if path.targets.get("export_id") == "own export":
        refusals.append(COLLEAGUES_EXPORT)
    return refusals


def known_bug_marks(path: StaffPath, refusal: Refusal) -> list:
    reason = path.known_bugs.get(refusal.name)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


# --- the matrix -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "refusal"),
    [
        pytest.param(path, refusal, id=f"{path} | {refusal}", marks=known_bug_marks(path, refusal))
        for path in PATHS
        for refusal in refusals_of(path)
    ],
)
def test_refused_request_changes_nothing_and_shows_nothing(world, db, path, refusal):
    # given
    before = stored_state(world)
    # when
    response, body, sent = send(world, path, refusal.session(world, path), csrf=refusal.csrf, ids=refusal.ids(world))
    # then
    assert response.status_code == refusal.status, (response.status_code, body[:300])
    if refusal.status == 302:
        assert response["Location"] == f"{settings.LOGIN_URL}?next={quote(path.url(world, {}))}"
    assert refusal.says in body
    assert stored_state(world) == before
    assert_no_leak(response, body, sent, world.secrets())


@pytest.mark.parametrize("path", PATHS, ids=str)
def test_member_holding_exactly_the_permissions_a_path_needs_succeeds(world, db, path):
    # given
    before = stored_state(world)
    globex_before = stored_state(world, world.globex)
    # when
    response, body, sent = send(world, path, world.sessions[holding_only(path.needs)])
    # then
    assert response.status_code == path.allowed, (response.status_code, body[:300])
    path.succeeded(world, body, before)
    assert stored_state(world, world.globex) == globex_before
    assert_no_leak(response, body, sent, world.secrets_of_globex())


@pytest.mark.parametrize("path", PATHS, ids=str)
def test_the_desk_group_meant_for_a_path_holds_every_permission_it_needs(path):
    assert set(path.needs) <= set(STAFF_GROUPS[path.desk_group])


def staff_routes() -> set[str]:
    return {
        f"{entry.namespace}:{pattern.name}"
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and entry.namespace in ("staff", "jobs", "webhooks")
        for pattern in entry.url_patterns
    }


def test_the_matrix_covers_every_staff_page_that_writes_or_hands_out_a_file():
    assert {path.route for path in PATHS} | READ_ONLY_PAGES == staff_routes()


def test_the_members_lacking_one_permission_lack_each_staff_permission_there_is():
    assert set(ALL_PERMISSIONS) == set(PERMISSION_WORDS)


# --- this tenant's allowed member, naming the other tenant's order in a form ----------------------------------


def path_named(name: str) -> StaffPath:
    return next(path for path in PATHS if path.name == name)


FOREIGN_TICKED = f"{FOREIGN.order_id}:1"


def test_bulk_status_change_of_the_other_tenants_order_finds_nothing(world, db):
    # given
    path = path_named("bulk status change")
    before = stored_state(world)
    # when
    data = {"action": "transition", "status": "CONFIRMED", "order": FOREIGN_TICKED}
    response, _, sent = send(world, path, allowed_member(world, path), data=data)
    outcome = world.http.get(response["Location"]).content.decode()
    # then
    assert response.status_code == 302
    assert stored_state(world) == before
    assert "0 confirmed, 1 refused." in outcome
    assert "It was not found: deleted since the list was shown, or not an order you may see." in outcome
    assert_no_leak(response, outcome, sent, world.secrets_of_globex())


def test_bulk_csv_of_the_other_tenants_order_has_no_row(world, db):
    # given
    path = path_named("bulk CSV of ticked orders")
    # when
    response, body, sent = send(
        world, path, allowed_member(world, path), data={"action": "export", "order": FOREIGN_TICKED}
    )
    # then
    assert response.status_code == 200
    assert csv_order_ids(body) == []
    assert_no_leak(response, body, sent, world.secrets_of_globex())


def test_bulk_recalculation_of_the_other_tenants_order_finds_nothing(world, db):
    # given
    path = path_named("bulk recalculation job")
    globex_before = stored_state(world, world.globex)
    # when
    response, body, sent = send(world, path, allowed_member(world, path), data={"order": FOREIGN_TICKED})
    # then: a job whose one row says not found, linked to no order
    assert response.status_code == 302
    [job] = new_jobs(world)
    assert job_rows(job) == [(FOREIGN.order_id, JobOrderStatus.FAILURE, None)]
    assert stored_state(world, world.globex) == globex_before
    assert_no_leak(response, body, sent, world.secrets_of_globex())


def test_new_job_naming_the_other_tenants_order_is_refused_before_it_starts(world, db):
    # given
    path = path_named("new job on the jobs page")
    before = stored_state(world)
    # when
    data = {"job_type": "MANUAL", "order_ids": FOREIGN.order_id}
    response, body, sent = send(world, path, allowed_member(world, path), data=data)
    # then
    assert response.status_code == 400
    assert f"1 id of no order of tenant acme: {FOREIGN.order_id}." in body
    assert stored_state(world) == before
    assert_no_leak(response, body, sent, world.secrets_of_globex())
