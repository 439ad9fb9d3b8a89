"""The one error the pricing engine raises."""


class PricingError(ValueError):
    """The order cannot be priced as it stands.

    `field` is the dotted path of the input to fix (`entries[0].calculatedUnitPrice.taxRate`), when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
