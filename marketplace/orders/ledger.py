"""The revenue split of a payment (收益分配): a pure function, so the rule is tested on its own.

Each share is rounded by the one money rule (``pricing.money``: half up to the fen); the
merchant's share is what is left, so the rounding residue always goes to the merchant and
the lines balance to the cent.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from pricing.money import ZERO, money, to_decimal

from .models import LedgerAccount


@dataclass(frozen=True)
class Share:
    """One line of a split: the account, who it is due to, and the signed amount."""

    account: str
    party_id: int | None
    party_name: str
    amount: Decimal


def rate(value) -> Decimal:
    """A fraction from settings (``"0.05"``), refused unless between 0 and 1."""
    fraction = to_decimal(value)
    if not Decimal(0) <= fraction <= Decimal(1):
        raise ValueError(f"a share must be between 0 and 1, not {value!r}")
    return fraction


def split(
    *,
    amount,
    merchant_id: int,
    merchant_name: str,
    data_source_name: str | None = None,
    commission_rate=None,
    data_source_share=None,
) -> list[Share]:
    """Split ``amount`` into commission, data-source share (public data only) and the merchant's share.

    Returns the balanced lines: the amount received (positive) and the three shares (negative).
    """
    amount = money(amount)
    commission_rate = rate(settings.EXCHANGE_COMMISSION_RATE if commission_rate is None else commission_rate)
    commission = money(amount * commission_rate)
    source = ZERO
    if data_source_name is not None:
        source_rate = rate(settings.PUBLIC_DATA_SOURCE_SHARE if data_source_share is None else data_source_share)
        source = money(amount * source_rate)
    if commission + source > amount:
        raise ValueError("the commission and the data source's share exceed the amount")
    merchant = amount - commission - source
    lines = [
        Share(LedgerAccount.CLEARING, None, "", amount),
        Share(LedgerAccount.COMMISSION, None, settings.EXCHANGE_NAME, -commission),
        Share(LedgerAccount.MERCHANT, merchant_id, merchant_name, -merchant),
    ]
    if data_source_name is not None:
        lines.append(Share(LedgerAccount.DATA_SOURCE, None, data_source_name, -source))
    assert sum((line.amount for line in lines), ZERO) == ZERO
    return lines


def reverse(lines: list[Share]) -> list[Share]:
    """The reversal of a split (a refund): every line negated, so the two together sum to zero per account."""
    return [Share(line.account, line.party_id, line.party_name, -line.amount) for line in lines]
