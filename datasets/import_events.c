/*
 * import_events.c - interruption logs: EventBridge "EC2 Spot Instance
 * Interruption Warning" / "EC2 Instance Rebalance Recommendation" events (a
 * JSON array or one event per line), the instance inventory CSV and the flat
 * interruption-record CSV.
 *
 * Events carry no instance type or zone (as in reality); they are joined with
 * the inventory through the `interruptions` view, so events.pool_id stays NULL.
 * Flat records know their pool and are stored with it.
 */
#include "datasets/import_internal.h"

#include <ctype.h>
#include <string.h>

static int bad_rc(int rc) { return rc < 0 ? -1 : 0; }

static int check_instance_id(ss_imp *c, const char *field, const char *v)
{
    /* i- followed by 8 or 17 hex digits */
    size_t n = strlen(v);
    int ok = n >= 10 && n <= 19 && v[0] == 'i' && v[1] == '-';
    for (size_t i = 2; ok && i < n; i++)
        ok = isxdigit((unsigned char)v[i]) && !isupper((unsigned char)v[i]);
    if (!ok)
        return ss_imp_bad(c, "field '%s': value '%.60s' is not an instance id (i-0123abcd...)",
                          field, v);
    return 0;
}

/* Insert one event; identical re-insert = duplicate, different = conflict. */
static int put_event(ss_imp *c, const char *key, const char *kind, const char *instance, ss_time t,
                     const char *region, const char *action, sqlite3_int64 pool)
{
    sqlite3_stmt *s = ss_imp_stmt(c, SS_IMP_ST_EVENT_INS,
                                  "INSERT INTO interruption_events(event_key, kind, instance_id, t_ms,"
                                  " region, action, pool_id, source_id) VALUES(?,?,?,?,?,?,?,?)"
                                  " ON CONFLICT DO NOTHING");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_text(s, 5, region, -1, SQLITE_STATIC);
    if (action)
        sqlite3_bind_text(s, 6, action, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 6);
    if (pool > 0)
        sqlite3_bind_int64(s, 7, pool);
    else
        sqlite3_bind_null(s, 7);
    sqlite3_bind_int64(s, 8, c->source_id);
    int rc = ss_imp_step_insert(c, s);
    if (rc < 0)
        return -1;
    ss_imp_span(c, t);
    if (rc == 1) {
        c->res->added++;
        return 0;
    }
    sqlite3_stmt *g = ss_imp_stmt(c, SS_IMP_ST_EVENT_GET,
                                  "SELECT kind = ? AND instance_id = ? AND t_ms = ?"
                                  " FROM interruption_events WHERE event_key=?");
    if (!g)
        return -1;
    sqlite3_bind_text(g, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(g, 2, instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(g, 3, t);
    sqlite3_bind_text(g, 4, key, -1, SQLITE_STATIC);
    int same = sqlite3_step(g) == SQLITE_ROW && sqlite3_column_int(g, 0);
    sqlite3_reset(g);
    if (same) {
        c->res->duplicates++;
        return 0;
    }
    return bad_rc(ss_imp_bad(c, "field 'id': value '%.60s' is already stored for another event "
                             "(conflicting duplicate)", key));
}

/* Insert one instance; identical = duplicate, different = conflict. */
static int put_instance(ss_imp *c, const char *id, sqlite3_int64 pool, const char *lifecycle,
                        ss_time launch, const ss_time *end, const char *reason)
{
    sqlite3_stmt *s = ss_imp_stmt(c, SS_IMP_ST_INST_INS,
                                  "INSERT INTO instances(instance_id, pool_id, lifecycle, launch_ms,"
                                  " end_ms, end_reason, source_id) VALUES(?,?,?,?,?,?,?)"
                                  " ON CONFLICT DO NOTHING");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, pool);
    sqlite3_bind_text(s, 3, lifecycle, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, launch);
    if (end)
        sqlite3_bind_int64(s, 5, *end);
    else
        sqlite3_bind_null(s, 5);
    if (reason && *reason)
        sqlite3_bind_text(s, 6, reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 6);
    sqlite3_bind_int64(s, 7, c->source_id);
    int rc = ss_imp_step_insert(c, s);
    if (rc < 0)
        return -1;
    ss_imp_span(c, launch);
    if (end)
        ss_imp_span(c, *end);
    if (rc == 1) {
        c->res->added++;
        return 0;
    }
    sqlite3_stmt *g = ss_imp_stmt(c, SS_IMP_ST_INST_GET,
                                  "SELECT pool_id = ?1 AND lifecycle = ?2 AND launch_ms = ?3"
                                  " AND end_ms IS ?4 AND end_reason IS ?5"
                                  " FROM instances WHERE instance_id = ?6");
    if (!g)
        return -1;
    sqlite3_bind_int64(g, 1, pool);
    sqlite3_bind_text(g, 2, lifecycle, -1, SQLITE_STATIC);
    sqlite3_bind_int64(g, 3, launch);
    if (end)
        sqlite3_bind_int64(g, 4, *end);
    else
        sqlite3_bind_null(g, 4);
    if (reason && *reason)
        sqlite3_bind_text(g, 5, reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(g, 5);
    sqlite3_bind_text(g, 6, id, -1, SQLITE_STATIC);
    int same = sqlite3_step(g) == SQLITE_ROW && sqlite3_column_int(g, 0);
    sqlite3_reset(g);
    if (same) {
        c->res->duplicates++;
        return 0;
    }
    return bad_rc(ss_imp_bad(c, "field 'instance_id': value '%s' is already stored with another "
                             "pool, launch or end (conflicting duplicate)", id));
}

/* ---- EventBridge events ---------------------------------------------------- */

static int event_record(ss_imp *c, json_t *o)
{
    const char *dtype, *id, *tstr, *region, *instance, *action = NULL;
    int rc;
    c->res->records++;
    if (!json_is_object(o))
        return bad_rc(ss_imp_bad(c, "event is not a JSON object"));
    if ((rc = ss_imp_json_str(c, o, "detail-type", &dtype)))
        return bad_rc(rc);
    const char *kind;
    int warning = !strcmp(dtype, "EC2 Spot Instance Interruption Warning");
    if (warning)
        kind = "interruption-warning";
    else if (!strcmp(dtype, "EC2 Instance Rebalance Recommendation"))
        kind = "rebalance-recommendation";
    else
        return bad_rc(ss_imp_bad(c, "field 'detail-type': value '%.60s' is not an interruption "
                                 "warning or rebalance recommendation", dtype));
    json_t *detail = json_object_get(o, "detail");
    if (!json_is_object(detail))
        return bad_rc(ss_imp_bad(c, "field 'detail' is %s", detail ? "not an object" : "missing"));
    if ((rc = ss_imp_json_str(c, o, "id", &id)) || (rc = ss_imp_json_str(c, o, "time", &tstr)) ||
        (rc = ss_imp_json_str(c, o, "region", &region)) ||
        (rc = ss_imp_json_str(c, detail, "instance-id", &instance)))
        return bad_rc(rc);
    if (!*id)
        return bad_rc(ss_imp_bad(c, "field 'id' is empty"));
    if (warning) {
        if ((rc = ss_imp_json_str(c, detail, "instance-action", &action)))
            return bad_rc(rc);
        if (strcmp(action, "terminate") && strcmp(action, "stop") && strcmp(action, "hibernate"))
            return bad_rc(ss_imp_bad(c, "field 'detail.instance-action': value '%.60s' is not "
                                     "terminate, stop or hibernate", action));
    }
    ss_time t;
    if ((rc = ss_imp_time(c, "time", tstr, &t)) || (rc = ss_imp_region(c, "region", region)) ||
        (rc = check_instance_id(c, "detail.instance-id", instance)))
        return bad_rc(rc);
    return put_event(c, id, kind, instance, t, region, action, 0);
}

int ss_imp_events_json(ss_imp *c, FILE *fp)
{
    json_t *root = ss_imp_json_load(c, fp);
    if (!root)
        return -1;
    int rc = 0;
    if (!json_is_array(root)) {
        rc = ss_imp_fail(c, "expected a JSON array of events");
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(root, i, v)
        {
            ss_imp_at_index(c, i);
            if ((rc = event_record(c, v)))
                break;
        }
    }
    json_decref(root);
    return rc;
}

static int event_line(ss_imp *c, json_t *v, void *ud)
{
    (void)ud;
    return event_record(c, v);
}

int ss_imp_events_jsonl(ss_imp *c, FILE *fp) { return ss_imp_jsonl_stream(c, fp, event_line, NULL); }

/* ---- CSV with a header: inventory and flat records -------------------------- */

enum { C_ID, C_TYPE, C_ZONE, C_LIFECYCLE, C_LAUNCH, C_END, C_REASON, C_INTERRUPT, C_N };
static const char *const col_names[C_N] = {"instance_id", "instance_type", "availability_zone",
                                           "lifecycle", "launch_time", "end_time", "end_reason",
                                           "interruption_time"};

typedef struct inv_csv {
    int col[C_N];
    size_t nfields;
    int have_header;
    int records; /* flat interruption records (else inventory) */
} inv_csv;

static int inv_header(ss_imp *c, char **f, size_t nf, inv_csv *ic)
{
    static const int need_inv[] = {C_ID, C_TYPE, C_ZONE, C_LIFECYCLE, C_LAUNCH, C_END, C_REASON};
    static const int need_rec[] = {C_ID, C_TYPE, C_ZONE, C_LAUNCH, C_INTERRUPT};
    for (int k = 0; k < C_N; k++)
        ic->col[k] = -1;
    for (size_t i = 0; i < nf; i++) {
        char h[64], want[64];
        ss_imp_norm_header(f[i], h, sizeof h);
        for (int k = 0; k < C_N; k++) {
            ss_imp_norm_header(col_names[k], want, sizeof want);
            if (!strcmp(h, want))
                ic->col[k] = (int)i;
        }
    }
    const int *need = ic->records ? need_rec : need_inv;
    size_t nneed = ic->records ? SS_ARRAY_LEN(need_rec) : SS_ARRAY_LEN(need_inv);
    for (size_t k = 0; k < nneed; k++)
        if (ic->col[need[k]] < 0)
            return ss_err_set(c->err, "%s:1: header has no '%s' column", c->path,
                              col_names[need[k]]);
    ic->nfields = nf;
    ic->have_header = 1;
    return 0;
}

static int inv_row(ss_imp *c, long line, char **f, size_t nf, void *ud)
{
    inv_csv *ic = ud;
    (void)line;
    if (!ic->have_header)
        return inv_header(c, f, nf, ic);
    c->res->records++;
    if (nf != ic->nfields)
        return bad_rc(ss_imp_bad(c, "expected %zu fields as in the header, got %zu", ic->nfields, nf));
    const char *id = f[ic->col[C_ID]], *type = f[ic->col[C_TYPE]], *zone_s = f[ic->col[C_ZONE]];
    char region[32], zone[64];
    ss_time launch, end;
    int rc;
    if ((rc = check_instance_id(c, "instance_id", id)) || (rc = ss_imp_type(c, "instance_type", type)) ||
        (rc = ss_imp_zone(c, "availability_zone", zone_s, region, sizeof region, zone, sizeof zone)) ||
        (rc = ss_imp_time(c, "launch_time", f[ic->col[C_LAUNCH]], &launch)))
        return bad_rc(rc);
    const char *lifecycle = "spot", *reason = "spot-interruption", *end_s;
    if (ic->records) {
        end_s = f[ic->col[C_INTERRUPT]];
        if ((rc = ss_imp_time(c, "interruption_time", end_s, &end)))
            return bad_rc(rc);
    } else {
        lifecycle = f[ic->col[C_LIFECYCLE]];
        reason = f[ic->col[C_REASON]];
        end_s = f[ic->col[C_END]];
        if (strcmp(lifecycle, "spot") && strcmp(lifecycle, "on-demand"))
            return bad_rc(ss_imp_bad(c, "field 'lifecycle': value '%.60s' is not spot or on-demand",
                                     lifecycle));
        if (*end_s && (rc = ss_imp_time(c, "end_time", end_s, &end)))
            return bad_rc(rc);
        if (!*end_s && *reason)
            return bad_rc(ss_imp_bad(c, "field 'end_reason': value '%.60s' given but end_time is "
                                     "empty (still running)", reason));
    }
    if (*end_s && end < launch)
        return bad_rc(ss_imp_bad(c, "field '%s': value '%s' is before launch_time '%s'",
                                 ic->records ? "interruption_time" : "end_time", end_s,
                                 f[ic->col[C_LAUNCH]]));
    /* The inventory has no product column: these logs are Linux fleets. */
    sqlite3_int64 pool;
    if (ss_imp_pool_id(c, region, zone, type, "Linux/UNIX", &pool))
        return -1;
    long skipped = c->res->skipped;
    if (put_instance(c, id, pool, lifecycle, launch, *end_s ? &end : NULL, reason))
        return -1;
    if (!ic->records || c->res->skipped != skipped)
        return 0;
    char key[64];
    snprintf(key, sizeof key, "record:%s", id);
    return put_event(c, key, "interruption", id, end, region, NULL, pool);
}

int ss_imp_inventory_csv(ss_imp *c, FILE *fp)
{
    inv_csv ic;
    memset(&ic, 0, sizeof ic);
    return ss_imp_csv_stream(c, fp, ',', inv_row, &ic);
}

int ss_imp_records_csv(ss_imp *c, FILE *fp)
{
    inv_csv ic;
    memset(&ic, 0, sizeof ic);
    ic.records = 1;
    return ss_imp_csv_stream(c, fp, ',', inv_row, &ic);
}

/* ---- aws ec2 describe-instances: the inventory -------------------------------- */

/* The time in a StateTransitionReason, "User initiated (2023-08-03 02:20:00
 * GMT)" / "Service initiated (...)" (EC2 API Reference, Instance:
 * StateTransitionReason): 0 and *t set, or -1 when there is none. */
static int transition_time(const char *reason, ss_time *t)
{
    const char *p = strchr(reason, '(');
    if (!p)
        return -1;
    char buf[32];
    size_t k = 0;
    for (p++; *p && *p != ')' && k + 1 < sizeof buf; p++)
        buf[k++] = *p;
    buf[k] = 0;
    char *gmt = strstr(buf, " GMT");
    if (gmt)
        *gmt = 0;
    return ss_time_parse(buf, t) ? -1 : 0;
}

static int instance_record(ss_imp *c, json_t *o)
{
    const char *id, *type, *launch_s, *zone_s;
    int rc;
    c->res->records++;
    if (!json_is_object(o))
        return bad_rc(ss_imp_bad(c, "instance is not a JSON object"));
    json_t *placement = json_object_get(o, "Placement"), *state = json_object_get(o, "State");
    if (!json_is_object(placement) || !json_is_object(state))
        return bad_rc(ss_imp_bad(c, "field '%s' is missing or not an object",
                                 json_is_object(placement) ? "State" : "Placement"));
    const char *state_name;
    if ((rc = ss_imp_json_str(c, o, "InstanceId", &id)) || (rc = ss_imp_json_str(c, o, "InstanceType", &type)) ||
        (rc = ss_imp_json_str(c, o, "LaunchTime", &launch_s)) ||
        (rc = ss_imp_json_str(c, placement, "AvailabilityZone", &zone_s)) ||
        (rc = ss_imp_json_str(c, state, "Name", &state_name)))
        return bad_rc(rc);
    char region[32], zone[64];
    ss_time launch, end = 0;
    if ((rc = check_instance_id(c, "InstanceId", id)) || (rc = ss_imp_type(c, "InstanceType", type)) ||
        (rc = ss_imp_zone(c, "Placement.AvailabilityZone", zone_s, region, sizeof region, zone, sizeof zone)) ||
        (rc = ss_imp_time(c, "LaunchTime", launch_s, &launch)))
        return bad_rc(rc);
    /* InstanceLifecycle is "spot" for Spot instances and absent for
     * On-Demand ones */
    json_t *lc = json_object_get(o, "InstanceLifecycle");
    const char *lifecycle = json_is_string(lc) && !strcmp(json_string_value(lc), "spot") ? "spot" : "on-demand";
    /* ended: terminated (or shutting down / stopped); the time is in
     * StateTransitionReason, the cause in StateReason.Code
     * ("Server.SpotInstanceTermination" / "Server.SpotInstanceShutdown" =
     * a Spot interruption) */
    bool ended = !strcmp(state_name, "terminated") || !strcmp(state_name, "shutting-down") ||
                 !strcmp(state_name, "stopped");
    const char *reason = NULL;
    if (ended) {
        json_t *tr = json_object_get(o, "StateTransitionReason");
        if (!json_is_string(tr) || transition_time(json_string_value(tr), &end))
            return bad_rc(ss_imp_bad(c, "field 'StateTransitionReason': no end time for the %s instance %s",
                                     state_name, id));
        if (end < launch)
            return bad_rc(ss_imp_bad(c, "field 'StateTransitionReason': end before LaunchTime for %s", id));
        json_t *sr = json_object_get(o, "StateReason");
        json_t *code = json_is_object(sr) ? json_object_get(sr, "Code") : NULL;
        const char *cs = json_is_string(code) ? json_string_value(code) : "";
        reason = !strcmp(cs, "Server.SpotInstanceTermination") || !strcmp(cs, "Server.SpotInstanceShutdown")
                     ? "spot-interruption"
                     : !strcmp(state_name, "stopped") ? "stopped"
                                                       : "terminated";
    }
    json_t *pd = json_object_get(o, "PlatformDetails");
    char product[64];
    if ((rc = ss_imp_product(c, "PlatformDetails", json_is_string(pd) ? json_string_value(pd) : "Linux/UNIX",
                             product, sizeof product)))
        return bad_rc(rc);
    sqlite3_int64 pool;
    if (ss_imp_pool_id(c, region, zone, type, product, &pool))
        return -1;
    return put_instance(c, id, pool, lifecycle, launch, ended ? &end : NULL, reason);
}

int ss_imp_instances_json(ss_imp *c, FILE *fp)
{
    json_t *root = ss_imp_json_load(c, fp);
    if (!root)
        return -1;
    json_t *res = json_object_get(root, "Reservations");
    int rc = 0;
    if (!json_is_array(res)) {
        rc = ss_imp_fail(c, "expected {\"Reservations\": [...]} (aws ec2 describe-instances)");
    } else {
        size_t i, k = 0;
        json_t *r;
        json_array_foreach(res, i, r)
        {
            json_t *insts = json_is_object(r) ? json_object_get(r, "Instances") : NULL;
            if (!json_is_array(insts)) {
                ss_imp_at_index(c, i);
                if ((rc = bad_rc(ss_imp_bad(c, "field 'Instances' of reservation %zu is not an array", i))))
                    break;
                continue;
            }
            size_t j;
            json_t *v;
            json_array_foreach(insts, j, v)
            {
                ss_imp_at_index(c, k++);
                if ((rc = instance_record(c, v)))
                    break;
            }
            if (rc)
                break;
        }
    }
    json_decref(root);
    return rc;
}

/* ---- aws ec2 describe-spot-instance-requests: the status history ----------------- */

/* Spot request status codes that mean the instance was interrupted, and the
 * action (EC2 User Guide, "Spot request status": instance-terminated-by-price,
 * -no-capacity, -capacity-oversubscribed, -launch-group-constraint,
 * marked-for-termination / -stop / -hibernation, instance-stopped-*,
 * instance-hibernated-*). NULL: not an interruption. */
static const char *interruption_action(const char *code)
{
    if (!strncmp(code, "instance-terminated-", 20) && strcmp(code, "instance-terminated-by-user") &&
        strcmp(code, "instance-terminated-by-service") && strcmp(code, "instance-terminated-by-schedule"))
        return "terminate";
    if (!strcmp(code, "marked-for-termination"))
        return "terminate";
    if (!strcmp(code, "marked-for-stop") ||
        (!strncmp(code, "instance-stopped-", 17) && strcmp(code, "instance-stopped-by-user")))
        return "stop";
    if (!strcmp(code, "marked-for-hibernation") || !strncmp(code, "instance-hibernated-", 20))
        return "hibernate";
    return NULL;
}

static int spot_request_record(ss_imp *c, json_t *o)
{
    c->res->records++;
    if (!json_is_object(o))
        return bad_rc(ss_imp_bad(c, "spot instance request is not a JSON object"));
    json_t *status = json_object_get(o, "Status");
    if (!json_is_object(status))
        return bad_rc(ss_imp_bad(c, "field 'Status' is %s", status ? "not an object" : "missing"));
    const char *code, *tstr, *req;
    int rc;
    if ((rc = ss_imp_json_str(c, status, "Code", &code)) || (rc = ss_imp_json_str(c, o, "SpotInstanceRequestId", &req)))
        return bad_rc(rc);
    const char *action = interruption_action(code);
    if (!action)
        return 0; /* open, fulfilled, cancelled...: no interruption evidence */
    const char *id, *zone_s, *type;
    json_t *spec = json_object_get(o, "LaunchSpecification");
    if (!json_is_object(spec))
        return bad_rc(ss_imp_bad(c, "field 'LaunchSpecification' is missing or not an object"));
    if ((rc = ss_imp_json_str(c, status, "UpdateTime", &tstr)) || (rc = ss_imp_json_str(c, o, "InstanceId", &id)) ||
        (rc = ss_imp_json_str(c, o, "LaunchedAvailabilityZone", &zone_s)) ||
        (rc = ss_imp_json_str(c, spec, "InstanceType", &type)))
        return bad_rc(rc);
    char region[32], zone[64];
    ss_time t;
    if ((rc = check_instance_id(c, "InstanceId", id)) || (rc = ss_imp_type(c, "LaunchSpecification.InstanceType", type)) ||
        (rc = ss_imp_zone(c, "LaunchedAvailabilityZone", zone_s, region, sizeof region, zone, sizeof zone)) ||
        (rc = ss_imp_time(c, "Status.UpdateTime", tstr, &t)))
        return bad_rc(rc);
    json_t *pd = json_object_get(o, "ProductDescription");
    char product[64];
    if ((rc = ss_imp_product(c, "ProductDescription", json_is_string(pd) ? json_string_value(pd) : "Linux/UNIX",
                             product, sizeof product)))
        return bad_rc(rc);
    sqlite3_int64 pool;
    if (ss_imp_pool_id(c, region, zone, type, product, &pool))
        return -1;
    /* one event per request and status: the same file twice adds nothing */
    char key[160];
    snprintf(key, sizeof key, "spot-request:%.40s:%.80s", req, code);
    return put_event(c, key, "interruption", id, t, region, action, pool);
}

int ss_imp_spot_requests_json(ss_imp *c, FILE *fp)
{
    json_t *root = ss_imp_json_load(c, fp);
    if (!root)
        return -1;
    json_t *reqs = json_object_get(root, "SpotInstanceRequests");
    int rc = 0;
    if (!json_is_array(reqs)) {
        rc = ss_imp_fail(c, "expected {\"SpotInstanceRequests\": [...]} (aws ec2 describe-spot-instance-requests)");
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(reqs, i, v)
        {
            ss_imp_at_index(c, i);
            if ((rc = spot_request_record(c, v)))
                break;
        }
    }
    json_decref(root);
    return rc;
}
