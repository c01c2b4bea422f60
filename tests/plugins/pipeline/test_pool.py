"""The pool: nightly release by company days (midnight, DST), claims within limits, events kept.

Company time is Europe/Berlin; summer time ends on 25 October 2026 at 03:00 (UTC+2 → UTC+1).
pool_after_days = 3, max_owned = 2, claim_cooldown_days = 7.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core import dates
from plugins.pipeline import deals, followups, pool
from plugins.pipeline.deals import DealInput
from plugins.pipeline.jobs import release_to_pool
from plugins.pipeline.models import PoolEvent
from plugins.pipeline.pool import PoolError

BERLIN = dt.timezone(dt.timedelta(hours=2))  # summer time
WINTER = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def app(make_app):
    return make_app(
        plugins=["pipeline"],
        settings={"pipeline": {"pool_after_days": 3, "max_owned": 2, "claim_cooldown_days": 7}},
        timezone="Europe/Berlin",
    )


def at(year, month, day, hour, minute, zone):
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


@pytest.fixture
def old_deals(book, db):
    with dates.clock(at(2026, 10, 1, 10, 0, BERLIN)):
        late = deals.open_deal(DealInput("Late evening call", book.sam, customer=book.c1), book.sam)
        after_midnight = deals.open_deal(
            DealInput("Just after midnight", book.sam, customer=book.c1), book.sam
        )
        busy = deals.open_deal(DealInput("Busy", book.sue, customer=book.c2), book.sue)
        lost = deals.open_deal(DealInput("Lost one", book.sue, prospect_name="Pat"), book.sue)
    with dates.clock(at(2026, 10, 22, 23, 30, BERLIN)):  # day 22 Oct, 21:30 UTC
        followups.log_follow_up("call", book.sam, deal=late)
    with dates.clock(at(2026, 10, 23, 0, 10, BERLIN)):  # day 23 Oct, still 22 Oct in UTC
        followups.log_follow_up("call", book.sam, deal=after_midnight)
    with dates.clock(at(2026, 10, 24, 12, 0, BERLIN)):
        followups.log_follow_up("visit", book.sue, deal=busy)
    deals.move(lost, deals.stage_records.stage_of_kind("lost"), book.sue,
               lost_reason=deals.stage_records.reason_named("Price"),
               at=dates.from_company_time(at(2026, 10, 2, 9, 0, BERLIN)))  # fmt: skip
    db.session.commit()
    return late, after_midnight, busy, lost


def run_job(moment):
    with dates.clock(moment):
        return release_to_pool()


def test_release_counts_company_days_across_midnight_and_dst(old_deals, book, db):
    late, after_midnight, busy, lost = old_deals
    # 25 Oct 01:20 (before the switch): released what was last touched on 22 Oct or before.
    first = run_job(at(2026, 10, 25, 1, 20, BERLIN))
    assert first.deals == 1
    assert late.owner_id is None
    assert after_midnight.owner_id == book.sam.id  # 23 Oct in Berlin, though 22 Oct in UTC
    # 26 Oct 01:20, now winter time: 23 Oct is three days back.
    second = run_job(at(2026, 10, 26, 1, 20, WINTER))
    assert second.deals == 1 and after_midnight.owner_id is None
    assert busy.owner_id == book.sue.id  # followed up on 24 Oct
    assert lost.owner_id == book.sue.id  # closed deals never go to the pool
    events = pool.events(deal_id=late.id)
    assert [(e.action, e.user.email) for e in events] == [("release", "sam@example.com")]
    assert run_job(at(2026, 10, 26, 1, 25, WINTER)).deals == 0  # the job is idempotent


def test_customers_go_to_the_pool_too(book, make_customer, db):
    with dates.clock(at(2026, 10, 1, 10, 0, BERLIN)):
        quiet = make_customer(name="Quiet Customer", owner_id=book.sam.id)
        talked = make_customer(name="Talked To", owner_id=book.sam.id)
    with dates.clock(at(2026, 10, 24, 9, 0, BERLIN)):
        followups.log_follow_up("call", book.sam, customer=talked)
    db.session.commit()
    released = run_job(at(2026, 10, 25, 1, 20, BERLIN))
    assert released.customers >= 1
    assert quiet.owner_id is None and talked.owner_id == book.sam.id
    assert quiet in list(db.session.scalars(pool.pool_customers()))
    with dates.clock(at(2026, 10, 25, 9, 0, BERLIN)):
        pool.claim_customer(quiet, book.sue)
    assert quiet.owner_id == book.sue.id
    assert [e.action for e in pool.events(customer_id=quiet.id)] == ["release", "claim"]


def test_claims_respect_the_limit_and_the_cooldown(old_deals, book, db):
    late, after_midnight, busy, lost = old_deals
    run_job(at(2026, 10, 26, 1, 20, WINTER))  # both of Sam's deals released
    with dates.clock(at(2026, 10, 30, 9, 0, WINTER)), pytest.raises(PoolError) as refused:
        pool.claim_deal(late, book.sam)
    assert "released from you on 2026-10-26" in str(refused.value)
    assert "claim it again from 2026-11-02" in str(refused.value)
    assert late.owner_id is None
    with dates.clock(at(2026, 11, 2, 9, 0, WINTER)):
        pool.claim_deal(late, book.sam)  # the cool-down is over
    assert late.owner_id == book.sam.id
    # Sue owns "Busy"; a second deal is her limit (max_owned = 2), a third is refused.
    with dates.clock(at(2026, 11, 2, 9, 5, WINTER)):
        pool.claim_deal(after_midnight, book.sue)
        extra = deals.open_deal(DealInput("Pool deal", None, customer=book.c2), book.manager)
        with pytest.raises(PoolError, match="already own 2 open deals"):
            pool.claim_deal(extra, book.sue)
        with pytest.raises(PoolError, match="not in the pool"):
            pool.claim_deal(late, book.sue)
        with pytest.raises(PoolError, match="Only an open deal"):
            lost.owner_id = None
            pool.claim_deal(lost, book.sue)
    actions = db.session.execute(
        select(PoolEvent.opportunity_id, PoolEvent.action, PoolEvent.user_id).order_by(PoolEvent.id)
    ).all()
    assert actions == [
        (late.id, "release", book.sam.id),
        (after_midnight.id, "release", book.sam.id),
        (late.id, "claim", book.sam.id),
        (after_midnight.id, "claim", book.sue.id),
    ]


def test_no_pool_when_pool_after_days_is_zero(make_app, book, db):
    make_app(plugins=["pipeline"], settings={"pipeline": {"pool_after_days": 0}})
    assert pool.release_stale(dt.date(2030, 1, 1)) == pool.Released(0, 0)


def test_pool_page_and_claim_button(old_deals, book, client, login_as, db):
    late, *_ = old_deals
    run_job(at(2026, 10, 25, 1, 20, BERLIN))
    login_as(book.sue)
    page = client.get("/pipeline/pool").get_data(as_text=True)
    assert "Late evening call" in page and "Claim" in page
    assert client.get(f"/pipeline/deals/{late.id}").status_code == 200  # the pool is visible
    assert client.get(f"/pipeline/deals/{late.id}/edit").status_code == 403  # not yet hers
    response = client.post(f"/pipeline/pool/deals/{late.id}/claim")
    assert response.status_code == 302
    db.session.refresh(late)
    assert late.owner_id == book.sue.id
    assert client.get(f"/pipeline/deals/{late.id}/edit").status_code == 200
    # a claimed deal is no longer in the pool; claiming again says why and changes nothing
    client.post(f"/pipeline/pool/deals/{late.id}/claim")
    db.session.refresh(late)
    assert late.owner_id == book.sue.id


def test_the_job_is_registered(app):
    from core.jobs import collect_jobs

    assert "pipeline.release_to_pool" in collect_jobs(app)
