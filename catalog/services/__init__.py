"""Writes for registrations and listings. Views, tasks and the API call these only."""

from .lifecycle import (
    listing_delist,
    listing_pause,
    listing_resume,
    registration_cancel,
    registration_reinstate,
    registration_suspend,
)
from .negative_list import negative_term_add, negative_term_remove
from .objections import objection_dismiss, objection_file, objection_investigate, objection_uphold
from .registration import code_allocate, product_save_draft, product_submit
from .review import (
    registration_approve,
    registration_complete,
    registration_complete_due,
    registration_reject,
    registration_request_changes,
    registration_start_review,
)

__all__ = [
    "code_allocate",
    "listing_delist",
    "listing_pause",
    "listing_resume",
    "negative_term_add",
    "negative_term_remove",
    "objection_dismiss",
    "objection_file",
    "objection_investigate",
    "objection_uphold",
    "product_save_draft",
    "product_submit",
    "registration_approve",
    "registration_cancel",
    "registration_complete",
    "registration_complete_due",
    "registration_reinstate",
    "registration_reject",
    "registration_request_changes",
    "registration_start_review",
    "registration_suspend",
]

# Certificates, peers and mutual recognition (interop-v1).
from .certificates import (  # noqa: E402
    certificate_issue,
    certificate_record_status,
    certificate_reissue,
    feed_append,
    signing_key_rotate,
    signing_key_sync,
)
from .peers import (  # noqa: E402
    peer_add,
    peer_certificates_expire,
    peer_follow,
    peer_refresh_keys,
    peer_reset_cursor,
    peer_trust,
    peer_untrust,
    peers_follow_all,
)
from .recognition import (  # noqa: E402
    listing_approve,
    listing_reject,
    recognition_create,
    recognition_notify,
    recognition_record,
    recognitions_notify_pending,
)

__all__ += [
    "certificate_issue",
    "certificate_record_status",
    "certificate_reissue",
    "feed_append",
    "listing_approve",
    "listing_reject",
    "peer_add",
    "peer_certificates_expire",
    "peer_follow",
    "peer_refresh_keys",
    "peer_reset_cursor",
    "peer_trust",
    "peer_untrust",
    "peers_follow_all",
    "recognition_create",
    "recognition_notify",
    "recognition_record",
    "recognitions_notify_pending",
    "signing_key_rotate",
    "signing_key_sync",
]
