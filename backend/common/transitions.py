"""One way to change an object's state, shared by contracts and claims.

A transition service locks the row, asks the model whether the transition may proceed,
applies it (the model's method only sets fields), saves, writes the audit row (who, when,
why) and publishes the domain event, all in the caller's transaction: the event exists
exactly when the change does (``backend.events``). ``apply_many`` is the same for a batch
of locked rows, written set-based.
"""

from collections.abc import Iterable

from django.db import models
from django.utils import timezone
from django_fsm import can_proceed

from backend.common.actors import Actor, AuditEvent
from backend.common.exceptions import Conflict
from backend.events.services import publish, publish_many


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


class Transitions:
    """The transitions of one model with a ``state`` field and an audit trail.

    ``aggregate`` names both the audit row's key to the object (``contract``) and the
    events' aggregate. ``refusal`` is the (lazily translated) message of a refused
    transition, formatted with the object's ``number``, its ``state`` and the ``action``.
    """

    def __init__(
        self,
        model: type[models.Model],
        audit: type[AuditEvent],
        aggregate: str,
        *,
        refusal,
        related: tuple[str, ...] = (),
    ) -> None:
        self.model = model
        self.audit = audit
        self.aggregate = aggregate
        self.refusal = refusal
        self.related = related

    def lock(self, pk: int):
        """The row, locked until the caller's transaction ends (DoesNotExist if gone)."""
        queryset = self.model.objects.select_for_update()
        if self.related:
            queryset = queryset.select_related(*self.related)
        return queryset.get(pk=pk)

    def record(
        self, instance, name: str, before: str, actor: Actor, reason: str = "", data=None
    ) -> AuditEvent:
        entry = self.audit.of(
            actor,
            name=name,
            from_state=before,
            to_state=instance.state,
            reason=reason,
            data=data,
            **{self.aggregate: instance},
        )
        entry.save()
        return entry

    def refuse(self, instance, action: str) -> InvalidTransition:
        return InvalidTransition(
            self.refusal
            % {
                "number": instance.number,
                "state": instance.get_state_display().lower(),
                "action": action,
            },
            extra={"state": instance.state},
        )

    def publish(self, instance, event: str, payload: dict | None = None) -> None:
        publish(event, aggregate=self.aggregate, aggregate_id=instance.pk, payload=payload)

    def apply(
        self,
        instance,
        name: str,
        *,
        actor: Actor,
        reason: str = "",
        data: dict | None = None,
        event: str | None = None,
        payload: dict | None = None,
        **params,
    ) -> bool:
        """Run transition ``name`` on a locked ``instance`` with ``params``, save it, audit
        it and publish ``event``. False (and nothing written) if it may not proceed."""
        method = getattr(instance, name)
        if not can_proceed(method):
            return False
        before = instance.state
        method(**params)
        instance.save()
        self.record(instance, name, before, actor, reason, data)
        if event:
            self.publish(instance, event, payload)
        return True

    def apply_many(
        self,
        instances: Iterable,
        name: str,
        *,
        actor: Actor,
        fields: tuple[str, ...],
        reason: str = "",
        event: str | None = None,
        **params,
    ) -> list:
        """``apply`` for many locked rows: the same transition, audit rows and events,
        written with one UPDATE and one INSERT each. ``fields`` are those the transition
        sets (``state`` and ``updated_at`` are added). Returns the rows it changed."""
        changed, befores = [], []
        now = timezone.now()
        for instance in instances:
            method = getattr(instance, name)
            if not can_proceed(method):
                continue
            befores.append(instance.state)
            method(**params)
            instance.updated_at = now
            changed.append(instance)
        if not changed:
            return []
        self.model.objects.bulk_update(changed, ["state", "updated_at", *fields])
        self.audit.objects.bulk_create(
            self.audit.of(
                actor,
                name=name,
                from_state=before,
                to_state=instance.state,
                reason=reason,
                **{self.aggregate: instance},
            )
            for instance, before in zip(changed, befores, strict=True)
        )
        if event:
            publish_many(event, aggregate=self.aggregate, ids=[i.pk for i in changed])
        return changed
