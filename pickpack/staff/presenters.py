"""How jobs and their orders read on the staff pages: in the words of an order desk, not of the API."""

from dataclasses import dataclass

from ..models import FailureReason, JobStatus, JobType, RecalculationJob, RecalculationJobOrder

# A row's reason, said to staff; the API keeps the row's message (the spec's words, scopes and all).
STAFF_MESSAGES = {
    FailureReason.NOT_FOUND: "No such order in this tenant (an unknown id, or the order was deleted since).",
    FailureReason.COMPLETED: "Completed orders are final: recalculation skipped.",
    FailureReason.INTERNAL: "Not recalculated because of an error on our side; the worker's log has the details.",
    FailureReason.CANCELLED: "Not recalculated: the job was cancelled first.",
}


@dataclass(frozen=True)
class JobProgress:
    pending: int = 0
    success: int = 0
    failure: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.success + self.failure

    @property
    def done(self) -> int:
        return self.success + self.failure

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


def staff_message(row: RecalculationJobOrder) -> str:
    return STAFF_MESSAGES.get(row.reason, row.message)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def job_outcome(job: RecalculationJob, progress: JobProgress) -> str:
    """One line saying where the job stands, e.g. "Finished with 18 failures of 121 orders"."""
    if job.job_status == JobStatus.IN_PROGRESS:
        if job.requested_order_ids is not None:
            return f"Looking up the {plural(len(job.requested_order_ids), 'requested order')}…"
        if not job.orders_selected:
            return "Selecting the orders with new packing events…"
        return f"Running: {progress.done:,} of {plural(progress.total, 'order')} done"
    if job.cancelled_at is not None:
        recalculated = f"{progress.success:,} of {plural(progress.total, 'order')} recalculated"
        return f"Cancelled by {job.cancelled_by or 'someone'}: {recalculated}"
    if not progress.total and job.job_type == JobType.AUTOMATIC:
        return "Nothing to recalculate: no order has packing events newer than its last recalculation"
    if progress.failure:
        return f"Finished with {plural(progress.failure, 'failure')} of {plural(progress.total, 'order')}"
    return f"Finished: {plural(progress.total, 'order')} recalculated"


def short_outcome(job: RecalculationJob, progress: JobProgress) -> str:
    """The job's status in a table cell."""
    if job.job_status == JobStatus.IN_PROGRESS:
        if job.requested_order_ids is not None:
            return "Looking up orders"
        return "Selecting orders" if not job.orders_selected else "Running"
    if job.cancelled_at is not None:
        return "Cancelled"
    if progress.failure:
        return f"{plural(progress.failure, 'failure')} of {progress.total:,}"
    return "Nothing to do" if not progress.total else "Succeeded"
