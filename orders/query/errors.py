"""The errors of the q, sort and fields parameters, in the shape the API reports them."""

from orders.errors import ErrorDetail, ValidationFailed

INVALID_PARAMETER = "invalid_query_parameter"


def invalid_parameter(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        f"Invalid query parameter {name}: {message}.", [ErrorDetail(name, message, INVALID_PARAMETER)]
    )


def invalid_query(message: str) -> ValidationFailed:
    return invalid_parameter("q", message)


def invalid_sort(message: str) -> ValidationFailed:
    return invalid_parameter("sort", message)
