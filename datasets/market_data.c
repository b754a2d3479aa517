/*
 * market_data.c - building and freeing the read-only market data of a scenario.
 * (Loading it from the store is in datasets/data_load.c.)
 */
#include "datasets/market_data.h"

#include <stdlib.h>
#include <string.h>

ss_data *ss_data_new(int n_types, int n_zones)
{
    ss_data *d = ss_calloc(1, sizeof *d);
    d->n_types = n_types < 0 ? 0 : n_types;
    d->n_zones = n_zones < 0 ? 0 : n_zones;
    size_t n = (size_t)d->n_types * (size_t)d->n_zones;
    d->pools = ss_calloc(n ? n : 1, sizeof *d->pools);
    for (size_t i = 0; i < n; i++) {
        ss_pool *p = &d->pools[i];
        p->type_idx = (int)(i / (size_t)d->n_zones);
        p->zone_idx = (int)(i % (size_t)d->n_zones);
        p->advisor_bucket = -1;
        p->advisor_savings_pct = -1;
    }
    return d;
}

void ss_price_series_set(ss_price_series *s, const ss_time *t, const double *usd, size_t n)
{
    free(s->t);
    free(s->usd_per_hour);
    free(s->prefix);
    memset(s, 0, sizeof *s);
    if (n == 0)
        return;
    s->n = n;
    s->t = ss_malloc(n * sizeof *s->t);
    s->usd_per_hour = ss_malloc(n * sizeof *s->usd_per_hour);
    s->prefix = ss_malloc(n * sizeof *s->prefix);
    memcpy(s->t, t, n * sizeof *t);
    memcpy(s->usd_per_hour, usd, n * sizeof *usd);
    s->prefix[0] = 0.0;
    for (size_t i = 1; i < n; i++)
        s->prefix[i] = s->prefix[i - 1] + usd[i - 1] * (double)(t[i] - t[i - 1]);
}

static void pool_free(ss_pool *p)
{
    ss_price_series_set(&p->spot, NULL, NULL, 0);
    ss_price_series_set(&p->ondemand, NULL, NULL, 0);
    free(p->bursts);
    free(p->cap_t);
    free(p->cap_value);
    free(p->cov_lo);
    free(p->cov_hi);
}

void ss_data_free(ss_data *d)
{
    if (!d)
        return;
    size_t n = (size_t)d->n_types * (size_t)d->n_zones;
    for (size_t i = 0; i < n; i++)
        pool_free(&d->pools[i]);
    free(d->pools);
    free(d->provenance_json);
    free(d);
}

int ss_data_horizon(ss_time sc_start, ss_time sc_end, const ss_data *d, const char *who,
                    ss_time *start, ss_time *end, ss_err *err)
{
    bool dflt = sc_start == 0 && sc_end == 0;
    *start = dflt ? d->span_start : sc_start;
    *end = dflt ? d->span_end : sc_end;
    if (*end > *start)
        return 0;
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
    if (dflt && d->span_why[0])
        return ss_err_set(err, "%s: %s", who, d->span_why);
    return ss_err_set(err, "%s: empty horizon %s .. %s%s", who, ss_time_format(*start, a),
                      ss_time_format(*end, b),
                      dflt ? " (no horizon set: the span all the market data covers)" : "");
}
