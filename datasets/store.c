/*
 * store.c - schema, migrations and small helpers of the SQLite store.
 *
 * Tables (schema version 2; version 2 dates On-Demand prices):
 *   provenance           one row per imported file: name, SHA-256, format, rows
 *   pools                capacity pools: (region, zone, instance_type, product)
 *   spot_prices          price steps of a pool: (pool_id, t_ms) -> usd_per_hour
 *   spot_price_snapshots regional spot prices without a zone (legacy spot.js)
 *   instances            instance inventory: lifecycle, launch, end, end_reason
 *   interruption_events  EventBridge warnings / rebalance recommendations and
 *                        interruptions from flat records (kind says which)
 *   capacity_traces      SkyPilot-shape traces: pool, start, gap, meaning
 *   capacity_samples     their samples (trace_id, idx) -> value
 *   instance_specs       vCPU / memory per type (Spot Advisor)
 *   advisor_ranges       interruption-frequency buckets (Spot Advisor)
 *   advisor              savings % and bucket per (region, os, type, snapshot)
 *   ondemand_prices      (region, instance_type, os, effective_ms) -> usd_per_hour
 *                        (effective_ms since schema version 3)
 *   runs, run_timeline   spotsim run
 *   optimizations, candidates   spotsim optimize
 * Tables whose columns the layers above define (run_results and
 * candidate_results, one column per metric) are created and widened by
 * ss_store_ensure_table, called by their writers (policies/results.c): the
 * store knows no simulation.
 * Schema version 2 (appended):
 *   fit_models           named fitted models (`spotsim fit`): JSON parameters,
 *                        the evidence they came from, the printed report
 *   backtests, backtest_candidates  `spotsim backtest`: predicted vs realized
 * Schema version 3 (appended): On-Demand prices dated (effective_ms);
 *   zone_ids             AZ ID -> AZ name from --zone-map imports
 */
#include "datasets/store.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>


static const char schema_v1_data[] =
    "CREATE TABLE provenance("
    "  id INTEGER PRIMARY KEY,"
    "  file_name TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  format TEXT NOT NULL,"
    "  options TEXT NOT NULL DEFAULT '',"
    "  rows INTEGER NOT NULL,"
    "  skipped INTEGER NOT NULL DEFAULT 0,"
    "  imported_at TEXT NOT NULL,"
    "  UNIQUE(sha256, format, options));"
    "CREATE TABLE pools("
    "  id INTEGER PRIMARY KEY,"
    "  region TEXT NOT NULL,"
    "  zone TEXT NOT NULL,"
    "  instance_type TEXT NOT NULL,"
    "  product TEXT NOT NULL,"
    "  UNIQUE(region, zone, instance_type, product));"
    "CREATE TABLE spot_prices("
    "  pool_id INTEGER NOT NULL REFERENCES pools(id),"
    "  t_ms INTEGER NOT NULL,"
    "  usd_per_hour REAL NOT NULL CHECK(usd_per_hour >= 0),"
    "  source_id INTEGER REFERENCES provenance(id),"
    "  PRIMARY KEY(pool_id, t_ms)) WITHOUT ROWID;"
    "CREATE TABLE spot_price_snapshots("
    "  region TEXT NOT NULL,"
    "  instance_type TEXT NOT NULL,"
    "  os TEXT NOT NULL,"
    "  t_ms INTEGER NOT NULL,"
    "  usd_per_hour REAL NOT NULL,"
    "  source_id INTEGER REFERENCES provenance(id),"
    "  PRIMARY KEY(region, instance_type, os, t_ms));"
    "CREATE TABLE instances("
    "  instance_id TEXT PRIMARY KEY,"
    "  pool_id INTEGER REFERENCES pools(id),"
    "  lifecycle TEXT NOT NULL CHECK(lifecycle IN ('spot','on-demand')),"
    "  launch_ms INTEGER NOT NULL,"
    "  end_ms INTEGER,"
    "  end_reason TEXT,"
    "  source_id INTEGER REFERENCES provenance(id));"
    "CREATE INDEX instances_pool ON instances(pool_id, launch_ms);"
    "CREATE TABLE interruption_events("
    "  id INTEGER PRIMARY KEY,"
    "  event_key TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK(kind IN ('interruption-warning','rebalance-recommendation','interruption')),"
    "  instance_id TEXT NOT NULL,"
    "  t_ms INTEGER NOT NULL,"
    "  region TEXT,"
    "  action TEXT,"
    "  pool_id INTEGER REFERENCES pools(id),"
    "  source_id INTEGER REFERENCES provenance(id));"
    "CREATE INDEX interruption_events_time ON interruption_events(t_ms);"
    "CREATE INDEX interruption_events_pool ON interruption_events(pool_id, t_ms);"
    "CREATE INDEX interruption_events_instance ON interruption_events(instance_id);"
    "CREATE TABLE capacity_traces("
    "  id INTEGER PRIMARY KEY,"
    "  pool_id INTEGER NOT NULL REFERENCES pools(id),"
    "  start_ms INTEGER NOT NULL,"
    "  gap_ms INTEGER NOT NULL CHECK(gap_ms > 0),"
    "  meaning TEXT NOT NULL CHECK(meaning IN ('available-count','preempted-flag','available-flag')),"
    "  capacity INTEGER,"
    "  n_samples INTEGER NOT NULL,"
    "  source_id INTEGER REFERENCES provenance(id),"
    "  UNIQUE(pool_id, start_ms, meaning));"
    "CREATE TABLE capacity_samples("
    "  trace_id INTEGER NOT NULL REFERENCES capacity_traces(id),"
    "  idx INTEGER NOT NULL,"
    "  t_ms INTEGER NOT NULL,"
    "  value INTEGER NOT NULL,"
    "  PRIMARY KEY(trace_id, idx)) WITHOUT ROWID;"
    "CREATE INDEX capacity_samples_time ON capacity_samples(trace_id, t_ms);"
    "CREATE TABLE instance_specs("
    "  instance_type TEXT PRIMARY KEY,"
    "  vcpu REAL,"
    "  memory_mib REAL,"
    "  emr INTEGER,"
    "  source_id INTEGER REFERENCES provenance(id));"
    "CREATE TABLE advisor_ranges("
    "  bucket INTEGER PRIMARY KEY,"
    "  label TEXT NOT NULL,"
    "  max_pct REAL NOT NULL);"
    "CREATE TABLE advisor("
    "  region TEXT NOT NULL,"
    "  os TEXT NOT NULL,"
    "  instance_type TEXT NOT NULL,"
    "  savings_pct INTEGER NOT NULL,"
    "  bucket INTEGER NOT NULL,"
    "  snapshot TEXT NOT NULL,"
    "  source_id INTEGER REFERENCES provenance(id),"
    "  PRIMARY KEY(region, os, instance_type, snapshot));"
    "CREATE TABLE ondemand_prices("
    "  region TEXT NOT NULL,"
    "  instance_type TEXT NOT NULL,"
    "  os TEXT NOT NULL,"
    "  usd_per_hour REAL NOT NULL CHECK(usd_per_hour >= 0),"
    "  source_id INTEGER REFERENCES provenance(id),"
    "  PRIMARY KEY(region, instance_type, os));"
    "CREATE VIEW interruptions AS"
    "  SELECT e.id, e.kind, e.instance_id, e.t_ms, e.action,"
    "         COALESCE(e.pool_id, i.pool_id) AS pool_id, e.source_id"
    "  FROM interruption_events e LEFT JOIN instances i USING(instance_id);";

static const char schema_v1_results_head[] =
    "CREATE TABLE runs("
    "  id INTEGER PRIMARY KEY,"
    "  created_at TEXT NOT NULL,"
    "  scenario_name TEXT NOT NULL,"
    "  scenario_path TEXT,"
    "  scenario_hash TEXT NOT NULL,"
    "  scenario_text TEXT,"
    "  orchestrator TEXT NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  replicas INTEGER NOT NULL,"
    "  horizon_start_ms INTEGER,"
    "  horizon_end_ms INTEGER,"
    "  version TEXT NOT NULL,"
    "  data_provenance TEXT);"
    "CREATE TABLE run_timeline("
    "  run_id INTEGER NOT NULL REFERENCES runs(id),"
    "  replica INTEGER NOT NULL,"
    "  t_ms INTEGER NOT NULL,"
    "  required REAL, healthy REAL, desired REAL, running REAL, pending REAL,"
    "  spot_instances INTEGER, od_instances INTEGER,"
    "  event TEXT);"
    "CREATE INDEX run_timeline_run ON run_timeline(run_id, replica, t_ms);"
    "CREATE TABLE optimizations("
    "  id INTEGER PRIMARY KEY,"
    "  created_at TEXT NOT NULL,"
    "  scenario_name TEXT NOT NULL,"
    "  scenario_path TEXT,"
    "  scenario_hash TEXT NOT NULL,"
    "  scenario_text TEXT,"
    "  method TEXT NOT NULL,"
    "  budget INTEGER NOT NULL,"
    "  replicas INTEGER NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  objectives TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'running',"
    "  version TEXT NOT NULL,"
    "  data_provenance TEXT,"
    "  extra_json TEXT);"
    "CREATE TABLE candidates("
    "  optimization_id INTEGER NOT NULL REFERENCES optimizations(id),"
    "  candidate_id INTEGER NOT NULL,"
    "  generation INTEGER NOT NULL DEFAULT 0,"
    "  params_json TEXT NOT NULL,"
    "  params_hash TEXT NOT NULL,"
    "  PRIMARY KEY(optimization_id, candidate_id));";

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    SS_GROW(*buf, *cap, *len + n + 1);
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static int migrate_to_1(ss_store *st, ss_err *err)
{
    char *sql = NULL;
    size_t len = 0, cap = 0;
    append(&sql, &len, &cap, schema_v1_data);
    append(&sql, &len, &cap, schema_v1_results_head);
    int rc = ss_store_exec(st, sql, err);
    free(sql);
    return rc;
}

/* Version 2: fitted models and backtests (docs/fit.md). */
static int migrate_to_2(ss_store *st, ss_err *err)
{
    return ss_store_exec(
        st,
        "CREATE TABLE fit_models("
        "  name TEXT PRIMARY KEY,"
        "  created_at TEXT NOT NULL,"
        "  from_ms INTEGER,"
        "  to_ms INTEGER,"
        "  model_json TEXT NOT NULL,"
        "  source_json TEXT NOT NULL,"
        "  report_text TEXT);"
        "CREATE TABLE backtests("
        "  id INTEGER PRIMARY KEY,"
        "  created_at TEXT NOT NULL,"
        "  scenario_name TEXT NOT NULL,"
        "  scenario_hash TEXT NOT NULL,"
        "  fold INTEGER NOT NULL,"
        "  train_from_ms INTEGER NOT NULL,"
        "  train_to_ms INTEGER NOT NULL,"
        "  test_from_ms INTEGER NOT NULL,"
        "  test_to_ms INTEGER NOT NULL,"
        "  optimization_id INTEGER,"
        "  model_name TEXT,"
        "  realized_source TEXT NOT NULL,"
        "  slo REAL,"
        "  recommended INTEGER,"
        "  best_hindsight INTEGER,"
        "  summary_json TEXT NOT NULL);"
        "CREATE TABLE backtest_candidates("
        "  backtest_id INTEGER NOT NULL REFERENCES backtests(id),"
        "  candidate_id INTEGER NOT NULL,"
        "  pred_availability REAL, pred_availability_lo REAL, pred_availability_hi REAL,"
        "  real_availability REAL,"
        "  pred_cost_per_month REAL, pred_cost_lo REAL, pred_cost_hi REAL,"
        "  real_cost_per_month REAL,"
        "  availability_covered INTEGER, cost_covered INTEGER,"
        "  pred_slo_met INTEGER, slo_met INTEGER,"
        "  PRIMARY KEY(backtest_id, candidate_id));",
        err);
}

/* Version 3: On-Demand prices carry the date from which they are in effect
 * (effective_ms; 0 = undated, as every price stored by version 1), so that
 * tables of different years live in one store; zone_ids keeps the AZ ID ->
 * name maps of --zone-map imports. */
static int migrate_to_3(ss_store *st, ss_err *err)
{
    return ss_store_exec(st,
                         "CREATE TABLE ondemand_prices_v2("
                         "  region TEXT NOT NULL,"
                         "  instance_type TEXT NOT NULL,"
                         "  os TEXT NOT NULL,"
                         "  effective_ms INTEGER NOT NULL DEFAULT 0,"
                         "  usd_per_hour REAL NOT NULL CHECK(usd_per_hour >= 0),"
                         "  source_id INTEGER REFERENCES provenance(id),"
                         "  PRIMARY KEY(region, instance_type, os, effective_ms));"
                         "INSERT INTO ondemand_prices_v2(region, instance_type, os, effective_ms,"
                         "  usd_per_hour, source_id)"
                         "  SELECT region, instance_type, os, 0, usd_per_hour, source_id"
                         "  FROM ondemand_prices;"
                         "DROP TABLE ondemand_prices;"
                         "ALTER TABLE ondemand_prices_v2 RENAME TO ondemand_prices;"
                         /* AZ ID -> AZ name of earlier --zone-map imports */
                         "CREATE TABLE zone_ids("
                         "  zone_id TEXT PRIMARY KEY,"
                         "  zone_name TEXT NOT NULL,"
                         "  source_id INTEGER REFERENCES provenance(id));",
                         err);
}

/* Version 4: the run timeline carries the USD billed so far (Spot,
 * On-Demand; NULL in runs stored before). */
static int migrate_to_4(ss_store *st, ss_err *err)
{
    return ss_store_exec(st,
                         "ALTER TABLE run_timeline ADD COLUMN spot_cost_usd REAL;"
                         "ALTER TABLE run_timeline ADD COLUMN od_cost_usd REAL;",
                         err);
}

typedef int (*migration_fn)(ss_store *, ss_err *);
static const migration_fn migrations[] = {NULL, migrate_to_1, migrate_to_2, migrate_to_3, migrate_to_4};

int ss_store_exec(ss_store *st, const char *sql, ss_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ss_err_set(err, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int ss_store_begin(ss_store *st, ss_err *err) { return ss_store_exec(st, "BEGIN IMMEDIATE", err); }
int ss_store_commit(ss_store *st, ss_err *err) { return ss_store_exec(st, "COMMIT", err); }
void ss_store_rollback(ss_store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int ss_store_prepare(ss_store *st, const char *sql, sqlite3_stmt **out, ss_err *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK)
        return ss_err_set(err, "%s: %s (in: %.80s)", st->path, sqlite3_errmsg(st->db), sql);
    return 0;
}

static int user_version(ss_store *st, int *v, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st, "PRAGMA user_version", &s, err))
        return -1;
    int rc = sqlite3_step(s);
    *v = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return ss_err_set(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
    return 0;
}

/* ---- Waiting for the lock ------------------------------------------------------------ */

struct ss_store_wait {
    double start, next_notice, limit;
    const char *path;
};

static ss_store_wait_fn g_wait_notice;

void ss_store_set_wait_notice(ss_store_wait_fn fn) { g_wait_notice = fn; }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* sqlite3_busy_handler: n counts the retries of this one wait. Backoff
 * 1 ms, 2 ms, 4 ms ... capped at 100 ms, until the limit; the notice after
 * 2 s and then every 30 s. Returning 0 gives up (SQLITE_BUSY). */
static int on_busy(void *ctx, int n)
{
    struct ss_store_wait *w = ctx;
    double t = now_s();
    if (n == 0) {
        w->start = t;
        w->next_notice = t + 2;
    }
    double waited = t - w->start;
    if (waited >= w->limit)
        return 0;
    if (t >= w->next_notice) {
        if (g_wait_notice)
            g_wait_notice(w->path, waited, w->limit);
        w->next_notice = t + 30;
    }
    int ms = n < 7 ? 1 << n : 100;
    sqlite3_sleep(ms);
    return 1;
}

static double lock_limit(void)
{
    const char *e = getenv("SPOTSIM_LOCK_TIMEOUT");
    char *end;
    double v = e ? strtod(e, &end) : 0;
    return e && end != e && !*end && v >= 0 ? v : SS_STORE_LOCK_WAIT_S;
}

/* ---- Corrupt files ------------------------------------------------------------------- */

static int corrupt(ss_store *st, ss_err *err, const char *why)
{
    return ss_err_set(err, "%s: the store is corrupt or not a spotsim store (%s); restore it from a backup, "
                           "or give another --db and import again",
                      st->path, why);
}

/* A file cut short (a partial copy, a full disk during a copy) still opens:
 * SQLite reads pages lazily. The header says how long it should be
 * (https://www.sqlite.org/fileformat.html, 1.3: page size at offset 16,
 * in-header database size at 28, valid when the change counter at 24 equals
 * the version-valid-for number at 92). In WAL mode the main file is at
 * least that long too (it is only written at checkpoints, page 1 last). */
static int check_length(ss_store *st, ss_err *err)
{
    FILE *f = fopen(st->path, "rb");
    if (!f)
        return 0; /* a new store, or SQLite reports it */
    unsigned char h[100];
    size_t n = fread(h, 1, sizeof h, f);
    struct stat sb;
    int ok = fstat(fileno(f), &sb) == 0;
    fclose(f);
    if (!ok || n == 0)
        return 0;
    if (n < sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
        return corrupt(st, err, n < sizeof h ? "shorter than an SQLite header" : "no SQLite header");
    unsigned page = (unsigned)h[16] << 8 | h[17];
    unsigned long long psize = page == 1 ? 65536 : page;
    unsigned long long pages = (unsigned long long)h[28] << 24 | (unsigned long long)h[29] << 16 |
                               (unsigned long long)h[30] << 8 | h[31];
    bool valid = pages > 0 && !memcmp(h + 24, h + 92, 4);
    if (valid && (unsigned long long)sb.st_size < pages * psize) {
        char why[160];
        snprintf(why, sizeof why, "truncated: %lld bytes of %llu", (long long)sb.st_size, pages * psize);
        return corrupt(st, err, why);
    }
    return 0;
}

static bool is_corrupt_code(ss_store *st)
{
    int c = sqlite3_errcode(st->db) & 0xff;
    return c == SQLITE_CORRUPT || c == SQLITE_NOTADB;
}

/* ---- Open and migrate ---------------------------------------------------------------- */

/* Bring the schema to SS_STORE_SCHEMA_VERSION. The version is read inside
 * BEGIN IMMEDIATE, so of two processes creating one store at once, the
 * second waits for the first and then finds nothing to do. */
static int migrate(ss_store *st, ss_err *err)
{
    int v;
    if (ss_store_begin(st, err) || user_version(st, &v, err)) {
        ss_store_rollback(st);
        return -1;
    }
    for (int next = v + 1; next <= SS_STORE_SCHEMA_VERSION; next++) {
        if (migrations[next](st, err)) {
            ss_store_rollback(st);
            return ss_err_prefix(err, "migrating store to schema version %d", next);
        }
    }
    if (v < SS_STORE_SCHEMA_VERSION) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", SS_STORE_SCHEMA_VERSION);
        if (ss_store_exec(st, pragma, err)) {
            ss_store_rollback(st);
            return -1;
        }
    }
    if (ss_store_commit(st, err)) {
        ss_store_rollback(st);
        return -1;
    }
    return 0;
}

static bool is_busy_code(ss_store *st)
{
    int c = sqlite3_errcode(st->db) & 0xff;
    return c == SQLITE_BUSY || c == SQLITE_LOCKED;
}

/* WAL mode, version check, migration: 0 done, -1 failed, 1 busy (retry). */
static int open_steps(ss_store *st, int readonly, ss_err *err)
{
    if (!readonly && ss_store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", err))
        return is_busy_code(st) ? 1 : -1;
    int v;
    if (user_version(st, &v, err))
        return is_busy_code(st) ? 1 : -1;
    if (v > SS_STORE_SCHEMA_VERSION)
        return ss_err_set(err, "%s: store schema version %d is newer than this spotsim (%d)", st->path, v,
                          SS_STORE_SCHEMA_VERSION);
    if (v < SS_STORE_SCHEMA_VERSION && readonly)
        return ss_err_set(err, "%s: store schema version %d needs migration; open it read-write once",
                          st->path, v);
    if (v < SS_STORE_SCHEMA_VERSION && migrate(st, err))
        return is_busy_code(st) ? 1 : -1;
    return 0;
}

int ss_store_open(ss_store *st, const char *path, int readonly, ss_err *err)
{
    memset(st, 0, sizeof *st);
    snprintf(st->path, sizeof st->path, "%s", path ? path : SS_STORE_DEFAULT_PATH);
    if (check_length(st, err))
        return -1;
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(st->path, &st->db, flags, NULL) != SQLITE_OK) {
        ss_err_set(err, "%s: cannot open store: %s", st->path,
                   st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite3_close(st->db);
        st->db = NULL;
        return -1;
    }
    st->wait = ss_calloc(1, sizeof *st->wait);
    st->wait->limit = lock_limit();
    st->wait->path = st->path;
    sqlite3_busy_handler(st->db, on_busy, st->wait);
    if (ss_store_exec(st, "PRAGMA foreign_keys=ON", err))
        goto fail;
    /* Setting WAL mode and reading the version can meet SQLITE_BUSY without
     * the busy handler being called (SQLite skips it where waiting could
     * deadlock, e.g. while another process creates the file or switches it
     * to WAL): those steps are retried here with the same backoff, limit
     * and notice. */
    struct ss_store_wait outer = *st->wait;
    for (int n = 0;; n++) {
        int rc = open_steps(st, readonly, err);
        if (rc <= 0) {
            if (rc < 0)
                goto fail;
            break;
        }
        if (!on_busy(&outer, n)) {
            ss_err_set(err, "%s: database is locked (waited %.0f s for another writer)", st->path,
                       st->wait->limit);
            goto fail;
        }
    }
    return 0;
fail:
    if (st->db && is_corrupt_code(st))
        corrupt(st, err, sqlite3_errmsg(st->db));
    sqlite3_close(st->db);
    st->db = NULL;
    free(st->wait);
    st->wait = NULL;
    return -1;
}

void ss_store_close(ss_store *st)
{
    if (st && st->db) {
        sqlite3_close(st->db);
        st->db = NULL;
    }
    if (st) {
        free(st->wait);
        st->wait = NULL;
    }
}

int ss_store_pool_id(ss_store *st, const char *region, const char *zone, const char *instance_type,
                     const char *product, sqlite3_int64 *out, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "INSERT INTO pools(region, zone, instance_type, product) VALUES(?,?,?,?)"
                         " ON CONFLICT DO UPDATE SET region=excluded.region RETURNING id",
                         &s, err))
        return -1;
    sqlite3_bind_text(s, 1, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, instance_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, product, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        ss_err_set(err, "%s: pool %s/%s/%s: %s", st->path, zone, instance_type, product,
                   sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
        return -1;
    }
    *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return 0;
}

int ss_region_of_zone(const char *zone, char *region, size_t n)
{
    size_t len = strlen(zone);
    /* AZ name: <region><letter>, region ends in a digit: us-east-1a, eu-west-3c */
    if (len >= 4 && islower((unsigned char)zone[len - 1]) && isdigit((unsigned char)zone[len - 2]) &&
        strchr(zone, '-')) {
        if (len - 1 >= n)
            return -1;
        memcpy(region, zone, len - 1);
        region[len - 1] = '\0';
        return 0;
    }
    /* AZ ID: <short>-az<N>, e.g. use1-az4, euw3-az1, apne1-az2 */
    static const struct {
        const char *prefix, *area;
    } areas[] = {{"use", "us-east-"},      {"usw", "us-west-"},     {"euw", "eu-west-"},
                 {"euc", "eu-central-"},   {"eun", "eu-north-"},    {"eus", "eu-south-"},
                 {"apne", "ap-northeast-"}, {"apse", "ap-southeast-"}, {"aps", "ap-south-"},
                 {"ape", "ap-east-"},      {"cac", "ca-central-"},  {"sae", "sa-east-"},
                 {"mec", "me-central-"},   {"mes", "me-south-"},    {"afs", "af-south-"},
                 {"ilc", "il-central-"}};
    const char *dash = strstr(zone, "-az");
    if (!dash || dash == zone)
        return -1;
    for (const char *p = dash + 3; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    if (!dash[3])
        return -1;
    size_t plen = (size_t)(dash - zone);
    for (size_t i = 0; i < SS_ARRAY_LEN(areas); i++) {
        size_t al = strlen(areas[i].prefix);
        if (plen > al && !strncmp(zone, areas[i].prefix, al)) {
            const char *num = zone + al;
            for (const char *p = num; p < dash; p++)
                if (!isdigit((unsigned char)*p))
                    goto next;
            if (snprintf(region, n, "%s%.*s", areas[i].area, (int)(dash - num), num) >= (int)n)
                return -1;
            return 0;
        }
    next:;
    }
    return -1;
}

/* Whether table `name` has column `col` (PRAGMA table_info). */
static int has_column(ss_store *st, const char *name, const char *col, int *found, ss_err *err)
{
    sqlite3_stmt *s;
    *found = 0;
    if (ss_store_prepare(st, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", &s, err))
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, col, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ss_err_set(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
    return 0;
}

int ss_store_ensure_table(ss_store *st, const char *name, const char *keys, const char *pk,
                          const ss_store_column *cols, size_t n, ss_err *err)
{
    ss_buf sql = {0};
    ss_buf_printf(&sql, "CREATE TABLE IF NOT EXISTS %s(%s", name, keys);
    for (size_t i = 0; i < n; i++)
        ss_buf_printf(&sql, ", %s %s", cols[i].name, cols[i].is_int ? "INTEGER" : "REAL");
    ss_buf_printf(&sql, ", extra_json TEXT, PRIMARY KEY(%s));", pk);
    int rc = ss_store_exec(st, sql.s, err);
    free(sql.s);
    /* A table made by an older spotsim lacks the columns added since. */
    for (size_t i = 0; !rc && i < n; i++) {
        int found;
        if (has_column(st, name, cols[i].name, &found, err))
            return -1;
        if (found)
            continue;
        char alter[256];
        snprintf(alter, sizeof alter, "ALTER TABLE %s ADD COLUMN %s %s", name, cols[i].name,
                 cols[i].is_int ? "INTEGER" : "REAL");
        rc = ss_store_exec(st, alter, err);
    }
    return rc;
}
