#!/usr/bin/env python
"""Shoot the README's screens from a throw-away demo exchange.

    .venv/bin/python docs/make_screenshots.py              # every screen, into docs/screenshots/
    .venv/bin/python docs/make_screenshots.py --only home,product

Builds the demo in a temporary DATA_DIR (``migrate`` + ``seed_demo``, SQLite, the
embedded defaults), serves it with ``runserver`` on 127.0.0.1, drives Debian's
Chromium through Playwright (``CHROMIUM_PATH``, default ``/usr/bin/chromium``) at
1280 px wide (one screen at 375 px, the phone layout), signs in as the demo people
(staff with the demo's published two-factor secret) and saves each screen as a
palette PNG (optimised, kept under ~250 KB). Nothing of the real ``var/`` is touched.
"""

import argparse
import base64
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
MAX_HEIGHT = 2200  # px: taller pages are cut here (the README shows the top of each page)
MAX_BYTES = 250_000


@dataclass
class Shot:
    name: str  # file name without .png
    user: str  # "" for anonymous
    path: str  # filled with the demo's codes and ids, see ``targets``
    width: int = 1280
    height: int = 900
    full_page: bool = True
    scale: int = 1  # device pixels per CSS pixel (2: a sharp phone screen)
    wait_for: str = ""  # a selector to wait for before shooting
    params: dict = field(default_factory=dict)


SHOTS = [
    Shot("home", "", "/"),
    Shot("catalog-search", "", "/catalog/?q=企业风险", height=1000),
    Shot("product", "buyer", "/p/{registration_check}/?plan={check_plan}&quantity=20000&purpose=risk_control"),
    Shot("merchant-registration", "merchant", "/my/products/new/"),
    Shot("console-review", "operator", "/console/reviews/{review_pk}/"),
    Shot("guided-prices", "", "/pricing/guided/"),
    Shot("checkout", "buyer", "/orders/checkout/{ent_risk}/?plan={risk_plan}&quantity=12&purpose=risk_control"),
    Shot("order", "insurer", "/orders/{awaiting_order}/"),
    Shot("disclosure", "", "/disclosure/"),
    Shot("demand-matches", "buyer", "/demands/{bank_demand}/"),
    Shot("verify", "", "/verify/?code={registration_check}"),
    Shot("usage", "buyer", "/access/usage/"),
    Shot("objection-case", "operator", "/console/objection-cases/{objection_case}/"),
    Shot("product-phone", "", "/p/{bus_arrivals}/", width=375, height=812, full_page=False, scale=2),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict) -> str:
    # Our own interpreter and manage.py, with fixed arguments.
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


TARGETS_SCRIPT = """
import json
from catalog.models import Objection, Product
from marketplace.matching.models import Demand
from marketplace.orders.models import Order
from pricing.models import Plan
code = lambda name: Product.objects.get(name=name).code
print(json.dumps({
    "registration_check": code("企业登记信息核验"),
    "bus_arrivals": code("公交车辆实时到站数据"),
    "ent_risk": code("企业经营风险画像"),
    "risk_plan": Plan.objects.get(product__name="企业经营风险画像", kind="subscription").pk,
    "check_plan": Plan.objects.get(product__name="企业登记信息核验", name="核验（按次）").pk,
    "review_pk": Product.objects.filter(status="in_review", findings__kind="pii_id_card").first().pk,
    "awaiting_order": Order.objects.get(status="awaiting_payment").number,
    "bank_demand": Demand.objects.get(buyer__name="某商业银行股份有限公司").pk,
    "objection_case": Objection.objects.get(status="investigating").pk,
}))
"""


def targets(env: dict) -> dict:
    """The codes and ids the screens' addresses need, read from the demo just built."""
    import json

    output = run(["shell", "-c", TARGETS_SCRIPT], env)
    return json.loads(output.strip().splitlines()[-1])


def totp(secret: str, at: float) -> str:
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def sign_in(page, base: str, username: str) -> None:
    sys.path.insert(0, str(ROOT))
    from marketplace import demo_data

    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo_data.DEMO_PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state()
    if username in demo_data.DEMO_TOTP_USERS:
        # A code is accepted once (replay protection) and one 30-second step early: try the next step's code, and
        # if that one was used already (by the seed's enrolment or an earlier sign-in), wait for a fresh step.
        for attempt in range(3):
            page.goto(base + "/accounts/two-factor/")
            if "/two-factor/" not in page.url:
                return
            if attempt:
                time.sleep(30 - time.time() % 30 + 1)
            page.fill("input[name=token]", totp(demo_data.DEMO_TOTP_SECRET, time.time() + 30))
            page.click("form.two-factor button[type=submit]")
            page.wait_for_load_state()
            if "/two-factor/" not in page.url:
                return
        sys.exit(f"{username} could not give a one-time code")


def optimise(png: bytes, path: Path) -> int:
    """A 256-colour palette PNG, cut to MAX_HEIGHT: screenshots of text keep their look at a fraction of the size."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    for colours in (256, 128, 64):
        quantised = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        quantised.save(out, format="PNG", optimize=True)
        if out.tell() <= MAX_BYTES or colours == 64:
            path.write_bytes(out.getvalue())
            return out.tell()
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated screen names")
    parser.add_argument("--keep", action="store_true", help="keep the temporary demo folder (its path is printed)")
    args = parser.parse_args()
    wanted = {name for name in args.only.split(",") if name}
    shots = [shot for shot in SHOTS if not wanted or shot.name in wanted]

    data_dir = Path(tempfile.mkdtemp(prefix="exchange-screens-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "STRIPE_SECRET_KEY")
    }
    env.update(DATA_DIR=str(data_dir), DJANGO_DEBUG="1", STAFF_TWO_FACTOR_REQUIRED="1", LOG_LEVEL="WARNING")
    print(f"demo in {data_dir}")
    run(["migrate", "--noinput"], env)
    print(run(["seed_demo"], env).strip().splitlines()[0])
    ids = targets(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and manage.py
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 -- our own server on 127.0.0.1
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("the demo server did not start")
                time.sleep(0.3)
        shoot(base, shots, ids)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def shoot(base: str, shots: list[Shot], ids: dict) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        contexts = {}
        try:
            for shot in shots:
                key = (shot.user, shot.width, shot.scale)
                if key not in contexts:
                    context = browser.new_context(
                        locale="zh-CN",
                        viewport={"width": shot.width, "height": shot.height},
                        device_scale_factor=shot.scale,
                        is_mobile=shot.width < 600,
                        has_touch=shot.width < 600,
                    )
                    context.set_default_timeout(20_000)
                    page = context.new_page()
                    if shot.user:
                        sign_in(page, base, shot.user)
                    contexts[key] = page
                page = contexts[key]
                page.set_viewport_size({"width": shot.width, "height": shot.height})
                page.goto(base + shot.path.format(**ids))
                page.wait_for_load_state("networkidle")
                if shot.wait_for:
                    page.wait_for_selector(shot.wait_for)
                size = optimise(page.screenshot(full_page=shot.full_page), OUT / f"{shot.name}.png")
                print(f"{shot.name:24} {page.url.removeprefix(base):50} {size / 1000:6.0f} KB")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
