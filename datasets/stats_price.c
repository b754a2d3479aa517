/*
 * stats_price.c - spot price statistics of a group of pools: record
 * min/median/mean/max, the time-weighted mean of the step function, the number
 * of price changes and savings against On-Demand.
 *
 * The price history of a pool is a step function (modeling-notes §1): a
 * record holds until the next one. Time before the pool's first record is
 * uncovered and left out of the time-weighted mean. When the window has no
 * end, a pool's step function is taken to end at its last record, whose
 * duration is unknown (so a series never stretches to another data set's
 * end).
 */
#include <math.h>
#include <stdlib.h>

#include "datasets/stats_internal.h"

void ssx_price_pieces(const ssx_data *d, const ssx_pool *p, ssx_piece_fn fn, void *ctx)
{
    if (p->n_prices == 0)
        return;
    ss_time end = d->to != SS_STATS_OPEN_TO ? d->to : p->pt[p->n_prices - 1];
    for (size_t i = 0; i < p->n_prices; i++) {
        ss_time a = p->pt[i];
        ss_time b = i + 1 < p->n_prices ? p->pt[i + 1] : end;
        if (a < d->from)
            a = d->from;
        if (b > end)
            b = end;
        if (b > a)
            fn(ctx, a, b, p->pp[i]);
    }
}

static void add_piece(void *ctx, ss_time a, ss_time b, double price)
{
    ssx_acc *acc = ctx;
    acc->integral += price * (double)(b - a);
    acc->covered_ms += (double)(b - a);
}

void ssx_price_accumulate(const ssx_data *d, const ssx_pool *p, ssx_acc *a)
{
    if (p->n_prices == 0)
        return;
    for (size_t i = 0; i < p->n_prices; i++) {
        if (p->pt[i] < d->from || p->pt[i] >= d->to)
            continue;
        SS_GROW(a->recs, a->cap_recs, a->n_recs + 1);
        a->recs[a->n_recs++] = p->pp[i];
        a->rec_sum += p->pp[i];
        if (i > 0 && p->pp[i] != p->pp[i - 1])
            a->changes++;
    }
    double before = a->covered_ms;
    ssx_price_pieces(d, p, add_piece, a);
    double covered = a->covered_ms - before;
    if (d->from != SS_STATS_OPEN_FROM && p->pt[0] > d->from) {
        ss_time end = d->to != SS_STATS_OPEN_TO ? d->to : p->pt[0];
        a->uncovered_ms += (double)((p->pt[0] < end ? p->pt[0] : end) - d->from);
    }
    if (isnan(p->od)) {
        if (covered > 0)
            a->od_missing = true;
        return;
    }
    if (!isnan(a->od_last) && a->od_last != p->od)
        a->od_differs = true;
    a->od_last = p->od;
    a->od_integral += p->od * covered;
    a->od_covered_ms += covered;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

void ssx_price_finish(const ssx_acc *a, ss_stats_row *r)
{
    r->price_records = (long)a->n_recs;
    r->price_changes = a->changes;
    r->price_min = r->price_median = r->price_mean = r->price_max = NAN;
    if (a->n_recs) {
        qsort(a->recs, a->n_recs, sizeof *a->recs, cmp_double);
        size_t n = a->n_recs;
        r->price_min = a->recs[0];
        r->price_max = a->recs[n - 1];
        r->price_median = n % 2 ? a->recs[n / 2] : 0.5 * (a->recs[n / 2 - 1] + a->recs[n / 2]);
        r->price_mean = a->rec_sum / (double)n;
    }
    r->price_covered_hours = a->covered_ms / (double)SS_HOUR;
    r->price_uncovered_hours = a->uncovered_ms / (double)SS_HOUR;
    r->price_twmean = a->covered_ms > 0 ? a->integral / a->covered_ms : NAN;
    /* A group's On-Demand price is the covered-time weighted one, so that
     * the ratio compares like with like; shown when the pools agree. */
    r->ondemand = a->od_differs ? NAN : a->od_last;
    r->savings_ratio = r->savings_pct = NAN;
    if (!a->od_missing && a->od_covered_ms > 0 && a->integral > 0) {
        r->savings_ratio = a->od_integral / a->integral;
        r->savings_pct = 100.0 * (1.0 - a->integral / a->od_integral);
    } else if (!a->od_missing && a->od_covered_ms > 0 && a->integral == 0) {
        r->savings_pct = 100.0; /* a free spot price: ratio undefined */
    }
}
