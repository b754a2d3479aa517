/*
 * slo.c - the one rule for reading an availability SLO, wherever it is given
 * (`optimize --slo`, the scenario's `search.slo`):
 *
 *   "99.9%"  a percentage (the sign is required): 0 < value <= 100
 *   "0.999"  a fraction below 1
 *
 * A bare number of 1 or more is refused: "99.9" can only be a percentage but
 * "1" reads as 100 % or as 1 %, and accepting the one while refusing the other
 * would make the rule depend on the value. The message says how to write it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scenario_io.h"
#include "sim/scenario/yaml_bind.h"

int ss_slo_parse(const char *text, bool allow_zero, double *frac, ss_err *err)
{
    char buf[64];
    if (!text || !*text)
        return ss_err_set(err, "expected an availability like 99.9%% or 0.999, got nothing");
    if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf)
        return ss_err_set(err, "expected an availability like 99.9%% or 0.999, got '%.40s...'", text);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = 0;
    bool pct = n > 0 && buf[n - 1] == '%';
    if (pct) {
        buf[--n] = 0;
        while (n > 0 && buf[n - 1] == ' ')
            buf[--n] = 0;
    }
    double v;
    if (ss_bind_parse_double(buf, &v) || !isfinite(v))
        return ss_err_set(err, "expected an availability like 99.9%% or 0.999, got '%s'", text);
    if (pct) {
        if (!(v > 0 && v <= 100))
            return ss_err_set(err, "'%s': a percentage must be in (0, 100]", text);
        *frac = v / 100.0;
        return 0;
    }
    if (v == 1)
        return ss_err_set(err, "'%s' can be read two ways (100%% or 1%%): write 100%% or 1%%", text);
    if (v > 1 && v <= 100)
        return ss_err_set(err,
                          "'%s' can be read two ways (a fraction or a percentage): write %s%% "
                          "for a percentage, or the fraction %.6g",
                          text, buf, v / 100.0);
    if (v > 100)
        return ss_err_set(err, "'%s': expected a percentage like 99.9%% or a fraction below 1", text);
    if (v < 0 || (v == 0 && !allow_zero))
        return ss_err_set(err, "'%s': an availability must be above 0", text);
    *frac = v;
    return 0;
}
