"""Server-side SVG charts: scaled to round numbers, escaped, titled for screen readers, no script."""

from decimal import Decimal

from marketplace.governance import charts


def test_nice_ceiling_rounds_up_to_round_numbers():
    """The top of the scale is 1, 2, 2.5 or 5 times a power of ten."""
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 7, 11, 240, 2600)] == [1, 1, 5, 10, 20, 250, 5000]
    assert charts.scale_top([4, 1]) == 4  # counts step by whole numbers
    assert charts.scale_top([Decimal("0.3")]) == 0.4


def test_bar_chart_draws_one_bar_per_value_with_its_title():
    """Three values give three bars, each with a hover title, and the chart is labelled."""
    svg = charts.bar_chart([("01", 3), ("02", 0), ("03", Decimal("7.50"))], title="每月交易")

    assert svg.count("<rect") == 3
    assert "<title>03: 7.50</title>" in svg
    assert 'role="img"' in svg and "每月交易" in svg
    assert "<script" not in svg and "style=" not in svg


def test_bar_chart_escapes_labels():
    """Labels are text, never markup."""
    svg = charts.bar_chart([("<b>x</b>", 1)], title="<i>t</i>")

    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "<i>" not in svg


def test_line_chart_draws_a_line_through_every_point():
    """A line chart has a polyline and a dot per point."""
    svg = charts.line_chart([(f"{day:02d}", day % 4) for day in range(1, 31)], title="每日调用")

    assert svg.count("<circle") == 30
    assert "<polyline" in svg


def test_charts_of_nothing_still_render():
    """An empty series draws an empty frame rather than failing."""
    assert "<svg" in charts.bar_chart([], title="空")
    assert "<svg" in charts.line_chart([], title="空")


def test_many_bars_thin_out_their_labels():
    """Thirty days show at most a dozen labels under the bars."""
    svg = charts.bar_chart([(f"11-{day:02d}", day) for day in range(1, 31)], title="30 天")

    assert svg.count('class="chart-label"') <= charts.MAX_X_LABELS
