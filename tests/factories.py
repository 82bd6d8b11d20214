"""Factories for the objects tests need; every product factory goes through the services."""

import io

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Membership, Organization, User
from accounts.uscc import ALPHABET, check_character
from catalog import services

_uscc_counter = iter(range(10**6))


def make_uscc() -> str:
    """A fresh valid Unified Social Credit Code."""
    n = next(_uscc_counter)
    digits = ""
    while len(digits) < 8:
        digits = ALPHABET[n % 31] + digits
        n //= 31
    body = "91310000" + digits + "X"
    return body + check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))
        self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"示例数据科技有限公司{n}")
    uscc = factory.LazyFunction(make_uscc)
    is_merchant = True
    is_buyer = True
    status = Organization.Status.VERIFIED


def member(org: Organization, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
    return user


def operator() -> User:
    return UserFactory(roles=["operator"])


def png_bytes(size=(64, 48), color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def png_upload(name="cover.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


VALID_ID_CARD = "11010519491231002X"
SAMPLE_CSV = (
    "企业名称,统一社会信用代码,经营状态\n示例科技有限公司,91350100M000100Y43,存续\n另一家公司,91310000MA1FL0000N,注销\n"
)
SAMPLE_CSV_WITH_ID = "姓名,身份证号,城市\n张三," + VALID_ID_CARD + ",北京\n"


def csv_upload(text: str = SAMPLE_CSV, name="sample.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def complete_data(**overrides) -> dict:
    data = {
        "name": "企业经营异常核验",
        "summary": "核验企业是否列入经营异常名录",
        "description": "基于市场监管公共数据，提供企业经营异常状态的实时核验服务。",
        "section": "L",
        "data_source_type": "enterprise",
        "classification": "general",
        "update_frequency": "daily",
        "coverage_region": "全国",
        "allowed_purposes": ["risk_control"],
        "application_scenario": "银行对公开户前核验企业经营状态",
        "rights": ["processing_use", "product_operation"],
    }
    data.update(overrides)
    return data


def draft_product(
    org: Organization, actor: User, *, sample: str = SAMPLE_CSV, delivery_modes=("api", "verification"), **overrides
):
    """A complete draft ready to submit."""
    return services.product_save_draft(
        org=org,
        actor=actor,
        data=complete_data(**overrides),
        delivery_modes=list(delivery_modes),
        sample_file=csv_upload(sample),
        cover_image=png_upload(),
        sign_commitment=True,
    )


def submitted_product(org=None, actor=None, **overrides):
    org = org or OrganizationFactory()
    actor = actor or member(org)
    product = draft_product(org, actor, **overrides)
    return services.product_submit(product=product, actor=actor)


def approve_product(product, reviewer=None):
    """An operator takes ``product`` into review and approves it: its public notice (公示) opens."""
    reviewer = reviewer or operator()
    services.registration_start_review(product=product, actor=reviewer)
    return services.registration_approve(product=product, actor=reviewer)


def complete_product(product):
    """End ``product``'s notice now and complete it: registered and listed."""
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import Product

    Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    return services.registration_complete(product=product)


def noticed_product(org=None, actor=None, **overrides):
    """A submitted product an operator approved: under public notice."""
    return approve_product(submitted_product(org, actor, **overrides))


def listed_product(org=None, actor=None, **overrides):
    """A product whose notice ended with no objection: registered and listed."""
    return complete_product(noticed_product(org, actor, **overrides))
