from rest_framework.permissions import BasePermission

from orders.errors import PermissionDenied

from .auth import ApiPrincipal


class HasTenantScope(BasePermission):
    """The token belongs to the tenant in the path and carries one of the scopes the operation accepts.

    Views declare `required_scopes = {"GET": scopes.READ_ORDERS, …}`.
    """

    def has_permission(self, request, view):
        principal = request.user
        if not isinstance(principal, ApiPrincipal):
            return False  # DRF answers 401: no credentials were given
        if principal.tenant_name != view.kwargs.get("tenant"):
            raise PermissionDenied("The access token is not valid for this tenant.")
        accepted = view.required_scopes.get(request.method)
        if accepted is None:
            return True  # not an operation of this resource: the view answers 405 (or OPTIONS)
        if not principal.scopes & accepted:
            raise PermissionDenied(
                "Given request does not have required scopes. It needs one of: " + ", ".join(sorted(accepted)) + "."
            )
        return True
