"""The clock as people see it on the enrolment page: FTE stretches durations, pauses and extensions move dates."""
from __future__ import annotations

import datetime as dt

from portal.framework.clock import add_months

START = dt.date(2025, 9, 1)


def clock_table(soup) -> dict[str, tuple[dt.date, dt.date]]:
    """Stage code -> (start, due) read off the page's clock table."""
    rows = {}
    for row in soup.select(".app-clock tbody tr"):
        start, due = (dt.datetime.strptime(td.get_text(strip=True), "%d %B %Y").date() for td in row.select("td"))
        rows[row["data-stage"]] = (start, due)
    return rows


def review_dues(soup) -> dict[str, dt.date]:
    return {row["data-review"]: dt.datetime.strptime(row.select("td")[0].get_text(strip=True), "%d %B %Y").date()
            for row in soup.select(".app-reviews tbody tr")}


def test_half_time_doubles_every_duration(client, world, sign_in_as, enrol_as, page):
    full = enrol_as(world["prac"], start=START, fte=1)
    half = enrol_as(world["other_prac"], start=START, fte="0.5")
    sign_in_as(world["north_admin"])
    full_clock = clock_table(page(f"/enrolments/{full.id}"))
    half_page = page(f"/enrolments/{half.id}")
    half_clock = clock_table(half_page)
    assert full_clock["Y1"] == (START, dt.date(2026, 8, 31))
    assert half_clock["Y1"] == (START, dt.date(2027, 8, 31))
    for code, (start, due) in full_clock.items():
        half_start, half_due = half_clock[code]
        full_days, half_days = (due - start).days + 1, (half_due - half_start).days + 1
        if code != "AWARD":
            assert half_days == 2 * full_days, code
            assert (half_start - START).days == 2 * (start - START).days, code
    assert "at 0.5 FTE" in half_page.get_text()


def test_a_three_month_pause_moves_every_later_due_date(client, world, sign_in_as, enrol_as, page):
    enrolment = enrol_as(world["prac"], start=START)
    sign_in_as(world["north_admin"])
    url = f"/enrolments/{enrolment.id}"
    before = clock_table(page(url))
    pause_start, pause_end = dt.date(2025, 12, 1), add_months(dt.date(2025, 12, 1), 3) - dt.timedelta(days=1)
    response = client.post(f"{url}/pauses/new", data={
        "start_date": ["1", "12", "2025"], "end_date": [str(pause_end.day), str(pause_end.month), str(pause_end.year)],
        "reason": "parental_leave", "details": "Maternity leave"})
    assert response.status_code == 302
    after_page = page(url)
    after = clock_table(after_page)
    length = (pause_end - pause_start).days + 1  # three calendar months: 1 December to 28 February
    assert length == 90
    for code, (start, due) in before.items():
        assert after[code][1] == due + dt.timedelta(days=length), code
        if start >= pause_start:
            assert after[code][0] == start + dt.timedelta(days=length), code
    assert after["Y1"][0] == START  # the first stage still starts on the same day
    assert "Parental leave: 1 December 2025 to 28 February 2026 (90 days)" in after_page.select_one(
        ".app-pauses").get_text(" ", strip=True)


def test_an_extension_moves_its_stage_end_and_everything_after(client, world, sign_in_as, enrol_as, page):
    enrolment = enrol_as(world["prac"], start=START)
    sign_in_as(world["north_admin"])
    url = f"/enrolments/{enrolment.id}"
    before = clock_table(page(url))
    assert client.post(f"{url}/extensions/new", data={"stage_code": "Y2", "months": "2", "days": "",
                                                      "reason": "Long sickness absence"}).status_code == 302
    after_page = page(url)
    after = clock_table(after_page)
    assert after["Y1"] == before["Y1"]
    assert after["Y2"][1] == add_months(before["Y2"][1] + dt.timedelta(days=1), 2) - dt.timedelta(days=1)
    moved = after["Y2"][1] - before["Y2"][1]
    assert all(after[code][1] - before[code][1] == moved for code in ("Y3-4", "Y5", "AWARD"))
    assert "Year 2 (end of induction): 2 months. Long sickness absence" in after_page.select_one(
        ".app-extensions").get_text(" ", strip=True)


def test_the_dashboard_review_dates_follow_the_clock(client, world, sign_in_as, enrol_as, page):
    from portal.enrolments.services import london_today

    start = add_months(london_today(), -2)
    enrolment = enrol_as(world["prac"], start=start, fte="0.5", supervisor=world["sup"])
    sign_in_as(world["prac"])
    dues = review_dues(page("/"))
    # at half time the 3-month review is 6 calendar months in (rounded up to whole days)
    full_time_days = (add_months(start, 3) - start).days
    assert dues["Y1-R3"] == start + dt.timedelta(days=2 * full_time_days)
    assert page(f"/enrolments/{enrolment.id}").select_one(".app-clock") is not None
