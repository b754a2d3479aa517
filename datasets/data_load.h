/*
 * data_load.h - load the market data a scenario's market section names from
 * the store, once, for every evaluation (docs/market.md, "Loading market
 * data").
 */
#ifndef SPOTSIM_DATA_LOAD_H
#define SPOTSIM_DATA_LOAD_H

#include "datasets/market_data.h"
#include "datasets/market_spec.h"
#include "datasets/store.h"

/* Load everything market m needs over the horizon [start, end) (both 0: all
 * the data there is). Fails with a clear message when a type/zone has no
 * price data and no way to price it. */
int ss_data_load(ss_store *st, const ss_market *m, ss_time start, ss_time end, ss_data **out,
                 ss_err *err);

#endif
