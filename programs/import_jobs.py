"""CSV imports as jobs: upload, check (plan), preview, confirm, import, each step small in
the request and big on a worker, with the file kept server-side in between.

A job holds the uploaded bytes in the database (programs.models.ImportJob) so any worker
can read them. A file of up to IMPORT_INLINE_ROWS rows is checked and imported in the
request; a bigger one in Celery tasks, while the page polls a progress bar (the pattern of
matching runs: pairing.matchmaking.runs._dispatch). The importers are pluggable: IMPORTERS maps
a job's kind to how that kind of file is planned, previewed and applied.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from programs import leases
from programs.directory_import import directory_import, directory_import_plan
from programs.importing import Action, participants_import, participants_import_plan
from programs.models import ImportJob, Program

logger = logging.getLogger(__name__)

# Rows of a preview listed one by one, and managers named; the counts cover them all.
PREVIEW_ROWS = 200
PREVIEW_MANAGERS = 50
# How long a job (and so an uploaded file nobody confirmed) is kept.
KEEP_FOR = timedelta(days=1)


class ImportJobError(Exception):
    """The job cannot take that step (e.g. confirmed twice); the message says why."""


@dataclass(frozen=True)
class Importer:
    """How one kind of file is checked and imported.

    plan(program=, text=, actor=, progress=) returns a plan with `errors` (line, message),
    `changes` and `counts()`; apply(program=, text=, actor=, plan=) writes a plan without
    errors in one transaction and returns a result with `counts`; preview(plan) lists the
    rows that change something, as dicts for the preview table.
    """

    plan: Callable
    apply: Callable
    preview: Callable


def _participants_plan(*, program, text, actor, progress):
    return participants_import_plan(program=program, text=text, actor=actor, progress=progress)


def _participants_apply(*, program, text, actor, plan):
    return participants_import(program=program, text=text, actor=actor, plan=plan)


def _participants_preview(plan) -> dict:
    changing = [
        {
            "line": item.row.line,
            "email": item.row.email,
            "name": item.row.name,
            "role": item.row.role,
            "employee": item.employee,
            "participant": item.participant,
        }
        for item in plan.rows
        if item.employee in (Action.CREATE, Action.UPDATE) or item.participant != Action.UNCHANGED
    ]
    differing = [
        {"line": item.row.line, "email": item.row.email, "differences": list(item.differences)}
        for item in plan.employees_differing
    ]
    return {
        "rows": changing[:PREVIEW_ROWS],
        "more": max(0, len(changing) - PREVIEW_ROWS),
        "managers": plan.managers_to_create[:PREVIEW_MANAGERS],
        "differing": differing[:PREVIEW_ROWS],
        "differing_more": max(0, len(differing) - PREVIEW_ROWS),
    }


def _directory_plan(*, program, text, actor, progress):
    return directory_import_plan(text=text, progress=progress)


def _directory_apply(*, program, text, actor, plan):
    return directory_import(text=text, actor=actor, plan=plan)


def _directory_preview(plan) -> dict:
    changing = [
        {
            "line": item.row.line,
            "email": item.row.email,
            "name": item.row.name,
            "change": item.change,
            "differences": list(item.differences),
            "leaves": item.leaves,
            "returns": item.returns,
        }
        for item in plan.changing
    ]
    return {
        "rows": changing[:PREVIEW_ROWS],
        "more": max(0, len(changing) - PREVIEW_ROWS),
        "managers": plan.managers_to_create[:PREVIEW_MANAGERS],
    }


IMPORTERS: dict[str, Importer] = {
    ImportJob.Kind.PARTICIPANTS: Importer(
        plan=_participants_plan, apply=_participants_apply, preview=_participants_preview
    ),
    ImportJob.Kind.DIRECTORY: Importer(
        plan=_directory_plan, apply=_directory_apply, preview=_directory_preview
    ),
}


def _rows_in(content: bytes) -> int:
    """The file's data rows, estimated by its lines (a quoted field may span two): enough
    to choose between the request and a worker, and to start the progress bar."""
    lines = content.count(b"\n") + (not content.endswith(b"\n") and bool(content))
    return max(0, lines - 1)


def _inline(job: ImportJob) -> bool:
    return job.total <= settings.IMPORT_INLINE_ROWS


def import_job_create(
    *, kind: str, program: Program | None, actor, filename: str, content: bytes
) -> ImportJob:
    """Keep an uploaded file and check it: in the request when small, else on a worker."""
    job = ImportJob.objects.create(
        kind=kind,
        program=program,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        filename=filename[:255],
        content=content,
        total=_rows_in(content),
    )
    if _inline(job):
        import_job_check(job.pk)
    else:
        from programs import tasks  # at call time: programs.tasks imports this module

        tasks.check_import.delay_on_commit(job.pk)
    return job


def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Queue a previewed job for import (once: a second confirm is refused)."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
        status=ImportJob.Status.QUEUED, done=0
    )
    if claimed != 1:
        raise ImportJobError("This import is not waiting for a confirmation any more.")
    job.refresh_from_db(fields=["status", "done"])
    if _inline(job):
        import_job_run(job.pk)
    else:
        from programs import tasks

        tasks.run_import.delay_on_commit(job.pk)
    return job


def _reporter(job_id: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=done)

    return report


def _plan(job: ImportJob):
    """The job's plan, or None after recording why it could not be made."""
    importer = IMPORTERS[job.kind]
    try:
        return importer.plan(
            program=job.program,
            text=bytes(job.content),
            actor=job.actor,
            progress=_reporter(job.pk),
        )
    except Exception:  # noqa: BLE001 - any failure must reach the HR page, not vanish
        logger.exception("import job %s: the check failed", job.pk)
        _finish(job.pk, ImportJob.Status.FAILED, failure="The file could not be checked.")
        return None


def _finish(job_id: int, status: str, **fields) -> None:
    """End a job, emptying its file: nothing is kept once it is imported or refused."""
    ImportJob.objects.filter(pk=job_id).update(
        status=status, content=b"", finished_at=timezone.now(), **fields
    )


def _errors(plan) -> list[list]:
    return [[error.line, error.message] for error in plan.errors]


def import_job_check(job_id: int) -> None:
    """Plan a job's file: previewed with its counts, or failed with every line error."""
    job = (
        ImportJob.objects.select_related("program", "actor")
        .filter(pk=job_id, status=ImportJob.Status.CHECKING)
        .first()
    )
    if job is None:
        return  # checked already (a task delivered twice), or purged
    plan = _plan(job)
    if plan is None:
        return
    if plan.errors:
        _finish(job_id, ImportJob.Status.FAILED, errors=_errors(plan))
        return
    rows = len(plan.rows)
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CHECKING).update(
        status=ImportJob.Status.PREVIEWED,
        counts={**plan.counts(), "changes": plan.changes},
        preview=IMPORTERS[job.kind].preview(plan),
        total=rows,
        done=rows,
    )


def import_job_run(job_id: int) -> None:
    """Import a confirmed job: check the file again (the database may have moved since the
    preview), then write it all in one transaction, or nothing.

    Claims the job with a conditional update, so a task delivered twice imports once; the
    claim is a lease (programs.leases), so the task redelivered after its worker died (the
    one transaction rolled back) imports it again.
    """
    claimable = leases.claimable(queued=ImportJob.Status.QUEUED, running=ImportJob.Status.RUNNING)
    claimed = ImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportJob.Status.RUNNING, done=0, claimed_at=timezone.now()
    )
    if claimed != 1:
        return
    job = ImportJob.objects.select_related("program", "actor").get(pk=job_id)
    plan = _plan(job)
    if plan is None:
        return
    if plan.errors:
        _finish(job_id, ImportJob.Status.FAILED, errors=_errors(plan))
        return
    # Every row is checked: the bar stands full while the one transaction writes.
    rows = len(plan.rows)
    ImportJob.objects.filter(pk=job_id).update(done=rows, total=rows)
    try:
        result = IMPORTERS[job.kind].apply(
            program=job.program, text=bytes(job.content), actor=job.actor, plan=plan
        )
    except Exception:  # noqa: BLE001 - any failure must reach the HR page, not vanish
        logger.exception("import job %s: the import failed", job_id)
        _finish(
            job_id,
            ImportJob.Status.FAILED,
            failure="The database refused the import, so nothing was imported. If someone "
            "changed the same people meanwhile, upload the file again.",
        )
        return
    _finish(job_id, ImportJob.Status.DONE, counts={**result.counts, "changes": result.changes})


def import_jobs_purge(*, now=None) -> int:
    """Delete the jobs older than KEEP_FOR, with any file still in them; returns how many."""
    now = now or timezone.now()
    deleted, _ = ImportJob.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted
