/*
 * simtime.c - exact conversion between ISO-8601 text and ss_time.
 *
 * The civil-date arithmetic is Howard Hinnant's days_from_civil algorithm: no
 * dependence on the process time zone (unlike mktime) and no table lookups.
 */
#include "sim/kernel/simtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t ss_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void ss_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t n, size_t at, size_t count, unsigned *out)
{
    if (at + count > n)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < count; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (unsigned)(c - '0');
    }
    *out = v;
    return 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int ss_time_parse_n(const char *s, size_t n, ss_time *out)
{
    unsigned Y, M, D, h = 0, mi = 0, sec = 0, ms = 0;
    size_t i = 0;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (digits(s, n, i, 4, &Y) || i + 4 >= n || s[i + 4] != '-' ||
        digits(s, n, i + 5, 2, &M) || i + 7 >= n || s[i + 7] != '-' ||
        digits(s, n, i + 8, 2, &D))
        return -1;
    i += 10;
    if (M < 1 || M > 12 || D < 1 || D > days_in_month(Y, M))
        return -1;
    int64_t offset_min = 0;
    if (i < n) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return -1;
        i++;
        if (digits(s, n, i, 2, &h) || i + 2 >= n || s[i + 2] != ':' || digits(s, n, i + 3, 2, &mi))
            return -1;
        i += 5;
        if (i < n && s[i] == ':') {
            if (digits(s, n, i + 1, 2, &sec))
                return -1;
            i += 3;
        }
        if (h > 23 || mi > 59 || sec > 60)
            return -1;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            i++;
            size_t nd = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (nd < 3)
                    ms = ms * 10 + (unsigned)(s[i] - '0');
                nd++;
                i++;
            }
            if (nd == 0)
                return -1;
            for (; nd < 3; nd++)
                ms *= 10;
        }
        if (i < n) {
            if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                unsigned oh, om = 0;
                int sign = s[i] == '-' ? -1 : 1;
                if (digits(s, n, i + 1, 2, &oh))
                    return -1;
                i += 3;
                if (i < n && s[i] == ':')
                    i++;
                if (i < n) {
                    if (digits(s, n, i, 2, &om))
                        return -1;
                    i += 2;
                }
                if (i != n || oh > 23 || om > 59)
                    return -1;
                offset_min = sign * (int64_t)(oh * 60 + om);
            } else {
                return -1;
            }
        }
    }
    if (i != n)
        return -1;
    int64_t days = ss_days_from_civil(Y, M, D);
    int64_t secs = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec - offset_min * 60;
    *out = secs * 1000 + ms;
    return 0;
}

int ss_time_parse(const char *s, ss_time *out)
{
    if (!s)
        return -1;
    return ss_time_parse_n(s, strlen(s), out);
}

char *ss_time_format(ss_time t, char *buf)
{
    int64_t secs = t / 1000, ms = t % 1000;
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    ss_civil_from_days(days, &y, &m, &d);
    int hh = (int)(rem / 3600), mm = (int)(rem % 3600 / 60), ss = (int)(rem % 60);
    if (ms)
        snprintf(buf, SS_TIME_BUFLEN, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
                 hh, mm, ss, (int)ms);
    else
        snprintf(buf, SS_TIME_BUFLEN, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, hh,
                 mm, ss);
    return buf;
}

int ss_duration_parse(const char *s, ss_time *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0 || v != v)
        return -1;
    double unit;
    if (!*end || !strcmp(end, "s"))
        unit = 1000.0;
    else if (!strcmp(end, "ms"))
        unit = 1.0;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        unit = 60e3;
    else if (!strcmp(end, "h"))
        unit = 3600e3;
    else if (!strcmp(end, "d"))
        unit = 86400e3;
    else if (!strcmp(end, "w"))
        unit = 7 * 86400e3;
    else if (!strcmp(end, "y"))
        unit = 365 * 86400e3;
    else
        return -1;
    double ms = v * unit;
    if (ms > 9.2e18)
        return -1;
    *out = (ss_time)(ms + 0.5);
    return 0;
}
