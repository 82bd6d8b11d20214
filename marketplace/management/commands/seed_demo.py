"""Load the demo exchange (in Chinese) through the services: ``manage.py seed_demo``.

Idempotent: when the demo exchange is already there it says so and changes
nothing. Every state is reached through the services, the way people reach it
in the browser: registrations and listings, the guided-price catalogue (by the
``pricing`` user) and the merchants' plans, free use, orders paid by bank
transfer and confirmed by the operator, entitlements, API keys and real calls of
the data API (through Django's test client, so the same views, metering and
usage log as a buyer's system), merchants' uploaded data, demands with their
matches and offers, disputes, violations. Two shortcuts, both documented: the
clock (a registration meant to be registered has its public notice moved into
the past before the periodic completion, ``registration_complete``, runs, as it
would after REGISTRATION_NOTICE_DAYS), and the demo staff's two-factor secret
(``demo_data.DEMO_TOTP_SECRET``, published in the README; DEMO ONLY). The
content is in ``marketplace/demo_data.py``. E-mails the demo would send to its
fictitious people are kept in memory instead of printed.
"""

import base64
import csv
import io
import json
import logging
import random
import time
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw, ImageFont

from accounts import services as accounts_services
from accounts import two_factor
from accounts.models import Organization, User
from accounts.uscc import check_character
from catalog import services
from catalog.models import Listing, Product
from marketplace import demo_data
from marketplace.access import services as access_services
from marketplace.governance import services as governance_services
from marketplace.matching import services as matching_services
from marketplace.orders import services as order_services
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from pricing import services as pricing_services
from pricing.models import GuidedPriceEntry, Plan

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


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def tender_csv(count: int, seed: int = 7) -> bytes:
    """Structured tender notices (招投标公告) behind the tender-notices dataset: fictitious, deterministic."""
    rng = random.Random(seed)
    start = date(2025, 1, 2)
    rows = []
    for number in range(count):
        day = start + timedelta(days=number * 180 // count)
        rows.append(
            [
                day.isoformat(),
                rng.choice(demo_data.TENDER_PROJECTS),
                rng.choice(demo_data.TENDER_BUYERS),
                rng.choice(demo_data.TENDER_WINNERS),
                f"{rng.randint(1500, 90000) / 100:.2f}",
                rng.choice(demo_data.TENDER_REGIONS),
            ]
        )
    return _csv_bytes(["公告日期", "项目名称", "招标单位", "中标单位", "中标金额（万元）", "地区"], rows)


USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def registry_csv(count: int, seed: int = 11) -> bytes:
    """Market-entity registrations (市场主体登记) behind the verification product: valid codes, fictitious names."""
    rng = random.Random(seed)
    rows = [list(demo_data.REGISTRY_KNOWN)]
    seen = {demo_data.REGISTRY_KNOWN[1]}
    while len(rows) < count:
        uscc = demo_uscc("91330100MA2" + "".join(rng.choice(USCC_CHARACTERS) for _ in range(6)))
        if uscc in seen:
            continue
        seen.add(uscc)
        name = f"某某{rng.choice(demo_data.REGISTRY_NAME_WORDS)}{rng.choice(demo_data.REGISTRY_TRADES)}有限公司"
        founded = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000))
        rows.append([name, uscc, rng.choice(demo_data.REGISTRY_STATES), founded.isoformat()])
    return _csv_bytes(["企业名称", "统一社会信用代码", "登记状态", "成立日期"], rows)


DATASET_GENERATORS = {"tender-notices": tender_csv, "business-registration-check": registry_csv}


def totp_now(secret: str) -> str:
    """The current one-time code of a base32 secret (RFC 6238: 30-second steps, six digits)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key, step=30, digits=6).token():06d}"


def _data_api_client() -> Client:
    """A test client whose Host header the site accepts (the first plain name in ALLOWED_HOSTS)."""
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if "*" not in h and h.strip(".")]
    return Client(HTTP_HOST=hosts[0] if hosts else "localhost")


class Command(BaseCommand):
    help = "Load the demo exchange (accounts, products in every state, prices, orders, data, demands, disputes)."

    def handle(self, *args, **options):
        found = self.existing_demo()
        if found:
            self.stdout.write(
                f"The demo exchange already exists ({found}); nothing to do. "
                "To start again from scratch remove the database (make clean)."
            )
            return
        started = time.monotonic()
        # The demo's people are fictitious: their e-mails stay in memory instead of going to the console or SMTP.
        mail_in_memory = override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        )
        with mail_in_memory, transaction.atomic():
            counts = self.build()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo exchange loaded in {elapsed:.1f} s: {counts['organizations']} organisations, "
                f"{counts['products']} products ({counts['listed']} listed), {counts['plans']} price plans, "
                f"{counts['guided']} guided-price entries, {counts['orders']} orders, {counts['demands']} demands, "
                f"{counts['calls']} data API calls."
            )
        )
        people = ", ".join(
            [p["username"] for p in demo_data.STAFF + demo_data.PUBLIC_PEOPLE]
            + [org["owner"]["username"] for org in demo_data.ORGANIZATIONS]
        )
        self.stdout.write(f"Sign in as {people} with the password {demo_data.DEMO_PASSWORD}.")
        self.stdout.write(
            f"Staff ({', '.join(demo_data.DEMO_TOTP_USERS)}) also give a one-time code: add the DEMO-ONLY secret "
            f"{demo_data.DEMO_TOTP_SECRET} to an authenticator app (see the README)."
        )
        self.stdout.write(
            f"API key of {counts['key_owner']} ({counts['key_name']}), shown this once, for the data API at /data/v1/:"
        )
        self.stdout.write(f"    Authorization: Bearer {counts['key_secret']}")

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
        self.products: dict[str, Product] = {}
        self.orders: dict[str, Order] = {}
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
            self.products[spec["key"]] = self.product(spec, index, operator)
        self.staff_two_factor()
        self.guided_prices(self.users["pricing"])
        self.plans()
        self.merchant_data()
        self.free_use(operator)
        for spec in demo_data.ORDERS:
            self.orders[spec["key"]] = self.order(spec, operator)
        key_secret = self.api_keys()
        calls = self.data_calls(key_secret)
        for spec in demo_data.DEMANDS:
            self.demand(spec, operator)
        for spec in demo_data.DISPUTES:
            self.dispute(spec, operator)
        for spec in demo_data.VIOLATIONS:
            governance_services.violation_record(
                organization=self.orgs[spec["organization"]],
                actor=operator,
                kind=spec["kind"],
                severity=spec["severity"],
                description=spec["description"],
                occurred_on=timezone.localdate() - timedelta(days=spec["days_ago"]),
            )
        mine = self.orgs.values()
        return {
            "organizations": len(self.orgs),
            "products": Product.objects.filter(holder__in=mine).count(),
            "listed": Listing.objects.filter(status=Listing.Status.LISTED, product__holder__in=mine).count(),
            "plans": Plan.objects.filter(product__holder__in=mine).count(),
            "guided": GuidedPriceEntry.objects.count(),
            "orders": Order.objects.filter(buyer__in=mine).count(),
            "demands": len(demo_data.DEMANDS),
            "calls": calls,
            "key_owner": self.orgs[demo_data.API_KEYS[0]["organization"]].name,
            "key_name": demo_data.API_KEYS[0]["name"],
            "key_secret": key_secret,
        }

    def owner(self, org_key: str) -> User:
        """The person who registered the organisation (and acts for it in the demo)."""
        spec = next(o for o in demo_data.ORGANIZATIONS if o["key"] == org_key)
        return self.users[spec["owner"]["username"]]

    def key_of(self, org_id: int) -> str:
        """The demo key (``demo_data.ORGANIZATIONS``) of an organisation."""
        return next(key for key, org in self.orgs.items() if org.pk == org_id)

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
        for objection in spec.get("objections", []):
            self.objection(product, objection, operator)
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
        elif spec["outcome"] == "investigating":
            services.objection_investigate(objection=objection, actor=operator)

    # ── staff two-factor sign-in (DEMO ONLY secret) ─────────────────────────────
    def staff_two_factor(self) -> None:
        """Enrol the demo staff's authenticator through the enrolment services, with the published demo secret.

        The one shortcut: the pending device's random secret is replaced by ``DEMO_TOTP_SECRET`` before the
        first code confirms it, so a reviewer can add the README's secret to an authenticator app.
        """
        secret = demo_data.DEMO_TOTP_SECRET
        hex_key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
        for username in demo_data.DEMO_TOTP_USERS:
            user = self.users[username]
            device = two_factor.totp_enrolment_start(user=user)
            TOTPDevice.objects.filter(pk=device.pk).update(key=hex_key)
            two_factor.totp_enrolment_confirm(user=user, token=totp_now(secret))

    # ── prices ──────────────────────────────────────────────────────────────────
    def guided_prices(self, authority: User) -> None:
        """The price authority publishes the guided-price catalogue (one entry revised) and the operator's
        maximum permitted revenue."""
        year = timezone.localdate().year

        def terms(spec: dict) -> dict:
            since = year + spec["since"]
            trial_years = spec.get("trial_years")
            return {
                "cap": spec["cap"],
                "tiers": spec.get("tiers", []),
                "sme_discount_percent": spec.get("sme", "0"),
                "effective_from": date(since, 1, 1),
                "is_trial": bool(trial_years),
                "trial_expires_on": date(year + trial_years, 12, 31) if trial_years else None,
                "basis": spec["basis"].format(year=since),
            }

        for spec in demo_data.GUIDED_PRICES:
            version = pricing_services.guided_entry_publish(
                actor=authority,
                section=spec["section"],
                delivery_mode=spec["mode"],
                billing_unit=spec["unit"],
                title=spec["title"],
                terms=terms(spec),
            )
            if "revision" in spec:
                pricing_services.guided_entry_revise(
                    actor=authority, entry=version.entry, terms=terms(spec["revision"])
                )
        revenue = demo_data.PERMITTED_REVENUE
        pricing_services.permitted_revenue_set(
            actor=authority,
            organization=self.orgs[revenue["organization"]],
            year=year,
            operating_cost=revenue["operating_cost"],
            permitted_profit=revenue["permitted_profit"],
            tax=revenue["tax"],
        )

    def plans(self) -> None:
        """Each merchant prices its listed products (public-data ones within the guided cap in force)."""
        self.plan_by_name: dict[tuple[str, str], Plan] = {}
        for product_key, rows in demo_data.PLANS.items():
            product = self.products[product_key]
            org = product.holder
            actor = self.owner(self.key_of(org.pk))
            for name, kind, mode, price, quota in rows:
                plan = pricing_services.plan_create(
                    org=org,
                    actor=actor,
                    product=product,
                    data={
                        "name": name,
                        "kind": kind,
                        "delivery_mode": mode,
                        "unit_price": price or "",
                        "monthly_quota": quota,
                    },
                )
                self.plan_by_name[product_key, name] = plan

    # ── merchants' data ─────────────────────────────────────────────────────────
    def merchant_data(self) -> None:
        """Merchants upload the CSV behind a dataset and a verification product; each is loaded at once (the
        background load after commit then finds it done)."""
        for product_key, mode, count, lookup in demo_data.DATASETS:
            product = self.products[product_key]
            table = access_services.dataset_table_upload(
                org=product.holder,
                actor=self.owner(self.key_of(product.holder_id)),
                product=product,
                mode=mode,
                file=ContentFile(DATASET_GENERATORS[product_key](count), name=f"{product_key}.csv"),
                lookup_columns=lookup,
            )
            access_services.dataset_table_load(table=table)

    # ── free use, orders, keys, calls ────────────────────────────────────────────
    def free_use(self, operator: User) -> None:
        for spec in demo_data.FREE_USE:
            application = pricing_services.free_use_apply(
                buyer=self.orgs[spec["buyer"]],
                actor=self.owner(spec["buyer"]),
                product=self.products[spec["product"]],
                purpose=spec["purpose"],
                statement=spec["statement"],
            )
            if spec["outcome"] == "approved":
                pricing_services.free_use_approve(application=application, actor=operator, reason=spec["reason"])

    def confirm_transfer(self, order: Order, operator: User, serial: str, payer: str) -> Order:
        """The operator sees the transfer on the exchange's bank statement and confirms it."""
        order_services.bank_transfer_confirm(
            payment=order.payment, actor=operator, amount=order.payment.amount, bank_serial=serial, payer_name=payer
        )
        return Order.objects.get(pk=order.pk)

    def order(self, spec: dict, operator: User) -> Order:
        buyer = self.orgs[spec["buyer"]]
        actor = self.owner(spec["buyer"])
        order = order_services.order_place(
            buyer=buyer,
            actor=actor,
            product=self.products[spec["product"]],
            plan=self.plan_by_name[spec["product"], spec["plan"]],
            quantity=spec["quantity"],
            purpose=spec["purpose"],
            payment_method=PaymentMethod.BANK_TRANSFER,
        )
        if spec["state"] == "paid":
            order = self.confirm_transfer(order, operator, spec["serial"], spec["payer"])
        elif spec["state"] == "cancelled":
            order = order_services.order_cancel(order=order, org=buyer, actor=actor, reason=spec["reason"])
        expected = {
            "paid": OrderStatus.FULFILLED,
            "free": OrderStatus.FULFILLED,
            "cancelled": OrderStatus.CANCELLED,
            "awaiting_payment": OrderStatus.AWAITING_PAYMENT,
            "awaiting_approval": OrderStatus.AWAITING_APPROVAL,
        }[spec["state"]]
        if order.status != expected:
            raise RuntimeError(f"demo order {spec['key']} is {order.status}, expected {expected}")
        return order

    def api_keys(self) -> str:
        """The buyer's keys: one in use (its secret is returned, to print once), one revoked."""
        first_secret = ""
        for spec in demo_data.API_KEYS:
            org = self.orgs[spec["organization"]]
            actor = self.owner(spec["organization"])
            key, secret = access_services.api_key_create(org=org, actor=actor, name=spec["name"])
            if spec["revoke"]:
                access_services.api_key_revoke(org=org, actor=actor, key=key)
            elif not first_secret:
                first_secret = secret
        return first_secret

    def data_calls(self, secret: str) -> int:
        """A handful of real calls of the data API with the buyer's key: metered, logged, one refused."""
        client = _data_api_client()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        # The refused call is meant: keep Django's "Forbidden: …" warning out of the command's output.
        request_log = logging.getLogger("django.request")
        level = request_log.level
        request_log.setLevel(logging.ERROR)
        try:
            self._call_data_api(client, auth)
        finally:
            request_log.setLevel(level)
        return len(demo_data.DATA_CALLS)

    def _call_data_api(self, client: Client, auth: dict) -> None:
        for kind, product_key, params in demo_data.DATA_CALLS:
            code = self.products[product_key].code
            if kind == "rows":
                response = client.get(f"/data/v1/products/{code}/rows", params, secure=True, **auth)
            else:
                response = client.post(
                    f"/data/v1/products/{code}/verify",
                    json.dumps({"fields": params}, ensure_ascii=False),
                    content_type="application/json",
                    secure=True,
                    **auth,
                )
            if response.status_code >= 500:
                raise RuntimeError(f"the data API answered {response.status_code} to a demo call: {response.content!r}")

    # ── demands, matches, offers ─────────────────────────────────────────────────
    def demand(self, spec: dict, operator: User) -> None:
        buyer, actor = self.orgs[spec["buyer"]], self.owner(spec["buyer"])
        demand = matching_services.demand_create(
            buyer=buyer,
            actor=actor,
            data={
                "title": spec["title"],
                "description": spec["description"],
                "scenario": spec["scenario"],
                "section": spec["section"],
                "delivery_modes": spec["modes"],
                "purpose": spec["purpose"],
                "volume": spec["volume"],
                "volume_unit": spec["volume_unit"],
                "budget_min": spec["budget_min"],
                "budget_max": spec["budget_max"],
                "region": spec["region"],
                "deadline": timezone.localdate() + timedelta(days=spec["deadline"]),
                "is_public": True,
            },
        )
        # Matching runs after commit in the background; here it runs now, so the offers below answer a match.
        matching_services.demand_match(demand=demand)
        if "offer" not in spec:
            return
        offer_spec = spec["offer"]
        offer = matching_services.offer_make(
            demand=demand,
            org=self.orgs[offer_spec["merchant"]],
            actor=self.owner(offer_spec["merchant"]),
            product=self.products[offer_spec["product"]],
            plan=self.plan_by_name[offer_spec["product"], offer_spec["plan"]],
            unit_price=offer_spec["unit_price"],
            valid_until=timezone.localdate() + timedelta(days=offer_spec["valid_days"]),
            message=offer_spec["message"],
        )
        if offer_spec["outcome"] == "accepted":
            offer = matching_services.offer_accept(offer=offer, org=buyer, actor=actor)
            order = Order.objects.get(number=offer.order_number)
            self.orders[f"offer:{spec['key']}"] = self.confirm_transfer(
                order, operator, offer_spec["serial"], offer_spec["payer"]
            )

    # ── disputes ───────────────────────────────────────────────────────────────
    def dispute(self, spec: dict, operator: User) -> None:
        order = self.orders[spec["order"]]
        buyer_key, merchant_key = self.key_of(order.buyer_id), self.key_of(order.merchant_id)
        dispute = governance_services.dispute_file(
            order=order,
            org=self.orgs[buyer_key],
            actor=self.owner(buyer_key),
            ground=spec["ground"],
            grounds=spec["grounds"],
            refund_requested=spec["refund_requested"],
        )
        dispute = governance_services.dispute_investigate(dispute=dispute, actor=operator)
        statement = governance_services.statement_request(
            actor=operator, party="merchant", question=spec["statement"], dispute=dispute, due_days=7
        )
        if spec["answer"]:
            governance_services.statement_submit(
                statement=statement, actor=self.owner(merchant_key), answer=spec["answer"]
            )
        if spec["outcome"] == "upheld":
            governance_services.dispute_uphold(
                dispute=dispute, actor=operator, reason=spec["reason"], refund=spec["refund_requested"]
            )
