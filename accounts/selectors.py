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
