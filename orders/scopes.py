"""OAuth2 scopes: Emporix's names, the sets each kind of operation accepts, and the token-server backend."""

from oauth2_provider.scopes import BaseScopes

ORDER_READ = "order.order_read"
ORDER_CREATE = "order.order_create"
ORDER_UPDATE = "order.order_update"
ORDER_UPDATE_COMPLETED = "order.order_update_completed"
ORDER_DELETE = "order.order_delete"
ORDER_READ_BY_VENDOR = "order.order_read_by_vendor"
ORDER_MANAGE_BY_VENDOR = "order.order_manage_by_vendor"
PICKPACK_VIEW = "pickpack.pickpack_view"
PICKPACK_MANAGE = "pickpack.pickpack_manage"

ALL_SCOPES = {
    ORDER_READ: "Read orders.",
    ORDER_CREATE: "Create orders.",
    ORDER_UPDATE: "Update orders.",
    ORDER_UPDATE_COMPLETED: "Update orders in status COMPLETED.",
    ORDER_DELETE: "Delete orders.",
    ORDER_READ_BY_VENDOR: "Read the orders holding the client's vendor.",
    ORDER_MANAGE_BY_VENDOR: "Read and update the orders holding the client's vendor.",
    PICKPACK_VIEW: "Read packing events and recalculation jobs.",
    PICKPACK_MANAGE: "Post packing events and start recalculation jobs.",
}
VENDOR_SCOPES = frozenset({ORDER_READ_BY_VENDOR, ORDER_MANAGE_BY_VENDOR})

# What each kind of operation accepts: any one of the set (the spec's `security` lists).
READ_ORDERS = frozenset({ORDER_READ, ORDER_READ_BY_VENDOR, ORDER_MANAGE_BY_VENDOR})
CREATE_ORDERS = frozenset({ORDER_CREATE})
UPDATE_ORDERS = frozenset({ORDER_UPDATE, ORDER_UPDATE_COMPLETED, ORDER_MANAGE_BY_VENDOR})
DELETE_ORDERS = frozenset({ORDER_DELETE})
READ_TRANSITIONS = READ_ORDERS | {ORDER_UPDATE, ORDER_UPDATE_COMPLETED}
READ_HISTORY = READ_ORDERS | {ORDER_UPDATE}
RECALCULATE_ORDERS = frozenset({ORDER_UPDATE, ORDER_UPDATE_COMPLETED})
SPLIT_ORDERS = frozenset({ORDER_UPDATE})
CHANGE_ENTRIES = frozenset({ORDER_UPDATE, ORDER_MANAGE_BY_VENDOR})
VIEW_PICKPACK = frozenset({PICKPACK_VIEW})
MANAGE_PICKPACK = frozenset({PICKPACK_MANAGE})


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [scope for scope in scopes if scope not in ALL_SCOPES]


class ApiClientScopes(BaseScopes):
    """A client may ask for the scopes granted to it; by default it gets all of them."""

    def get_all_scopes(self):
        return ALL_SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = getattr(application, "api_client", None)
        return client.scope_list if client else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)
