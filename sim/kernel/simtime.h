/*
 * simtime.h - simulation time: int64 milliseconds since the Unix epoch (UTC).
 *
 * Real AWS timestamps map onto it exactly and ties are exact. Parsing accepts
 * the shapes found in AWS exports:
 *   2016-04-25T12:00:22.000Z     2020-05-24T23:00:03+00:00
 *   2023-08-03T00:00:00Z         2014-02-16 18:13:46   (no zone = UTC)
 *   2016-04-25T12:00:22.5-05:00  2016-04-25 (midnight UTC)
 * Fractions beyond milliseconds are truncated toward zero.
 */
#ifndef SPOTSIM_SIMTIME_H
#define SPOTSIM_SIMTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t ss_time; /* ms since 1970-01-01T00:00:00Z */

#define SS_SECOND ((ss_time)1000)
#define SS_MINUTE ((ss_time)60 * SS_SECOND)
#define SS_HOUR ((ss_time)60 * SS_MINUTE)
#define SS_DAY ((ss_time)24 * SS_HOUR)
#define SS_TIME_NEVER INT64_MAX

/* Parse an ISO-8601 timestamp (see above). Returns 0 and sets *out, or -1 if
 * the text is not exactly one valid timestamp (calendar checked). */
int ss_time_parse(const char *s, ss_time *out);
/* Same, for a text of length n (need not be NUL-terminated). */
int ss_time_parse_n(const char *s, size_t n, ss_time *out);

/* Format as 2016-04-25T12:00:22Z, or with .mmm when ms != 0.
 * buf must hold SS_TIME_BUFLEN bytes. Returns buf. */
#define SS_TIME_BUFLEN 48
char *ss_time_format(ss_time t, char *buf);

/* Days since the epoch of a civil date, and back (proleptic Gregorian). */
int64_t ss_days_from_civil(int64_t y, unsigned m, unsigned d);
void ss_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Parse a duration: "90s", "5m", "2h", "30d", "1500ms", "1y" (365 d), or a bare
 * number of seconds. Returns 0 or -1. */
int ss_duration_parse(const char *s, ss_time *out);

#endif
