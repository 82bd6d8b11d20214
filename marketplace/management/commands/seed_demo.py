"""Load the demo exchange (in Chinese) through the services: ``manage.py seed_demo``.

Idempotent: when the demo exchange is already there it says so and changes
nothing. Every state is reached through the services, the way people reach it
in the browser; the only shortcut is the clock: a registration meant to be
registered has its public notice moved into the past before the periodic
completion (``registration_complete``) runs, as it would after
REGISTRATION_NOTICE_DAYS. The content is in ``marketplace/demo_data.py``.
"""

import io
import random
import time
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts import services as accounts_services
from accounts.models import Organization, User
from accounts.uscc import check_character
from catalog import services
from catalog.models import Listing, Product
from marketplace import demo_data

# Cover colours by industry section (GB/T 4754 门类).
SECTION_COLOURS = {
    "A": (46, 125, 50),
    "B": (109, 76, 65),
    "C": (69, 90, 100),
    "D": (245, 124, 0),
    "E": (121, 85, 72),
    "F": (216, 67, 21),
    "G": (21, 101, 192),
    "H": (194, 24, 91),
    "I": (63, 81, 181),
    "J": (0, 105, 92),
    "K": (93, 64, 55),
    "L": (40, 53, 147),
    "M": (0, 131, 143),
    "N": (56, 142, 60),
    "Q": (198, 40, 40),
    "R": (123, 31, 162),
    "S": (84, 110, 122),
}
CJK_FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
]
APPROVAL_NOTE = "材料齐全，样例数据未见个人身份信息，同意进入公示。"


def demo_uscc(body: str) -> str:
    """A complete Unified Social Credit Code: the 17-character body and its check character."""
    return body + check_character(body)


@cache
def _font(size: int):
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return None  # No CJK font on this machine: the cover shows shapes only.


def cover_png(section: str, seed: int) -> bytes:
    """A small cover picture in the section's colour: soft circles and a chart motif, centred so any crop keeps it.

    The name stays off the picture: pages print it beside the cover, and cards crop covers to their own shape.
    """
    rng = random.Random(seed)
    width, height = 640, 360
    base = SECTION_COLOURS.get(section, (55, 71, 79))
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(5):
        radius = rng.randint(60, 170)
        x, y = rng.randint(0, width), rng.randint(0, height)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 255, rng.randint(16, 36)))
    centre_x, centre_y = width // 2, height // 2
    draw.ellipse((centre_x - 130, centre_y - 130, centre_x + 130, centre_y + 130), fill=(255, 255, 255, 40))
    bars, step, floor = 6, 30, centre_y + 80
    left = centre_x - bars * step // 2
    tops = [rng.randint(40, 140) for _ in range(bars)]
    for i, top in enumerate(tops):
        draw.rectangle((left + i * step + 4, floor - top, left + i * step + step - 4, floor), fill=(255, 255, 255, 110))
    points = [(left + i * step + step // 2, floor - top - 18) for i, top in enumerate(tops)]
    draw.line(points, fill=(255, 255, 255, 230), width=4, joint="curve")
    for point in points:
        draw.ellipse((point[0] - 5, point[1] - 5, point[0] + 5, point[1] + 5), fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def licence_png(name: str, uscc: str) -> bytes:
    """A stand-in business licence scan: paper, a red seal, and the name and code when a font allows."""
    image = Image.new("RGB", (420, 300), (250, 246, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 411, 291), outline=(180, 140, 60), width=4)
    draw.ellipse((290, 170, 390, 270), outline=(200, 30, 30), width=5)
    font = _font(20)
    if font is not None:
        draw.text((150, 24), "营业执照", font=_font(28), fill=(150, 20, 20))
        draw.text((30, 90), name, font=font, fill=(40, 40, 40))
        draw.text((30, 130), f"统一社会信用代码 {uscc}", font=_font(16), fill=(40, 40, 40))
    else:
        for row in range(5):
            draw.line((30, 90 + row * 30, 260, 90 + row * 30), fill=(120, 120, 120), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def evidence_pdf(product: dict, holder_name: str) -> bytes:
    """A one-page PDF standing in for the consent form or the anonymisation assessment."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    _, page_height = A4
    if product["basis"] == "consent":
        title = "个人信息处理授权同意书（样式）"
        lines = [
            f"产品：{product['name']}",
            f"个人信息处理者：{holder_name}",
            "一、处理目的与方式：仅为本产品说明的用途，在取得您的单独同意后处理相关个人信息。",
            "二、授权期限：自签署之日起一年；到期或您撤回授权后，不再处理并依法删除。",
            "三、撤回方式：您可随时通过客服渠道撤回授权，撤回不影响此前处理的效力。",
            "四、授权记录以电子方式留存五年，供监管与交易所追溯。",
        ]
    else:
        title = "个人信息匿名化处理评估报告（摘要）"
        lines = [
            f"产品：{product['name']}",
            f"评估对象：{holder_name} 提供的数据产品",
            "一、处理方法：删除直接标识符，准标识符泛化，按统计单元聚合，小样本单元合并。",
            "二、重识别风险评估：k-匿名性 k ≥ 20，经链接攻击测试无法识别到特定个人。",
            "三、结论：处理后的数据不能识别特定自然人且不能复原，属于匿名化信息。",
            "四、复评周期：每年一次，或数据处理方式变化时重新评估。",
        ]
    pdf.setFont("STSong-Light", 18)
    pdf.drawString(72, page_height - 90, title)
    pdf.setFont("STSong-Light", 11)
    for number, line in enumerate(lines):
        pdf.drawString(72, page_height - 140 - number * 24, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def sample_csv(product: dict) -> bytes:
    return ("\n".join(product["sample"]) + "\n").encode("utf-8")


class Command(BaseCommand):
    help = "Load the demo exchange (accounts, organisations, products in every state). Does nothing if it exists."

    def handle(self, *args, **options):
        found = self.existing_demo()
        if found:
            self.stdout.write(f"The demo exchange already exists ({found}); nothing to do.")
            return
        started = time.monotonic()
        with transaction.atomic():
            counts = self.build()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo exchange loaded in {elapsed:.1f} s: {counts['organizations']} organisations, "
                f"{counts['products']} products ({counts['listed']} listed)."
            )
        )
        self.stdout.write(
            f"Sign in as operator, pricing, merchant, opendata, sme, credit, geo, health, buyer, insurer, maker, "
            f"citizen, pending or refused with the password {demo_data.DEMO_PASSWORD}."
        )

    def existing_demo(self) -> str:
        """Describe what of the demo exchange is already in the database, or return ''."""
        usernames = [p["username"] for p in demo_data.STAFF + demo_data.PUBLIC_PEOPLE]
        usernames += [org["owner"]["username"] for org in demo_data.ORGANIZATIONS]
        user = User.objects.filter(username__in=usernames).order_by("username").first()
        if user:
            return f"user “{user.username}” is there"
        codes = [demo_uscc(org["uscc_body"]) for org in demo_data.ORGANIZATIONS]
        org = Organization.objects.filter(uscc__in=codes).first()
        if org:
            return f"organisation “{org.name}” is there"
        return ""

    # ── building ──────────────────────────────────────────────────────────────
    def build(self) -> dict:
        self.users: dict[str, User] = {}
        self.orgs: dict[str, Organization] = {}
        for person in demo_data.STAFF:
            accounts_services.staff_role_grant(user=self.signup(person), role=person["group"])
        for person in demo_data.PUBLIC_PEOPLE:
            self.signup(person)
        operator = self.users["operator"]
        for spec in demo_data.ORGANIZATIONS:
            self.organization(spec, operator)
        for term, note in demo_data.NEGATIVE_TERMS:
            services.negative_term_add(actor=operator, term=term, note=note)
        for index, spec in enumerate(demo_data.PRODUCTS):
            self.product(spec, index, operator)
        return {
            "organizations": len(self.orgs),
            "products": Product.objects.filter(holder__in=self.orgs.values()).count(),
            "listed": Listing.objects.filter(
                status=Listing.Status.LISTED, product__holder__in=self.orgs.values()
            ).count(),
        }

    def signup(self, person: dict) -> User:
        user = accounts_services.user_signup(
            username=person["username"],
            email=person["email"],
            password=demo_data.DEMO_PASSWORD,
            display_name=person["display_name"],
        )
        self.users[user.username] = user
        return user

    def organization(self, spec: dict, operator: User) -> Organization:
        owner = self.signup(spec["owner"])
        uscc = demo_uscc(spec["uscc_body"])
        org = accounts_services.organization_register(
            user=owner,
            name=spec["name"],
            uscc=uscc,
            is_merchant=spec.get("is_merchant", False),
            is_buyer=spec.get("is_buyer", False),
            is_sme=spec.get("is_sme", False),
            is_public_data_operator=spec.get("is_public_data_operator", False),
            contact_email=spec.get("contact_email", ""),
            business_licence=ContentFile(licence_png(spec["name"], uscc), name="licence.png"),
        )
        if spec["status"] == Organization.Status.VERIFIED:
            org = accounts_services.organization_verify(org=org, actor=operator, reason=spec.get("reason", ""))
        elif spec["status"] == Organization.Status.REJECTED:
            org = accounts_services.organization_reject(org=org, actor=operator, reason=spec["reason"])
        self.orgs[spec["key"]] = org
        return org

    def product(self, spec: dict, index: int, operator: User) -> Product:
        org = self.orgs[spec["holder"]]
        merchant = self.users[
            next(o["owner"]["username"] for o in demo_data.ORGANIZATIONS if o["key"] == spec["holder"])
        ]
        data = {
            "name": spec["name"],
            "summary": spec["summary"],
            "description": spec["description"],
            "section": spec["section"],
            "data_source_type": spec["source"],
            "classification": spec.get("classification", "general"),
            "update_frequency": spec["frequency"],
            "coverage_start": date.fromisoformat(spec["coverage_start"]),
            "coverage_end": date.fromisoformat(spec["coverage_end"]) if spec.get("coverage_end") else None,
            "coverage_region": spec["region"],
            "allowed_purposes": spec["purposes"],
            "application_scenario": spec["scenario"],
            "rights": spec["rights"],
        }
        if "auth" in spec:
            auth = spec["auth"]
            data.update(
                auth_authority=auth["authority"],
                auth_grantee=org.name,
                auth_content=auth["content"],
                auth_scope=auth["scope"],
                auth_valid_from=date.fromisoformat(auth["valid_from"]),
                auth_valid_until=date.fromisoformat(auth["valid_until"]),
            )
        evidence = None
        if "basis" in spec:
            data["personal_basis"] = spec["basis"]
            evidence = ContentFile(evidence_pdf(spec, org.name), name=f"evidence-{spec['key']}.pdf")
        product = services.product_save_draft(
            org=org,
            actor=merchant,
            data=data,
            delivery_modes=spec["modes"],
            cover_image=ContentFile(cover_png(spec["section"], index), name=f"{spec['key']}.png"),
            sample_file=ContentFile(sample_csv(spec), name=f"{spec['key']}.csv"),
            personal_evidence=evidence,
            sign_commitment=spec.get("sign", True),
        )
        state = spec["state"]
        if state == "draft":
            return product
        product = services.product_submit(product=product, actor=merchant)
        if state == "submitted":
            return product
        product = services.registration_start_review(product=product, actor=operator)
        if state == "in_review":
            return product
        if state == "changes_requested":
            return services.registration_request_changes(product=product, actor=operator, reason=spec["reason"])
        if state == "rejected":
            return services.registration_reject(product=product, actor=operator, reason=spec["reason"])
        product = services.registration_approve(product=product, actor=operator, reason=APPROVAL_NOTE)
        if "objection" in spec:
            self.objection(product, spec["objection"], operator)
        if state in ("public_notice", "withdrawn"):
            return Product.objects.get(pk=product.pk)
        # The notice period has passed: move its end into the past and let the periodic completion run.
        Product.objects.filter(pk=product.pk).update(notice_ends_at=timezone.now() - timedelta(minutes=1))
        product = services.registration_complete(product=product)
        if state == "delisted":
            services.listing_delist(listing=product.listing, actor=merchant, reason=spec["reason"])
        elif state == "suspended":
            product = services.registration_suspend(product=product, actor=operator, reason=spec["reason"])
        elif state == "cancelled":
            product = services.registration_cancel(product=product, actor=operator, reason=spec["reason"])
        return product

    def objection(self, product: Product, spec: dict, operator: User) -> None:
        objection = services.objection_file(product=product, actor=self.users[spec["by"]], grounds=spec["grounds"])
        if spec["outcome"] == "upheld":
            services.objection_uphold(objection=objection, actor=operator, reason=spec["reason"])
        elif spec["outcome"] == "dismissed":
            services.objection_dismiss(objection=objection, actor=operator, reason=spec["reason"])
