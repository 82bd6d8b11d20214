"""Periodic work of the catalog; thin wrappers around services."""

from celery import shared_task

from . import services


@shared_task
def complete_due_registrations() -> int:
    """Close public notices that have ended with no objection pending."""
    return services.registration_complete_due()


@shared_task
def follow_peer_feeds() -> dict:
    """Follow every trusted peer's feed, expire lapsed peer certificates, retry pending recognition notices."""
    results = services.peers_follow_all()
    notified = services.recognitions_notify_pending()
    return {
        "peers": {r.peer: {"applied": r.applied, "cursor": r.cursor, "error": r.error} for r in results},
        "recognitions_notified": notified,
    }


@shared_task(bind=True, max_retries=6)
def notify_recognition(self, recognition_id: int) -> bool:
    """Tell a peer we list its registration; transient failures retry with back-off (the periodic task also retries)."""
    from .models import Recognition

    recognition = Recognition.objects.filter(pk=recognition_id).first()
    if recognition is None:
        return False
    recognition, retry = services.recognition_notify(recognition=recognition)
    if retry and not self.request.is_eager:
        raise self.retry(countdown=60 * 2**self.request.retries)
    return recognition.notified_at is not None
