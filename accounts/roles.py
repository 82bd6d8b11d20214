"""Staff roles are groups of permissions; they are kept present after every migrate and flush."""

STAFF_ROLES = {
    "operator": ["operate_exchange", "review_product"],
    "price_authority": ["set_guided_prices"],
}


def ensure_staff_roles(**kwargs) -> None:
    """post_migrate handler: create the role groups with their permissions if missing.

    The migration 0002_staff_roles creates them once; test flushes (live-server and
    transactional tests) empty the tables, and this puts them back.
    """
    from django.contrib.auth.models import Group, Permission

    for name, codenames in STAFF_ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(codename__in=codenames)
        if group.permissions.count() != permissions.count():
            group.permissions.set(permissions)
