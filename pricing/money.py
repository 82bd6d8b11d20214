"""Money: the one module that rounds (DESIGN §3.3, STYLE "Money and time").

Amounts are ``Decimal`` yuan (CNY) with two places, rounded half up. Floats are
refused so that a binary fraction never reaches a price.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "CNY"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_decimal(value) -> Decimal:
    """``value`` (str, int or Decimal) as a Decimal; floats and garbage raise ``ValueError``."""
    if isinstance(value, (bool, float)):
        raise ValueError("money is never a float; pass a string or a Decimal")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return result


def money(value) -> Decimal:
    """Round to two places, half up: the exchange's only rounding rule."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded by the one rule."""
    return money(to_decimal(amount) * to_decimal(percent) / Decimal(100))


def to_minor_units(amount) -> int:
    """Fen (分) for payment processors that count in minor units (Stripe)."""
    return int(money(amount) * 100)


def format_cny(amount) -> str:
    """``¥1,234.50``: how an amount is shown."""
    if amount is None:
        return ""
    value = money(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
