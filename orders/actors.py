from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who asks for an operation: an API client, a staff user, a job or the system, with what they may do."""

    label: str
    may_change_completed: bool = False
    # When set, the actor sees and changes only orders holding an entry of this vendor.
    vendor_id: str = ""
    # Who it is in the audit trail: "client", "user", "job" or "system", an id, and a name a person reads.
    kind: str = "system"
    id: str = ""
    name: str = ""

    @classmethod
    def system(cls) -> "Actor":
        return cls(label="system", may_change_completed=True)

    def as_audit(self) -> dict:
        """The actor as a change record names it: {"type", "id", "name"}."""
        return {"type": self.kind, "id": self.id or self.label, "name": self.name or self.id or self.label}
