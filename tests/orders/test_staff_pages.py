"""Staff login, the home redirect, the tenant switcher, the dashboard and the order desk's groups."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from orders.staff.access import MANAGE_JOBS, STAFF_GROUPS, VIEW_ORDERS, ensure_staff_groups

from ..staff import PASSWORD, assert_inert, assert_login_redirect, permission

# --- login and home ---------------------------------------------------------------------------------------------


def test_login_page_renders_with_csrf(client, db):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content


def test_login_with_the_form_lands_on_the_dashboard(db, tenant):
    # given
    user = get_user_model().objects.create_user("clerk", "", PASSWORD)
    tenant.members.add(user)
    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/accounts/login/").cookies["csrftoken"].value
    # when
    response = browser.post(
        "/accounts/login/", {"username": "clerk", "password": PASSWORD, "csrfmiddlewaretoken": token}, follow=True
    )
    # then
    assert response.redirect_chain[-1][0] == "/staff/acme/"


def test_home_sends_anonymous_users_to_login(client, db):
    assert_login_redirect(client.get("/"))


def test_home_sends_a_member_to_their_tenants_dashboard(viewer):
    response = viewer.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/acme/"


def test_home_without_tenant_explains(client, db):
    user = get_user_model().objects.create_user("loner", "", "pw-loner-1")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert b"not a member of any tenant" in response.content


# --- tenant switcher --------------------------------------------------------------------------------------------


def test_tenant_switcher_shows_for_members_of_several_tenants(viewer, tenant, other_tenant):
    # given
    other_tenant.members.add(get_user_model().objects.get(username="viewer"))
    # when
    page = viewer.get("/staff/acme/orders/")
    # then
    html = page.content.decode()
    assert 'id="tenant-switch"' in html
    assert '<option value="globex">globex</option>' in html


def test_tenant_switch_lands_on_the_same_section(viewer, other_tenant):
    other_tenant.members.add(get_user_model().objects.get(username="viewer"))
    response = viewer.get("/staff/", {"tenant": "globex", "section": "staff:order_list"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/globex/orders/"


def test_tenant_switch_ignores_unknown_sections(viewer):
    response = viewer.get("/staff/", {"tenant": "acme", "section": "https://evil.example/"})
    assert response["Location"] == "/staff/acme/"


def test_tenant_switch_to_a_tenant_of_others_is_404(viewer, other_tenant):
    assert viewer.get("/staff/", {"tenant": "globex"}).status_code == 404


def test_tenant_switch_needs_login(client, db):
    assert_login_redirect(client.get("/staff/", {"tenant": "acme"}))


# --- dashboard --------------------------------------------------------------------------------------------------


def test_dashboard_counts_orders_by_status_and_escapes_text(viewer, hostile_order):
    page = viewer.get("/staff/acme/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Created</span> <strong>1</strong>" in html
    assert_inert(html)


def test_dashboard_draws_orders_per_day(viewer, order):
    html = viewer.get("/staff/acme/").content.decode()
    assert "<svg" in html
    assert "1 orders in the last 30 days" in html


def test_dashboard_of_another_tenant_is_404(viewer, other_tenant):
    assert viewer.get("/staff/globex/").status_code == 404
    assert viewer.get("/staff/nosuch/").status_code == 404


def test_dashboard_needs_login(client, tenant):
    assert_login_redirect(client.get("/staff/acme/"))


def test_dashboard_needs_the_view_permission(staff_client):
    assert staff_client().get("/staff/acme/").status_code == 403


def test_dashboard_links_jobs_only_for_who_may_see_them(viewer, staff_client):
    assert b"/staff/acme/jobs/" not in viewer.get("/staff/acme/").content
    job_viewer = staff_client(VIEW_ORDERS, "pickpack.view_recalculationjob")
    assert b"/staff/acme/recent-jobs/" in job_viewer.get("/staff/acme/").content


def test_a_superuser_sees_every_tenant(client, tenant, other_tenant):
    admin = get_user_model().objects.create_superuser("root", "", PASSWORD)
    client.force_login(admin)
    assert client.get("/staff/globex/").status_code == 200


# --- groups -----------------------------------------------------------------------------------------------------


def test_staff_groups_hold_their_permissions(db):
    # given
    permission(MANAGE_JOBS)
    # when
    missing = ensure_staff_groups()
    ensure_staff_groups()  # idempotent
    # then
    assert missing == []
    granted = {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.filter(name__in=STAFF_GROUPS)
    }
    assert granted == {name: sorted(names) for name, names in STAFF_GROUPS.items()}


def test_a_member_of_the_managers_group_may_manage_orders(db, tenant, order):
    # given
    ensure_staff_groups()
    user = get_user_model().objects.create_user("desk", "", PASSWORD)
    tenant.members.add(user)
    user.groups.add(Group.objects.get(name="Order desk: managers"))
    client = Client()
    client.force_login(user)
    # when
    response = client.post(f"/staff/acme/orders/{order.order_id}/", {"action": "transition", "status": "CONFIRMED"})
    # then
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "CONFIRMED"
