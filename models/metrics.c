/*
 * metrics.c - the metric table generated from SS_METRICS.
 */
#include "models/metrics.h"

#include <string.h>

const ss_metric_info ss_metric_table[SS_METRIC_COUNT] = {
#define SS_X_INFO(name, type, unit, desc) {#name, unit, desc, sizeof(SS_METRIC_TYPE_##type) == 8 && #type[0] == 'I'},
    SS_METRICS(SS_X_INFO)
#undef SS_X_INFO
};

double ss_metrics_get(const ss_metrics *m, int id)
{
    switch (id) {
#define SS_X_GET(name, type, unit, desc)                                                       \
    case SS_METRIC_##name:                                                                     \
        return (double)m->name;
        SS_METRICS(SS_X_GET)
#undef SS_X_GET
    default:
        return 0.0;
    }
}

void ss_metrics_set(ss_metrics *m, int id, double v)
{
    switch (id) {
#define SS_X_SET(name, type, unit, desc)                                                       \
    case SS_METRIC_##name:                                                                     \
        m->name = (SS_METRIC_TYPE_##type)v;                                                    \
        break;
        SS_METRICS(SS_X_SET)
#undef SS_X_SET
    default:
        break;
    }
}

int ss_metric_lookup(const char *name)
{
    for (int i = 0; i < SS_METRIC_COUNT; i++)
        if (!strcmp(ss_metric_table[i].name, name))
            return i;
    return -1;
}
