"""Benchmark: one exchange follows a peer's feed of 10,000 events, verification included (goal ≤ 30 s).

Usage::

    .venv/bin/python bench/interop_feed.py [--events 10000]

Exchange A (``AAX``) runs as a separate process (``manage.py runserver``) on its own SQLite database
with 10,000 signed events in its feed: certificates issued (each event carries its signed
certificate), re-issued, suspended and revoked. Exchange B (``BBX``) registers and trusts A, then
follows A's feed from 0 to the end through HTTP in pages of 1,000: every event's signature and every
embedded certificate's signature is verified and each event applied once. The time printed is B's
follow only (fetching, verifying, applying); start-up and seeding are not counted.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed_feed(count: int) -> dict:
    """Inside A: append ``count`` signed events (mostly issuances) straight into the feed tables."""
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from catalog import signing
    from catalog.certificates import epoch
    from catalog.codes import format_code
    from catalog.models import FeedEvent, FeedSequence
    from catalog.services.certificates import iso_utc, signing_key_sync

    pair = signing_key_sync()
    now = timezone.now()
    at, iat = iso_utc(now), epoch(now)
    issued = int(count * 0.8)
    codes = [format_code(settings.EXCHANGE_CODE, 2026, "J", n) for n in range(1, issued + 1)]
    versions = dict.fromkeys(codes, 1)
    rows = []

    def certificate(code: str, ver: int) -> str:
        payload = {
            "iss": settings.EXCHANGE_CODE,
            "code": code,
            "ver": ver,
            "iat": iat,
            "nbf": iat,
            "exp": iat + 3 * 365 * 86400,
            "holder": {"name": "闽数科技有限公司", "uscc": "91350100M000100Y43"},
            "product": {
                "name": f"企业经营异常核验{code[-8:]}",
                "summary": "核验企业是否列入经营异常名录",
                "section": "J",
                "delivery_modes": ["api", "verification"],
                "data_source_type": "enterprise",
                "classification": "general",
                "update_frequency": "daily",
            },
            "rights": ["processing_use", "product_operation"],
            "price_regime": "market",
        }
        return signing.sign_with(pair.private_key, pair.kid, payload, signing.CERT_TYP)

    def event(seq: int, kind: str, code: str, ver: int, cert: str | None = None) -> None:
        payload = {"iss": settings.EXCHANGE_CODE, "seq": seq, "type": kind, "code": code, "ver": ver, "at": at}
        if cert:
            payload["certificate"] = cert
        jws = signing.sign_with(pair.private_key, pair.kid, payload, signing.EVENT_TYP)
        rows.append(FeedEvent(seq=seq, type=kind, code=code, ver=ver, at=now, kid=pair.kid, payload=payload, jws=jws))

    seq = 0
    for code in codes:
        seq += 1
        event(seq, "certificate.issued", code, 1, certificate(code, 1))
    kinds = ["certificate.updated", "certificate.suspended", "certificate.reinstated", "certificate.revoked"]
    index = 0
    while seq < count:
        code, kind = codes[index % len(codes)], kinds[index % len(kinds)]
        seq += 1
        if kind == "certificate.updated":
            versions[code] += 1
            event(seq, kind, code, versions[code], certificate(code, versions[code]))
        else:
            event(seq, kind, code, versions[code])
        index += 1
    FeedEvent.objects.bulk_create(rows, batch_size=1000)
    FeedSequence.objects.update_or_create(pk=1, defaults={"last_seq": seq})
    return {"events": seq, "certificates": issued}


def follow(peer_code: str) -> dict:
    """Inside B: follow the peer's feed from 0 to the end, timed."""
    import django

    django.setup()
    from catalog import services
    from catalog.models import Peer, PeerCertificate

    peer = Peer.objects.get(exchange_code=peer_code)
    started = time.perf_counter()
    result = services.peer_follow(peer=peer)
    elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 2),
        "applied": result.applied,
        "fetched": result.fetched,
        "pages": result.pages,
        "cursor": result.cursor,
        "error": result.error,
        "peer_certificates": PeerCertificate.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    from tests.interop.instances import Instance, migrate_template

    folder = Path(tempfile.mkdtemp(prefix="bench-interop-"))
    template = migrate_template(folder)
    a = Instance("AAX", "甲数据交易所", folder / "aax", template)
    b = Instance("BBX", "乙数据交易所", folder / "bbx", template)
    try:
        seeded = _inside(a, "seed", str(args.events))
        a.start()
        a.wait_ready()
        b.one("command", name="peer_add", args=[a.base_url, "--trust"])
        figures = _inside(b, "follow", "AAX")
    finally:
        a.stop()
    rate = figures["applied"] / figures["seconds"] if figures["seconds"] else float("inf")
    print(f"feed of {seeded['events']} events ({seeded['certificates']} certificates) followed over HTTP")
    print(f"time: {figures['seconds']:.2f} s  ({rate:,.0f} events/s, verification included)")
    print(
        f"applied {figures['applied']} in {figures['pages']} pages, cursor {figures['cursor']}, "
        f"{figures['peer_certificates']} peer certificates"
        + (f", error: {figures['error']}" if figures["error"] else "")
    )
    print("goal ≤ 30 s: " + ("met" if figures["seconds"] <= 30 and not figures["error"] else "NOT met"))


def _inside(instance, action: str, argument: str) -> dict:
    import subprocess

    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), f"--inside={action}", argument],
        cwd=ROOT,
        env=instance.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-4000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1].startswith("--inside="):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
        inside = sys.argv[1].split("=", 1)[1]
        output = seed_feed(int(sys.argv[2])) if inside == "seed" else follow(sys.argv[2])
        print(json.dumps(output))
    else:
        main()
