"""Domain errors. The API turns each into Emporix's error JSON; staff views into a message."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorDetail:
    field: str
    message: str
    type: str = "invalid_field"

    def as_dict(self) -> dict:
        return {"field": self.field, "type": self.type, "message": self.message}


class DomainError(Exception):
    status = 400
    type = "validation_violation"

    def __init__(self, message: str, details: list[ErrorDetail] | tuple = ()):
        super().__init__(message)
        self.message = message
        self.details = list(details)


class ValidationFailed(DomainError):
    pass


class PermissionDenied(DomainError):
    status = 403
    type = "insufficient_permissions"


class NotFound(DomainError):
    status = 404
    type = "element_resource_non_existing"


class Conflict(DomainError):
    status = 409
    type = "conflict_resource"
