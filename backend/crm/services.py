"""Writes of the CRM: tags applied by rules (on events and by set-based recompute), tags
added and removed by hand, and their expiry. Every change to a customer's tags writes a
``TagChange`` in the same transaction."""

import tempfile
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from backend.common.exceptions import NotFound, ValidationFailed
from backend.crm import rules, tasks
from backend.crm.choices import EVENT_TRIGGERS, TIME_TRIGGERS, ExportState, TagAction, TagSource
from backend.crm.events import event_facts
from backend.crm.exports import Sink, export_query, header, progress_reporter, write_rows
from backend.crm.models import (
    CustomerTag,
    ExportDownload,
    ExportJob,
    Tag,
    TagChange,
    TagRule,
    export_path,
)
from backend.crm.segments import reachable, segment_customers, validate_definition
from backend.crm.selectors import qualifying_customers

EXPIRE_BATCH = 5_000
EXPORT_LINK_SALT = "crm.export-download"


def tags_for_event(*, trigger: str, object_id: int) -> list[str]:
    """Apply every active rule of ``trigger`` that the event meets; the slugs it tagged.
    Safe to run twice: the second run finds the event's changes already written."""
    if trigger not in EVENT_TRIGGERS:
        raise ValueError(f"Not an event trigger: {trigger}")
    facts = event_facts(trigger, object_id)
    if facts is None:
        return []
    applied = []
    now = timezone.now()
    for rule in TagRule.objects.filter(trigger=trigger, active=True).select_related("tag"):
        if not rules.matches(rule.conditions, facts):
            continue
        expires_at = (
            now + timedelta(days=rule.expires_after_days) if rule.expires_after_days else None
        )
        changed = _tag(
            customer_id=facts["customer_id"],
            tag=rule.tag,
            source=TagSource.RULE,
            rule=rule,
            expires_at=expires_at,
            at=now,
            event_key=f"{trigger}:{object_id}",
            reason=rule.name,
        )
        if changed:
            applied.append(rule.tag.slug)
    return applied


def tag_add(*, customer, tag: Tag, actor, reason: str = "", expires_at=None) -> bool:
    """Staff tag a customer by hand (or extend the expiry of the tag they have)."""
    return _tag(
        customer_id=customer.pk,
        tag=tag,
        source=TagSource.MANUAL,
        actor=actor,
        expires_at=expires_at,
        at=timezone.now(),
        reason=reason,
    )


def tag_remove(*, customer, tag: Tag, actor, reason: str = "") -> None:
    """Staff take a tag off a customer; the removal is kept in the tag's history."""
    with transaction.atomic():
        current = CustomerTag.objects.select_for_update().filter(customer=customer, tag=tag).first()
        if current is None:
            raise NotFound("This customer does not have this tag.", code="customer_tag_not_found")
        current.delete()
        TagChange.objects.create(
            customer_id=customer.pk,
            tag=tag,
            action=TagAction.REMOVED,
            source=TagSource.MANUAL,
            actor=actor,
            reason=reason[:500],
            created_at=timezone.now(),
        )


def _tag(
    *,
    customer_id: int,
    tag: Tag,
    source: str,
    at,
    expires_at=None,
    rule=None,
    actor=None,
    event_key: str = "",
    reason: str = "",
) -> bool:
    """Give the customer ``tag`` (or push its expiry out); False when nothing changed or
    the event was already applied. A tag without an expiry never gains one."""
    try:
        with transaction.atomic():
            current = (
                CustomerTag.objects.select_for_update()
                .filter(customer_id=customer_id, tag=tag)
                .first()
            )
            if current is None:
                action = TagAction.ADDED
                CustomerTag.objects.create(
                    customer_id=customer_id,
                    tag=tag,
                    source=source,
                    rule=rule,
                    applied_at=at,
                    expires_at=expires_at,
                )
            else:
                if current.expires_at is None:
                    return False
                if expires_at is not None and expires_at <= current.expires_at:
                    return False
                action = TagAction.EXTENDED
                current.expires_at = expires_at
                current.save(update_fields=["expires_at"])
            TagChange.objects.create(
                customer_id=customer_id,
                tag=tag,
                action=action,
                source=source,
                rule=rule,
                actor=actor,
                reason=reason[:500],
                event_key=event_key,
                expires_at=expires_at,
                created_at=at,
            )
    except IntegrityError:
        # The same event again (its change exists), or a concurrent first tagging of this
        # customer (the tag exists now): either way the tag is there, once.
        return False
    return True


def tags_expire(*, now=None) -> int:
    """Take off every tag past its expiry, in batches of set-based statements; each batch
    locks its rows first, so a tag extended meanwhile is not taken off."""
    now = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            rows = list(
                CustomerTag.objects.select_for_update(skip_locked=True)
                .filter(expires_at__lte=now)
                .values("id", "customer_id", "tag_id", "rule_id")[:EXPIRE_BATCH]
            )
            if not rows:
                return expired
            TagChange.objects.bulk_create(
                TagChange(
                    customer_id=row["customer_id"],
                    tag_id=row["tag_id"],
                    rule_id=row["rule_id"],
                    action=TagAction.EXPIRED,
                    source=TagSource.RULE,
                    reason="expired",
                    created_at=now,
                )
                for row in rows
            )
            CustomerTag.objects.filter(pk__in=[row["id"] for row in rows]).delete()
            expired += len(rows)


# The recompute's statements. The rule's qualifying customers are written once into a
# temporary table (indexed): an anti-join against an aggregate subquery (lifetime value)
# would otherwise re-run the aggregate for every tagged customer.
_QUALIFYING = "CREATE TEMPORARY TABLE crm_qualifying AS SELECT DISTINCT q.customer_id FROM ("
_MISSING = """FROM crm_qualifying q
WHERE NOT EXISTS (SELECT 1 FROM crm_customertag ct
                  WHERE ct.customer_id = q.customer_id AND ct.tag_id = %s)"""
_STALE = """FROM crm_customertag ct
WHERE ct.tag_id = %s AND ct.source = %s AND ct.rule_id = %s
  AND NOT EXISTS (SELECT 1 FROM crm_qualifying q WHERE q.customer_id = ct.customer_id)"""
_HISTORY = """INSERT INTO crm_tagchange
  (customer_id, tag_id, action, source, rule_id, reason, event_key, created_at) """
_ADD_HISTORY = _HISTORY + "SELECT q.customer_id, %s, %s, %s, %s, %s, '', %s " + _MISSING
_ADD = (
    "INSERT INTO crm_customertag (customer_id, tag_id, source, rule_id, applied_at) "
    "SELECT q.customer_id, %s, %s, %s, %s " + _MISSING + " ON CONFLICT DO NOTHING"
)
_REMOVE_HISTORY = _HISTORY + "SELECT ct.customer_id, ct.tag_id, %s, %s, %s, %s, '', %s " + _STALE
_REMOVE = "DELETE FROM crm_customertag WHERE id IN (SELECT ct.id " + _STALE + ")"  # noqa: S608


def rule_recompute(*, rule: TagRule, now=None) -> tuple[int, int]:
    """Bring a time-based rule's tags up to date for every customer at once: tag those
    who qualify and do not have the tag, untag those it tagged who no longer qualify.
    Set-based statements in one transaction, whatever the number of customers; an inactive
    rule takes off all it gave. Returns (added, removed)."""
    if rule.trigger not in TIME_TRIGGERS:
        raise ValueError(f"Not a time-based trigger: {rule.trigger}")
    now = now or timezone.now()
    today = timezone.localdate(now)
    if rule.active:
        query, qparams = qualifying_customers(rule, today).query.sql_with_params()
    else:
        query, qparams = "SELECT customer_id FROM crm_customertag WHERE 1 = 0", ()
    source, tag, pk = str(TagSource.RECOMPUTE), rule.tag_id, rule.pk
    at = connection.ops.adapt_datetimefield_value(now)  # raw SQL: the column's own format
    reason = rule.name[:500]
    with transaction.atomic(), connection.cursor() as db:
        db.execute("DROP TABLE IF EXISTS crm_qualifying")
        db.execute(_QUALIFYING + query + ") q", qparams)
        db.execute("CREATE INDEX crm_qualifying_customer ON crm_qualifying (customer_id)")
        if connection.vendor == "postgresql":
            db.execute("ANALYZE crm_qualifying")
        db.execute(_ADD_HISTORY, [tag, str(TagAction.ADDED), source, pk, reason, at, tag])
        db.execute(_ADD, [tag, source, pk, at, tag])
        added = db.rowcount
        db.execute(
            _REMOVE_HISTORY,
            [str(TagAction.REMOVED), source, pk, "no longer applies", at, tag, source, pk],
        )
        db.execute(_REMOVE, [tag, source, pk])
        removed = db.rowcount
        db.execute("DROP TABLE crm_qualifying")
    return added, removed


def rules_recompute(*, now=None) -> dict[str, tuple[int, int]]:
    """Every time-based rule, one after the other (each its own transaction)."""
    return {
        rule.name: rule_recompute(rule=rule, now=now)
        for rule in TagRule.objects.filter(trigger__in=TIME_TRIGGERS).order_by("pk")
    }


# --- Exports --------------------------------------------------------------------------------


def export_create(
    *, user, export_format: str, channel: str, segment=None, definition=None
) -> ExportJob:
    """Queue an export of a saved segment (or of a definition as given), recording who
    asked and exactly what was asked; the file is written after commit."""

    definition = validate_definition(
        segment.definition if segment is not None else definition or {}
    )
    job = ExportJob.objects.create(
        segment=segment,
        definition=definition,
        format=export_format,
        channel=channel,
        requested_by=user,
    )
    transaction.on_commit(lambda: tasks.export_run_task.delay(job.pk))
    return job


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the export's file: count, stream the rows into a temporary file (progress
    saved as it goes), store it, and record rows, size and sha256. A job already finished
    is left alone; one interrupted mid-file (the worker died) starts its file over."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state not in (ExportState.QUEUED, ExportState.RUNNING):
            return job
        customers = reachable(segment_customers(job.definition), job.channel)
        total = customers.count()
        if job.state == ExportState.QUEUED:
            job.start(at=now, total_rows=total)
        else:
            job.restart(at=now, total_rows=total)
        job.save()
    try:
        sql, params = export_query(
            definition=job.definition, export_format=job.format, channel=job.channel, now=now
        )
        with tempfile.TemporaryFile() as scratch, progress_reporter(job.pk) as report:
            sink = Sink(scratch, on_progress=report)
            sink.write(header(job.format), 0)
            write_rows(sql, params, sink)
            scratch.seek(0)
            name = f"coverdesk-export-{job.pk}-{job.format}-{now:%Y%m%d-%H%M%S}.csv"
            stored = default_storage.save(export_path(job, name), File(scratch, name=name))
    except Exception as error:
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().get(pk=job_id)
            job.fail(at=timezone.now(), error=f"{type(error).__name__}: {error}")
            job.save()
        raise
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        job.file.name = stored
        job.finish(at=timezone.now(), rows=sink.rows, size=sink.size, sha256=sink.sha.hexdigest())
        job.save()
    return job


def exports_purge(*, now=None) -> int:
    """Delete export files older than CRM_EXPORT_RETENTION_DAYS; the audit record stays."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CRM_EXPORT_RETENTION_DAYS)
    purged = 0
    for job_id in ExportJob.objects.filter(
        state__in=(ExportState.DONE, ExportState.FAILED), created_at__lt=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().get(pk=job_id)
            if job.state not in (ExportState.DONE, ExportState.FAILED):
                continue
            if job.file:  # the file goes once the purge is committed, never before
                storage, name = job.file.storage, job.file.name
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            job.purge(at=now)
            job.save()
            purged += 1
    return purged


def export_download_token(job: ExportJob) -> str:
    return signing.dumps({"export": job.pk}, salt=EXPORT_LINK_SALT)


def export_for_download(*, token: str, job_id: int, user, ip_address=None) -> ExportJob:
    """The export a signed link opens, if the link is genuine, unexpired and for this
    export, and its file is there; the download is recorded."""

    try:
        data = signing.loads(
            token, salt=EXPORT_LINK_SALT, max_age=settings.CRM_EXPORT_LINK_MINUTES * 60
        )
    except signing.SignatureExpired:
        raise ValidationFailed(
            "This download link has expired; open the export again for a new one.",
            code="download_link_expired",
        ) from None
    except signing.BadSignature:
        raise ValidationFailed(
            "This download link is not valid.", code="download_link_invalid"
        ) from None
    if data.get("export") != job_id:
        raise ValidationFailed("This download link is not valid.", code="download_link_invalid")
    job = ExportJob.objects.filter(pk=job_id, state=ExportState.DONE).first()
    if job is None or not job.file:
        raise NotFound(
            "This export has no file (not finished, or deleted).", code="export_not_found"
        )
    ExportDownload.objects.create(job=job, user=user, ip_address=ip_address)
    return job
