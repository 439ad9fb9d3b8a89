from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who asks for an operation: an API client or a staff user, with what they may do."""

    label: str
    may_change_completed: bool = False
    # When set, the actor sees and changes only orders holding an entry of this vendor.
    vendor_id: str = ""

    @classmethod
    def system(cls) -> "Actor":
        return cls(label="system", may_change_completed=True)
