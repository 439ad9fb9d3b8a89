from rest_framework.permissions import BasePermission

from orders.errors import PermissionDenied

from .auth import ApiPrincipal


def required_scopes(view, method: str) -> frozenset[str] | None:
    """The scopes an operation accepts, one of which the token must carry; None where the view has no such
    operation. HEAD is a GET without its body (Django serves it with `get`), so it needs what GET needs; a method
    the view serves without declaring its scopes accepts no scope at all."""
    declared = view.required_scopes
    if method == "HEAD" and method not in declared:
        method = "GET"
    if method in declared:
        return declared[method]
    serves_it = method != "OPTIONS" and hasattr(view, method.lower())
    return frozenset() if serves_it else None


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
        accepted = required_scopes(view, request.method)
        if accepted is None:
            return True  # not an operation of this resource: the view answers 405 (or OPTIONS)
        if not principal.scopes & accepted:
            raise PermissionDenied(
                "Given request does not have required scopes. It needs one of: " + ", ".join(sorted(accepted)) + "."
            )
        return True
