"""The staff pages of pick-pack: recalculation jobs and packing events."""
