"""Reads about people and organisations."""

from .models import Membership, Organization, User


def organizations_of(user: User):
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)


def is_member(user: User, organization: Organization) -> bool:
    return user.is_authenticated and Membership.objects.filter(user=user, organization=organization).exists()


def is_owner(user: User, organization: Organization) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organization=organization, role=Membership.Role.OWNER).exists()
    )


def verification_queue():
    return Organization.objects.filter(status=Organization.Status.SUBMITTED).order_by("created_at")


def notifications_for(user: User):
    """Notifications addressed to the person or to any organisation the person belongs to, newest first."""
    from django.db.models import Q

    from .models import Notification

    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        Q(recipient_user=user) | Q(recipient_organization__memberships__user=user)
    ).order_by("-created_at", "-pk")


def unread_notification_count(user: User) -> int:
    return notifications_for(user).filter(read_at=None).count()
