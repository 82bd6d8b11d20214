"""The append-only, hash-chained audit trail (DESIGN §3.6)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import context
from .models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64
SYSTEM_LABEL = "system"


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def canonical(entry_fields: dict) -> bytes:
    """The canonical encoding an entry's hash is computed over."""
    return json.dumps(entry_fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    fields = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "actor_organization_id": entry.actor_organization_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonical(fields)).hexdigest()


def diff(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value changed."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if _plain(before.get(key)) != _plain(after.get(key))
    }


@transaction.atomic
def audit_record(
    *, action: str, obj, actor=None, organization=None, changes: dict | None = None, reason: str = ""
) -> AuditEntry:
    """Append one entry to the chain, under a lock on the chain head."""
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    ctx = context.current()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor=actor,
        actor_label=actor.get_username() if actor else (ctx.label if ctx and ctx.label else SYSTEM_LABEL),
        actor_organization=organization,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=_plain(changes or {}),
        reason=reason,
        request_id=ctx.request_id if ctx else "",
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    entry.save()
    head.last_seq = entry.seq
    head.last_hash = entry.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass
class ChainBreak:
    seq: int
    problem: str


def audit_verify_chain() -> ChainBreak | None:
    """Walk the whole chain; return the first broken entry, or None when intact."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainBreak(expected_seq, f"entry #{expected_seq} is missing (found #{entry.seq} next)")
        if entry.prev_hash != previous_hash:
            return ChainBreak(entry.seq, f"entry #{entry.seq} does not follow the entry before it")
        if entry_hash(entry) != entry.hash:
            return ChainBreak(entry.seq, f"entry #{entry.seq} was altered (its hash does not match its content)")
        previous_hash = entry.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_seq != expected_seq - 1:
        return ChainBreak(expected_seq, f"the chain ends at #{expected_seq - 1} but its head records #{head.last_seq}")
    return None
